// `npm run bench -- race [--quick]`: the protocol race on 127.0.0.1, median of several runs.
// 1. push lanes' p50 at 100 msg/s × 120 B (target ≤ 2 ms for SSE, WebSocket, MQTT QoS 0);
// 2. short polling's p50 against half its interval (target within ±25 %);
// 3. measured overhead per message against the spec minimum;
// 4. 50 concurrent races (50 simulated browsers × 6 lanes): every lane's p99 and the server's CPU.
// --quick runs each part once, briefly, to check the benchmark works; the real figures need an
// idle machine.
import { performance } from 'node:perf_hooks';
import type { LaneId, Scenario } from '../src/lib/wire/race.ts';
import { BROWSER_LANES, LANES } from '../src/lib/wire/race.ts';
import { quantile } from '../src/lib/measure/delay.ts';
import { laneRows, runRaces, startRaceLab, type LaneRow } from '../scripts/race/run.ts';

const quick = process.argv.includes('--quick');
const runs = quick ? 1 : 5;
const durationS = quick ? 5 : 10;
const concurrent = quick ? 5 : 50;
const med = (xs: number[]): number =>
  quantile(
    [...xs].sort((a, b) => a - b),
    0.5,
  );
const f = (n: number, d = 2): string => (Number.isFinite(n) ? n.toFixed(d) : '-');

function table(head: string[], rows: string[][]): string {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (c: string[]): string =>
    c.map((x, i) => (i === 0 ? x.padEnd(w[i] ?? 0) : x.padStart(w[i] ?? 0))).join('  ');
  return [line(head), line(w.map((n) => '-'.repeat(n))), ...rows.map(line)].join('\n') + '\n';
}

async function repeated(scenario: Scenario, lanes: readonly LaneId[]): Promise<LaneRow[][]> {
  const out: LaneRow[][] = [];
  for (let i = 0; i < runs; i++) {
    const target = await startRaceLab(1);
    try {
      out.push(laneRows(await runRaces(target, scenario, lanes, 1), scenario));
    } finally {
      await target.close();
    }
  }
  return out;
}

const medianOf = (all: LaneRow[][], lane: LaneId, key: keyof LaneRow): number =>
  med(all.map((rows) => Number(rows.find((r) => r.lane === lane)?.[key] ?? NaN)));

// 1 and 3: 100 msg/s × 120 B.
const fast: Scenario = { rate: 100, size: 120, durationS, pollIntervalS: 1 };
const fastRuns = await repeated(fast, LANES);
process.stdout.write(
  `\nRace at 100 msg/s × 120 B, ${durationS} s, median of ${runs} run(s)\n` +
    table(
      ['lane', 'p50 ms', 'p99 ms', 'target', 'overhead/msg', 'spec min', 'diff'],
      LANES.map((lane) => {
        const p50 = medianOf(fastRuns, lane, 'p50');
        const ovh = medianOf(fastRuns, lane, 'overheadDown');
        const spec = medianOf(fastRuns, lane, 'theoryDown');
        const target = ['sse', 'ws', 'mqttWs0'].includes(lane)
          ? p50 <= 2
            ? '≤2 ok'
            : '≤2 MISS'
          : '';
        return [
          lane,
          f(p50),
          f(medianOf(fastRuns, lane, 'p99')),
          target,
          f(ovh, 1),
          f(spec, 1),
          f(ovh - spec, 1),
        ];
      }),
    ),
);

// 2: short polling against half its interval, at a rate where every poll finds news.
const polls: [number, LaneRow[][]][] = [];
for (const interval of quick ? [1] : [0.5, 1, 2]) {
  polls.push([
    interval,
    await repeated({ rate: 20, size: 120, durationS, pollIntervalS: interval }, ['shortPoll']),
  ]);
}
process.stdout.write(
  `\nShort polling p50 against half the interval (target ±25 %)\n` +
    table(
      ['interval s', 'p50 ms', 'interval/2 ms', 'ratio'],
      polls.map(([interval, r]) => {
        const p50 = medianOf(r, 'shortPoll', 'p50');
        return [f(interval, 2), f(p50), f(interval * 500, 0), f(p50 / (interval * 500))];
      }),
    ),
);

// 4: concurrent races, with the server's CPU time over the run.
const target = await startRaceLab(concurrent);
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const scenario: Scenario = { rate: 10, size: 120, durationS, pollIntervalS: 1 };
const results = await runRaces(target, scenario, BROWSER_LANES, concurrent);
const wallMs = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
await target.close();
const rows = laneRows(results, scenario);
process.stdout.write(
  `\n${concurrent} concurrent races (10 msg/s × 120 B, ${durationS} s, 6 lanes each)\n` +
    table(
      ['lane', 'received', 'lost', 'p50 ms', 'worst p99 ms'],
      rows.map((r) => [r.lane, String(r.received), String(r.lost), f(r.p50), f(r.p99)]),
    ) +
    // Server and clients share this process: the CPU figure is an upper bound for the server.
    `process CPU (server + all clients): ${f(((cpu.user + cpu.system) / 1000 / wallMs) * 100, 0)} % of one core\n`,
);
