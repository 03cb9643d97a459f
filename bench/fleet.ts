// `npm run bench -- fleet [options]`: the case study under load, on 127.0.0.1 only.
// Phase 1 (aggregated): the companion server (broker + aggregator) in a child process, N vehicles
// (the fleet CLI, another child process) at 1 Hz, S browser-like MQTT-over-WebSocket clients
// subscribed to fleet/snapshot. Phase 2 (naive): a fresh server, the same fleet, W clients
// subscribed to vehicle/+/status. Reports delivery latency, the server's CPU and RSS, and
// whether it survived. Every phase is bounded in time; every child is killed at the end.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import mqtt, { type MqttClient } from 'mqtt';
import { ALL_STATUS, SNAPSHOT_TOPIC } from '../src/lib/wire/fleet.ts';

const { values: o } = parseArgs({
  options: {
    vehicles: { type: 'string', default: '1000' },
    subscribers: { type: 'string', default: '500' },
    'naive-subscribers': { type: 'string', default: '25' },
    'snapshot-hz': { type: 'string', default: '4' },
    duration: { type: 'string', default: '30' },
    'naive-duration': { type: 'string', default: '20' },
    warmup: { type: 'string', default: '5' },
    'skip-naive': { type: 'boolean', default: false },
  },
});
const VEHICLES = Number(o.vehicles);
const SUBS = Number(o.subscribers);
const NAIVE_SUBS = Number(o['naive-subscribers']);
const SNAPSHOT_HZ = o['snapshot-hz'];
const DURATION_S = Number(o.duration);
const NAIVE_S = Number(o['naive-duration']);
const WARMUP_S = Number(o.warmup);
const HOST = '127.0.0.1';
const root = new URL('..', import.meta.url).pathname;

const children = new Set<ChildProcess>();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});
// Hard stop: whatever happens, the benchmark ends.
const hardStop = (WARMUP_S * 2 + DURATION_S + NAIVE_S + 240) * 1000;
setTimeout(() => {
  process.stderr.write('bench: hard time limit reached, stopping\n');
  process.exit(3);
}, hardStop).unref();

interface Server {
  child: ChildProcess;
  port: number;
  mqttPort: number;
  stderr: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

async function startServer(): Promise<Server> {
  const child = spawn(
    process.execPath,
    [
      'server/cli.ts',
      '--no-site',
      '--port',
      '0',
      '--mqtt-port',
      '0',
      '--host',
      HOST,
      '--fleet',
      '0',
    ],
    { cwd: root, env: { ...process.env, LAB_SNAPSHOT_HZ: SNAPSHOT_HZ } },
  );
  children.add(child);
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      children.delete(child);
      resolve({ code, signal });
    }),
  );
  const deadline = Date.now() + 30_000;
  while (!/MQTT\/TCP\s+mqtt:\/\/[^:]+:(\d+)/.test(out)) {
    if (Date.now() > deadline) throw new Error(`server did not start: ${err}`);
    await sleep(100);
  }
  const mqttPort = Number(/MQTT\/TCP\s+mqtt:\/\/[^:]+:(\d+)/.exec(out)?.[1]);
  const port = Number(/API\s+http:\/\/[^:]+:(\d+)/.exec(out)?.[1]);
  // The aggregator starts on the first request to /api/fleet.
  await fetch(`http://${HOST}:${port}/api/fleet`);
  return { child, port, mqttPort, stderr: () => err, exit };
}

function startFleet(mqttPort: number): ChildProcess {
  const child = spawn(
    process.execPath,
    [
      'server/fleet/cli.ts',
      '--vehicles',
      String(VEHICLES),
      '--rate',
      '1',
      '--broker-tcp-url',
      `mqtt://${HOST}:${mqttPort}`,
    ],
    { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

/** utime+stime in seconds and RSS in MiB of a process, from /proc. */
function procStats(pid: number): { cpuS: number; rssMiB: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpuS = (Number(f[11]) + Number(f[12])) / 100; // CLK_TCK = 100
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rssMiB = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
    return { cpuS, rssMiB };
  } catch {
    return null;
  }
}

async function connectMany(url: string, n: number, what: string): Promise<MqttClient[]> {
  const clients: MqttClient[] = [];
  for (let k = 0; k < n; k += 50) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(50, n - k) }, () =>
        mqtt.connectAsync(url, {
          protocolVersion: 4,
          reconnectPeriod: 0,
          connectTimeout: 20_000,
          keepalive: 120,
        }),
      ),
    );
    clients.push(...batch);
  }
  process.stderr.write(`bench: ${clients.length} ${what} connected\n`);
  return clients;
}

/** The snapshot's f64 timestamp (bytes 3-10, see src/lib/wire/fleet.ts). */
const snapshotTs = (b: Buffer): number => (b.length >= 11 ? b.readDoubleBE(3) : NaN);
/** `"ts":<n>` of a status message. */
const statusTs = (b: Buffer): number => Number(/"ts":(\d+)/.exec(b.toString('latin1'))?.[1]);

const pct = (sorted: number[], p: number): number =>
  sorted.length
    ? (sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number)
    : NaN;

async function waitConnected(port: number, deadlineS: number): Promise<void> {
  // The fleet CLI prints progress; the lab's /api/health counts MQTT/TCP connections.
  const deadline = Date.now() + deadlineS * 1000;
  for (;;) {
    const h = (await (await fetch(`http://${HOST}:${port}/api/health`)).json()) as {
      connections: Record<string, number>;
    };
    if ((h.connections['mqttTcp'] ?? 0) >= VEHICLES) return;
    if (Date.now() > deadline)
      throw new Error(`only ${h.connections['mqttTcp']} vehicles connected`);
    await sleep(500);
  }
}

interface PhaseResult {
  label: string;
  subscribers: number;
  received: number;
  perSubPerS: number;
  p50: number;
  p99: number;
  max: number;
  cpuPct: number;
  rssMiB: number;
  simCpuPct: number;
  benchCpuPct: number;
  outcome: string;
}

async function phase(
  label: string,
  topic: string,
  nSubs: number,
  seconds: number,
): Promise<PhaseResult> {
  const server = await startServer();
  let crashed: string | null = null;
  void server.exit.then(({ code, signal }) => {
    crashed = `server exited (code ${code}, signal ${signal})`;
  });
  const fleet = startFleet(server.mqttPort);
  let fleetErr = '';
  fleet.stderr?.on('data', (d: Buffer) => (fleetErr += d.toString()));
  await waitConnected(server.port, 120);
  process.stderr.write(`bench: ${label}: ${VEHICLES} vehicles connected\n`);
  const subs = await connectMany(`ws://${HOST}:${server.port}/mqtt`, nSubs, `${label} subscribers`);
  const latencies: number[] = [];
  let measuring = false;
  let received = 0;
  for (const c of subs) {
    c.on('error', () => {});
    c.on('message', (_t, payload) => {
      if (!measuring) return;
      received++;
      // One process plays hundreds of browsers: read only the timestamp, so the bench's own
      // CPU does not become the latency it measures.
      const ts = topic === SNAPSHOT_TOPIC ? snapshotTs(payload) : statusTs(payload);
      latencies.push(Date.now() - ts);
    });
  }
  await Promise.all(subs.map((c) => c.subscribeAsync(topic, { qos: 0 })));
  await sleep(WARMUP_S * 1000);

  const pid = server.child.pid as number;
  const simPid = fleet.pid as number;
  const s0 = procStats(pid);
  const f0 = procStats(simPid);
  const b0 = process.cpuUsage();
  const t0 = Date.now();
  let rssMax = 0;
  measuring = true;
  while (Date.now() - t0 < seconds * 1000 && !crashed) {
    await sleep(1000);
    rssMax = Math.max(rssMax, procStats(pid)?.rssMiB ?? 0);
  }
  measuring = false;
  const wall = (Date.now() - t0) / 1000;
  const s1 = procStats(pid);
  const f1 = procStats(simPid);
  const cpuPct = s0 && s1 ? ((s1.cpuS - s0.cpuS) / wall) * 100 : NaN;
  const simCpuPct = f0 && f1 ? ((f1.cpuS - f0.cpuS) / wall) * 100 : NaN;
  const b1 = process.cpuUsage(b0);
  // The simulated browsers share this process: if it nears 100%, latency is partly its own.
  const benchCpuPct = ((b1.user + b1.system) / 1e6 / wall) * 100;

  // Everyone leaves at once (the moment the known crash happens), then the server must still answer.
  await Promise.all(subs.map((c) => c.endAsync(true).catch(() => {})));
  fleet.kill('SIGTERM');
  await sleep(3000);
  let outcome = crashed ?? 'survived';
  if (!crashed) {
    const ok = await fetch(`http://${HOST}:${server.port}/api/health`).then(
      (r) => r.ok,
      () => false,
    );
    outcome = ok ? 'survived, still answering' : 'not answering';
  }
  const stackOverflow = /Maximum call stack/.test(server.stderr());
  if (stackOverflow) outcome += ' (RangeError: Maximum call stack size exceeded)';
  server.child.kill('SIGTERM');
  await Promise.race([server.exit, sleep(3000)]);
  server.child.kill('SIGKILL');
  fleet.kill('SIGKILL');
  if (fleetErr.trim())
    process.stderr.write(`bench: fleet said: ${fleetErr.trim().slice(0, 300)}\n`);

  const sorted = latencies.sort((a, b) => a - b);
  return {
    label,
    subscribers: nSubs,
    received,
    perSubPerS: received / nSubs / wall,
    p50: pct(sorted, 50),
    p99: pct(sorted, 99),
    max: sorted.at(-1) ?? NaN,
    cpuPct,
    rssMiB: rssMax,
    simCpuPct,
    benchCpuPct,
    outcome,
  };
}

process.stderr.write(
  `bench fleet: ${VEHICLES} vehicles at 1 Hz; ${SUBS} snapshot subscribers at ${SNAPSHOT_HZ} Hz for ${DURATION_S} s` +
    `${o['skip-naive'] ? '' : `; then ${NAIVE_SUBS} wildcard subscribers for ${NAIVE_S} s`}\n`,
);
const results: PhaseResult[] = [];
results.push(await phase('snapshot', SNAPSHOT_TOPIC, SUBS, DURATION_S));
if (!o['skip-naive']) {
  results.push(
    await phase('naive wildcard', ALL_STATUS, NAIVE_SUBS, NAIVE_S).catch((err: Error) => ({
      label: 'naive wildcard',
      subscribers: NAIVE_SUBS,
      received: 0,
      perSubPerS: NaN,
      p50: NaN,
      p99: NaN,
      max: NaN,
      cpuPct: NaN,
      rssMiB: NaN,
      simCpuPct: NaN,
      benchCpuPct: NaN,
      outcome: `failed: ${err.message}`,
    })),
  );
}

const f = (n: number, d = 0) => (Number.isFinite(n) ? n.toFixed(d) : '-');
const rows = results.map((r) => [
  r.label,
  String(r.subscribers),
  f(r.perSubPerS, 1),
  f(r.p50),
  f(r.p99),
  f(r.max),
  f(r.cpuPct),
  f(r.rssMiB),
  f(r.simCpuPct),
  f(r.benchCpuPct),
  r.outcome,
]);
const head = [
  'mode',
  'subs',
  'msg/s/sub',
  'p50 ms',
  'p99 ms',
  'max ms',
  'server CPU %',
  'server RSS MiB',
  'sim CPU %',
  'subscribers CPU %',
  'outcome',
];
const widths = head.map((h, k) => Math.max(h.length, ...rows.map((r) => (r[k] as string).length)));
const line = (cells: string[]) => cells.map((c, k) => c.padEnd(widths[k] as number)).join(' | ');
console.log(
  `\nFleet: ${VEHICLES} vehicles at 1 Hz, snapshot at ${SNAPSHOT_HZ} Hz (server = broker + aggregator; CPU in % of one core)`,
);
console.log(line(head));
console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
for (const r of rows) console.log(line(r));
const snap = results[0];
if (snap) {
  console.log(
    `\nTargets (snapshot mode): p99 < 150 ms: ${snap.p99 < 150 ? 'met' : 'NOT met'}; ` +
      `CPU < 30%: ${snap.cpuPct < 30 ? 'met' : 'NOT met'}; RSS < 250 MiB: ${snap.rssMiB < 250 ? 'met' : 'NOT met'}; ` +
      `no crash: ${snap.outcome.startsWith('survived') ? 'met' : 'NOT met'}`,
  );
}
process.exit(0);
