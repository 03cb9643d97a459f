// `npm run race`: the protocol race from the command line, with Node clients and MQTT/TCP.
import { RACE_HELP, RaceCliError, parseRaceArgs } from './options.ts';
import { formatCsv, formatTable, laneRows, remoteTarget, runRaces, startRaceLab } from './run.ts';

let opts;
try {
  opts = parseRaceArgs(process.argv.slice(2));
} catch (err) {
  if (!(err instanceof RaceCliError)) throw err;
  // A flag parseArgs refused already says where the help is.
  const hint = err.message.includes('--help') ? '' : 'Try: npm run race -- --help\n';
  process.stderr.write(`npm run race: ${err.message}\n${hint}`);
  process.exit(2);
}
if (opts.help) {
  process.stdout.write(RACE_HELP);
  process.exit(0);
}

const target = opts.url ? await remoteTarget(opts.url) : await startRaceLab(opts.clients);
try {
  const s = opts.scenario;
  if (opts.format === 'table') {
    process.stderr.write(
      `race: ${s.rate} msg/s × ${s.size} B for ${s.durationS} s, polling every ${s.pollIntervalS} s, ` +
        `${opts.clients} client(s) against ${target.httpBase}\n`,
    );
  }
  const results = await runRaces(target, s, opts.transports, opts.clients, opts.cutEveryS);
  const rows = laneRows(results, s);
  if (opts.format === 'json')
    process.stdout.write(`${JSON.stringify({ scenario: s, rows, results }, null, 2)}\n`);
  else if (opts.format === 'csv') process.stdout.write(formatCsv(rows));
  else process.stdout.write(formatTable(rows));
} catch (err) {
  process.stderr.write(`npm run race: ${(err as Error).message}\n`);
  process.exitCode = 1;
} finally {
  await target.close();
}
