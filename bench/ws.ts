// `npm run bench -- ws [--seconds 20] [--idle 1000] [--clients 100] [--rate 5] [--rooms 10]`
// WebSocket chat under load, against 127.0.0.1 only: delivery latency of broadcasts, server CPU,
// and server memory per idle connection. The server runs in a child process (bench/_ws-server.ts).
import { fork, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { CHAT_WS_PATH, parseServerMessage } from '../src/lib/wire/chat.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '20' },
    idle: { type: 'string', default: '1000' },
    clients: { type: 'string', default: '100' },
    rate: { type: 'string', default: '5' },
    rooms: { type: 'string', default: '10' },
  },
});
const bound = (raw: string, max: number): number => Math.max(1, Math.min(max, Number(raw) || 1));
const SECONDS = bound(values.seconds, 120);
const IDLE = bound(values.idle, 5000);
const CLIENTS = bound(values.clients, 1000);
const RATE = bound(values.rate, 9); // the server allows 10 frames/s per connection
const ROOMS = bound(values.rooms, 100);

interface Stats {
  kind: 'stats';
  rss: number;
  heapUsed: number;
  external: number;
  cpu: NodeJS.CpuUsage;
  connections: number;
  loopDelayP50Ms: number;
  loopDelayP99Ms: number;
}

const server: ChildProcess = fork(fileURLToPath(new URL('./_ws-server.ts', import.meta.url)), [], {
  execArgv: ['--expose-gc'],
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});
const port = await new Promise<number>((resolve, reject) => {
  server.once('message', (m: { kind: string; port: number }) => resolve(m.port));
  server.once('exit', (code) => reject(new Error(`server exited early (${code})`)));
});
const url = `ws://127.0.0.1:${port}${CHAT_WS_PATH}`;

function stats(): Promise<Stats> {
  return new Promise((resolve) => {
    server.once('message', (m: Stats) => resolve(m));
    server.send({ kind: 'stats' });
  });
}

/** Opens a connection, says hello and joins `room`; resolves once joined. */
function client(nick: string, room: string, onChat?: (text: string) => void): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    // Each simulated client is its own browser, as the lab tells visitors apart by a cookie.
    const ws = new WebSocket(url, {
      perMessageDeflate: false,
      headers: {
        cookie: `lab_vid=${nick
          .replace(/[^A-Za-z0-9_-]/g, '_')
          .padStart(22, '0')
          .slice(-22)}`,
      },
    });
    ws.on('error', reject);
    ws.on('open', () => {
      ws.send(JSON.stringify({ type: 'hello', nick }));
      ws.send(JSON.stringify({ type: 'join', room }));
    });
    ws.on('message', (data) => {
      const text = (data as Buffer).toString('utf8');
      // Hot path: chat frames are recognised without a full parse.
      if (onChat && text.startsWith('{"type":"chat"')) {
        const m = /"text":"([0-9.]+)"/.exec(text);
        if (m?.[1]) onChat(m[1]);
        return;
      }
      const msg = parseServerMessage(text);
      if (msg?.type === 'joined') resolve(ws);
      if (msg?.type === 'error') reject(new Error(`${msg.code}: ${msg.message}`));
    });
  });
}

async function inBatches<T>(
  n: number,
  batch: number,
  make: (i: number) => Promise<T>,
): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < n; i += batch) {
    const size = Math.min(batch, n - i);
    out.push(...(await Promise.all(Array.from({ length: size }, (_, j) => make(i + j)))));
  }
  return out;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? NaN;
}

const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;
const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
const ms = (x: number): string => `${x.toFixed(2)} ms`;

function table(title: string, rows: [string, string, string?][]): void {
  const w0 = Math.max(...rows.map((r) => r[0].length), 6);
  const w1 = Math.max(...rows.map((r) => r[1].length), 5);
  process.stdout.write(`\n${title}\n`);
  process.stdout.write(`| ${'metric'.padEnd(w0)} | ${'value'.padStart(w1)} | target\n`);
  process.stdout.write(`| ${'-'.repeat(w0)} | ${'-'.repeat(w1)} | ------\n`);
  for (const [a, b, c] of rows)
    process.stdout.write(`| ${a.padEnd(w0)} | ${b.padStart(w1)} | ${c ?? ''}\n`);
}

try {
  await new Promise((r) => setTimeout(r, 500));
  const base = await stats();

  // 1. Idle connections: connected, named, in a room, saying nothing.
  const t0 = performance.now();
  const idle = await inBatches(IDLE, 50, (i) => client(`idle${i}`, `idle-${i % 100}`));
  const idleSetupMs = performance.now() - t0;
  await new Promise((r) => setTimeout(r, 1000));
  const withIdle = await stats();
  const perIdle = (withIdle.rss - base.rss) / IDLE;
  const heapPerIdle =
    (withIdle.heapUsed + withIdle.external - base.heapUsed - base.external) / IDLE;

  // 2. Broadcast load: CLIENTS clients in ROOMS rooms, each sending RATE messages a second.
  let latencies = new Float64Array(CLIENTS * RATE * SECONDS * Math.ceil(CLIENTS / ROOMS) + 1000);
  let count = 0;
  let measuring = false;
  const onChat = (text: string): void => {
    if (!measuring) return;
    if (count === latencies.length) {
      const bigger = new Float64Array(latencies.length * 2);
      bigger.set(latencies);
      latencies = bigger;
    }
    latencies[count++] = performance.now() - Number(text);
  };
  const active = await inBatches(CLIENTS, 50, (i) =>
    client(`load${i}`, `load-${i % ROOMS}`, onChat),
  );
  let sent = 0;
  const timers: NodeJS.Timeout[] = [];
  // A control: protocol ping/pong, answered by the ws library without any chat logic. Its round
  // trip is the floor that the transport and the machine's scheduling put under every delivery.
  const probe = new WebSocket(url, { perMessageDeflate: false });
  await new Promise((r) => probe.once('open', r));
  const pings: number[] = [];
  let pingAt = 0;
  probe.on('pong', () => {
    if (measuring) pings.push(performance.now() - pingAt);
  });
  timers.push(
    setInterval(() => {
      pingAt = performance.now();
      probe.ping();
    }, 50),
  );
  server.send({ kind: 'reset' });
  const loadBefore = os.loadavg()[0] ?? NaN;
  const cpuBefore = await stats();
  const benchCpu0 = process.cpuUsage();
  const wall0 = performance.now();
  measuring = true;
  active.forEach((ws, i) => {
    const room = `load-${i % ROOMS}`;
    let n = 0;
    // Spread the clients' sends evenly instead of firing them all on the same tick.
    const start = setTimeout(
      () => {
        timers.push(
          setInterval(() => {
            const text = performance.now().toFixed(3);
            ws.send(JSON.stringify({ type: 'chat', room, text, clientMsgId: `m${i}-${n++}` }));
            sent += 1;
          }, 1000 / RATE),
        );
      },
      Math.random() * (1000 / RATE),
    );
    timers.push(start);
  });
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  for (const t of timers) clearInterval(t);
  await new Promise((r) => setTimeout(r, 500)); // let the last broadcasts land
  measuring = false;
  const wallMs = performance.now() - wall0;
  const loadAfter = os.loadavg()[0] ?? NaN;
  const cpuAfter = await stats();
  const benchCpu = process.cpuUsage(benchCpu0);

  probe.terminate();
  const sorted = latencies.slice(0, count).sort();
  const pingSorted = Float64Array.from(pings).sort();
  const serverCpuMs =
    (cpuAfter.cpu.user + cpuAfter.cpu.system - cpuBefore.cpu.user - cpuBefore.cpu.system) / 1000;
  const perRoom = Math.ceil(CLIENTS / ROOMS);

  table(
    `Broadcast: ${CLIENTS} clients × ${RATE} msg/s in ${ROOMS} rooms for ${SECONDS} s (+ ${IDLE} idle connections)`,
    [
      ['messages sent', String(sent)],
      [
        'deliveries (each to ~' + perRoom + ' members)',
        String(count),
        `${sent * perRoom} expected`,
      ],
      ['delivery p50', ms(percentile(sorted, 50))],
      ['delivery p90', ms(percentile(sorted, 90))],
      ['delivery p99', ms(percentile(sorted, 99)), '< 25 ms'],
      ['delivery max', ms(sorted[sorted.length - 1] ?? NaN)],
      ['control: ping/pong round trip p50', ms(percentile(pingSorted, 50))],
      ['control: ping/pong round trip p99', ms(percentile(pingSorted, 99))],
      ['server: a 10 ms timer fired after, p50', ms(cpuAfter.loopDelayP50Ms)],
      ['server: a 10 ms timer fired after, p99', ms(cpuAfter.loopDelayP99Ms)],
      ['server CPU (share of one core)', `${((serverCpuMs / wallMs) * 100).toFixed(1)} %`],
      [
        'machine load average, 1 min (start → end)',
        `${loadBefore.toFixed(1)} → ${loadAfter.toFixed(1)} on ${os.availableParallelism()} CPUs`,
      ],
      [
        'bench clients CPU (share of one core)',
        `${(((benchCpu.user + benchCpu.system) / 1000 / wallMs) * 100).toFixed(1)} %`,
      ],
    ],
  );
  table(`Memory: ${IDLE} idle connections (server process, after GC)`, [
    ['server RSS before', mib(base.rss)],
    ['server RSS with idle clients', mib(withIdle.rss)],
    ['RSS per idle connection', kib(perIdle), '< 60 KiB'],
    ['JS heap + external per idle connection', kib(heapPerIdle)],
    ['server RSS after the load', mib(cpuAfter.rss)],
    ['connections seen by the server', String(withIdle.connections)],
    ['time to open the idle connections', `${(idleSetupMs / 1000).toFixed(1)} s`],
  ]);
  process.stdout.write(
    "\nLatency is measured in this process from send to receipt, so it includes the clients' own\n" +
      'event-loop delays; on a shared machine treat the figures as an upper bound.\n',
  );

  for (const ws of [...idle, ...active]) ws.terminate();
} finally {
  server.send({ kind: 'stop' });
  await new Promise((r) => {
    const kill = setTimeout(() => server.kill('SIGKILL'), 3000);
    server.once('exit', () => {
      clearTimeout(kill);
      r(null);
    });
  });
}
