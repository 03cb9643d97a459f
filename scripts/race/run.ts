// Runs races from Node (the CLI and the benchmark): a lab on free loopback ports unless a URL is
// given, one RaceRun per simulated browser, and one table of the lanes' figures.
import { startLab, type Lab } from '../../server/app.ts';
import type { LaneId, Scenario } from '../../src/lib/wire/race.ts';
import { RaceRun, type LaneResult, type RaceResult } from '../../src/lib/race/runner.ts';
import { laneTheory } from '../../src/lib/race/theory.ts';
import { quantile } from '../../src/lib/measure/delay.ts';
import { nodeRaceEnv } from './env.ts';

/** A lab to race against: its URLs, and how to stop it when we started it. */
export interface Target {
  httpBase: string;
  mqttTcpUrl?: string;
  close(): Promise<void>;
}

/** Starts a lab on free loopback ports with room for `clients` races from this one address. */
export async function startRaceLab(clients: number): Promise<Target & { lab: Lab }> {
  const lab = await startLab({
    port: 0,
    host: '127.0.0.1',
    broker: { mode: 'embedded', mqttPort: 0 },
    site: false,
    distDir: 'dist',
    allowedOrigins: [],
    race: {
      maxRacesPerVisitor: clients,
      maxCreatesPerMinute: clients * 4,
      maxRaces: clients + 2,
    },
    peoplePerAddress: 1,
  });
  return {
    lab,
    httpBase: `http://127.0.0.1:${lab.port}`,
    mqttTcpUrl: `mqtt://127.0.0.1:${lab.mqttPort}`,
    close: () => lab.close(),
  };
}

/** Finds a running lab's MQTT/TCP URL from its `/api/config`. */
export async function remoteTarget(url: string): Promise<Target> {
  const res = await fetch(`${url}/api/config`);
  const cfg = (await res.json()) as { broker?: { tcpUrl?: string | null } };
  const tcp = cfg.broker?.tcpUrl ?? undefined;
  return { httpBase: url, ...(tcp ? { mqttTcpUrl: tcp } : {}), close: async () => {} };
}

/** Runs `clients` races at once and returns their results. */
export async function runRaces(
  target: Target,
  scenario: Scenario,
  lanes: readonly LaneId[],
  clients: number,
  cutEveryS = 0,
): Promise<RaceResult[]> {
  return Promise.all(
    Array.from({ length: clients }, async () => {
      const run = new RaceRun(nodeRaceEnv(target.httpBase, target.mqttTcpUrl), scenario);
      await run.open(lanes);
      return run.run(cutEveryS);
    }),
  );
}

/** One lane's figures over every client: sums, and medians (p50) or worst cases (p99, max). */
export interface LaneRow {
  lane: LaneId;
  received: number;
  lost: number;
  duplicates: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  bytesUp: number;
  bytesDown: number;
  overheadDown: number;
  overheadUp: number;
  theoryDown: number;
  theoryUp: number | null;
  theoryLatency: number;
}

/** Folds every client's result into one row per lane. */
export function laneRows(results: readonly RaceResult[], scenario: Scenario): LaneRow[] {
  const lanes = [...new Set(results.flatMap((r) => r.lanes.map((l) => l.lane)))];
  const theory = laneTheory(scenario, lanes);
  const med = (xs: number[]): number =>
    quantile(
      [...xs].sort((a, b) => a - b),
      0.5,
    );
  return lanes.map((lane) => {
    const ls: LaneResult[] = results.flatMap((r) => r.lanes.filter((l) => l.lane === lane));
    const th = theory.find((x) => x.lane === lane);
    const sum = (f: (l: LaneResult) => number): number => ls.reduce((a, l) => a + f(l), 0);
    return {
      lane,
      received: sum((l) => l.figures.received),
      lost: sum((l) => l.figures.lost),
      duplicates: sum((l) => l.figures.duplicates),
      p50: med(ls.map((l) => l.figures.p50)),
      p95: med(ls.map((l) => l.figures.p95)),
      p99: Math.max(...ls.map((l) => l.figures.p99)),
      max: Math.max(...ls.map((l) => l.figures.max)),
      bytesUp: sum((l) => l.bytes?.up ?? 0),
      bytesDown: sum((l) => l.bytes?.down ?? 0),
      overheadDown: med(ls.map((l) => l.overheadDownPerMsg)),
      overheadUp: med(ls.map((l) => l.overheadUpPerMsg)),
      theoryDown: th?.downPerMsg ?? NaN,
      theoryUp: th?.upPerMsg ?? null,
      theoryLatency: th?.latencyMs ?? NaN,
    };
  });
}

const f = (n: number, d = 2): string => (Number.isFinite(n) ? n.toFixed(d) : '-');

/** Prints rows as an aligned text table. */
export function formatTable(rows: readonly LaneRow[]): string {
  const head = [
    'lane',
    'received',
    'lost',
    'dup',
    'p50 ms',
    'p95 ms',
    'p99 ms',
    'max ms',
    'theory ms',
    'bytes up',
    'bytes down',
    'ovh down/msg',
    'spec down',
    'up/msg',
    'spec up',
  ];
  const body = rows.map((r) => [
    r.lane,
    String(r.received),
    String(r.lost),
    String(r.duplicates),
    f(r.p50),
    f(r.p95),
    f(r.p99),
    f(r.max),
    `~${f(r.theoryLatency, 0)}`,
    String(r.bytesUp),
    String(r.bytesDown),
    f(r.overheadDown, 1),
    f(r.theoryDown, 1),
    f(r.overheadUp, 1),
    r.theoryUp === null ? 'browser' : f(r.theoryUp, 1),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join('  ');
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n') + '\n';
}

/** Prints rows as CSV. */
export function formatCsv(rows: readonly LaneRow[]): string {
  const keys = Object.keys(rows[0] ?? {}) as (keyof LaneRow)[];
  return (
    [keys.join(','), ...rows.map((r) => keys.map((k) => String(r[k] ?? '')).join(','))].join('\n') +
    '\n'
  );
}
