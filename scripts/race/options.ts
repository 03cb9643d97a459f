// Options of `npm run race`, parsed as the lab's own flags are (server/flags.ts) and checked with
// the wire limits.
import {
  OptionError,
  httpOrigin,
  numberFlag,
  parseFlags,
  wholeNumber,
} from '../../server/flags.ts';
import type { LaneId, Scenario } from '../../src/lib/wire/race.ts';
import { DEFAULT_SCENARIO, LANES, scenarioError } from '../../src/lib/wire/race.ts';

/** What the race CLI was asked to do. */
export interface RaceCliOptions {
  scenario: Scenario;
  clients: number;
  transports: LaneId[];
  cutEveryS: number;
  format: 'table' | 'json' | 'csv';
  url: string | null;
  help: boolean;
}

/** A bad option: the CLI prints it and exits with code 2. */
export { OptionError as RaceCliError };

/** The help text. */
export const RACE_HELP = `Usage: npm run race -- [options]

Runs one protocol race: the server publishes each message once to every lane at the same instant,
and this prints each lane's latency, losses and exact bytes on the wire.

  --rate <n>            messages per second (1/30-500; default ${DEFAULT_SCENARIO.rate})
  --size <bytes>        payload bytes per message (16-65536; default ${DEFAULT_SCENARIO.size})
  --duration <s>        seconds of publishing (5-120; default ${DEFAULT_SCENARIO.durationS})
  --poll-interval <s>   short polling's interval (0.25-10; default ${DEFAULT_SCENARIO.pollIntervalS})
  --clients <n>         simulated browsers, each with its own race (1-200; default 1)
  --transports <list>   comma-separated lanes (default: all): ${LANES.join(', ')}
  --cut-every <s>       cut every lane's connection every s seconds (default 0: never)
  --format <f>          table, json or csv (default table)
  --url <url>           a running lab (default: start one on free loopback ports)
  --help                this text
`;

/** Parses argv (after `--`); throws OptionError on anything it cannot accept. */
export function parseRaceArgs(argv: readonly string[]): RaceCliOptions {
  const values = parseFlags(
    argv,
    {
      rate: { type: 'string' },
      size: { type: 'string' },
      duration: { type: 'string' },
      'poll-interval': { type: 'string' },
      clients: { type: 'string' },
      transports: { type: 'string' },
      'cut-every': { type: 'string' },
      format: { type: 'string' },
      url: { type: 'string' },
      help: { type: 'boolean' },
    },
    'npm run race',
  );
  const scenario: Scenario = {
    rate: numberFlag(values.rate, '--rate', DEFAULT_SCENARIO.rate),
    size: numberFlag(values.size, '--size', DEFAULT_SCENARIO.size),
    durationS: numberFlag(values.duration, '--duration', DEFAULT_SCENARIO.durationS),
    pollIntervalS: numberFlag(
      values['poll-interval'],
      '--poll-interval',
      DEFAULT_SCENARIO.pollIntervalS,
    ),
  };
  const bad = scenarioError(scenario);
  if (bad) {
    const flag = {
      rate: '--rate',
      size: '--size',
      durationS: '--duration',
      pollIntervalS: '--poll-interval',
    }[bad.field];
    throw new OptionError(`${flag}: ${bad.message}`);
  }
  const clients = wholeNumber(values.clients ?? '1', '--clients', 1, 200);
  const transports = values.transports
    ? values.transports.split(',').map((s) => s.trim())
    : [...LANES];
  const unknown = transports.filter((t) => !(LANES as readonly string[]).includes(t));
  if (unknown.length > 0 || transports.length === 0) {
    throw new OptionError(
      `--transports: unknown lane ${unknown.join(', ')}; use ${LANES.join(', ')}`,
    );
  }
  const cutEveryS = numberFlag(values['cut-every'], '--cut-every', 0);
  if (cutEveryS !== 0 && (cutEveryS < 1 || cutEveryS > 120)) {
    throw new OptionError('--cut-every must be 0 (never) or 1-120 seconds');
  }
  const format = values.format ?? 'table';
  if (format !== 'table' && format !== 'json' && format !== 'csv') {
    throw new OptionError('--format must be table, json or csv');
  }
  const url = values.url === undefined ? null : httpOrigin(values.url, '--url');
  return {
    scenario,
    clients,
    transports: transports as LaneId[],
    cutEveryS,
    format,
    url,
    help: values.help ?? false,
  };
}
