// `npm run bench -- scale [--quick] [--seconds 10] [--clients 60] [--rate 2] [--streams 60]`
// One lab without Redis, then 1, 2 and 3 lab instances sharing one redis-server, all on 127.0.0.1:
// chat delivery (every client in one room, spread round robin over the instances) and SSE
// delivery of the ticker (streams spread the same way, events made on every instance). Prints
// p50/p99 latency and deliveries per second, and what Redis adds per message. On a 2-core machine
// the instances share the cores with Redis and the load generator: more instances cannot show
// more throughput here, only that the deployment works and what Redis costs.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { CHAT_WS_PATH, parseServerMessage } from '../src/lib/wire/chat.ts';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    seconds: { type: 'string' },
    clients: { type: 'string' },
    rate: { type: 'string' },
    streams: { type: 'string' },
  },
});
const bound = (raw: string | undefined, def: number, max: number): number =>
  Math.max(1, Math.min(max, Number(raw ?? def) || def));
const quick = values.quick;
const SECONDS = bound(values.seconds, quick ? 2 : 10, 60);
const CLIENTS = bound(values.clients, quick ? 12 : 60, 300);
const RATE = bound(values.rate, 2, 9); // the chat allows 10 frames/s per connection
const STREAMS = bound(values.streams, quick ? 12 : 60, 300);
const EMITS_PER_S = 8; // "send event now" presses per second, spread over instances
// Sent but not measured before each run: the first messages pay for connection set-up and the
// JIT, which would otherwise land in whichever setup runs first.
const WARMUP_MS = 1000;

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as net.AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Starts a child and resolves once its output contains `ready`. */
function startChild(cmd: string, args: string[], ready: string): Promise<ChildProcess> {
  const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes(ready)) resolve(child);
    });
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => reject(new Error(`${cmd} exited ${code}: ${out.slice(-500)}`)));
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

async function startLab(redisUrl: string | null): Promise<{ port: number; child: ChildProcess }> {
  const [port, mqttPort] = [await freePort(), await freePort()];
  const args = [
    'server/cli.ts',
    ...['--no-site', '--no-fleet', '--host', '127.0.0.1', '--port', String(port)],
    ...['--mqtt-port', String(mqttPort), '--people-per-address', '9999'],
    ...(redisUrl ? ['--redis-url', redisUrl] : []),
  ];
  return { port, child: await startChild(process.execPath, args, 'Ctrl-C') };
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

interface Result {
  p50: number;
  p99: number;
  perSecond: number;
}

function summary(latencies: number[], seconds: number): Result {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    p50: quantile(sorted, 0.5),
    p99: quantile(sorted, 0.99),
    perSecond: latencies.length / seconds,
  };
}

/** Every client in one room, each sending RATE messages a second; latency at every receiver. */
async function chat(ports: number[]): Promise<Result> {
  const latencies: number[] = [];
  let measuring = false;
  const sockets = await Promise.all(
    Array.from({ length: CLIENTS }, async (_, i) => {
      const port = ports[i % ports.length]!;
      const ws = new WebSocket(`ws://127.0.0.1:${port}${CHAT_WS_PATH}`, {
        perMessageDeflate: false,
        // Each simulated client is its own browser (the lab tells visitors apart by a cookie).
        headers: { cookie: `lab_vid=${randomBytes(16).toString('base64url')}` },
      });
      await new Promise<void>((resolve, reject) => {
        ws.on('message', (data) => {
          const msg = parseServerMessage((data as Buffer).toString('utf8'));
          if (msg?.type === 'joined') resolve();
          if (msg?.type === 'chat' && measuring) {
            latencies.push(performance.now() - Number(msg.text.split(' ')[0]));
          }
        });
        ws.once('open', () => {
          ws.send(JSON.stringify({ type: 'hello', nick: `b${i}` }));
          ws.send(JSON.stringify({ type: 'join', room: 'scale-bench' }));
        });
        ws.on('error', reject);
      });
      return ws;
    }),
  );
  let n = 0;
  const timers = sockets.map((ws, i) =>
    setInterval(() => {
      const text = `${performance.now()} ${i}`;
      ws.send(JSON.stringify({ type: 'chat', room: 'scale-bench', text, clientMsgId: `m${n++}` }));
    }, 1000 / RATE),
  );
  await new Promise((r) => setTimeout(r, WARMUP_MS));
  measuring = true;
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  for (const t of timers) clearInterval(t);
  measuring = false;
  for (const ws of sockets) ws.terminate();
  return summary(latencies, SECONDS);
}

/** SSE streams spread over the instances; events made on every instance in turn. */
async function sse(ports: number[]): Promise<Result> {
  const latencies: number[] = [];
  const ctrl = new AbortController();
  let measuring = false;
  await Promise.all(
    Array.from({ length: STREAMS }, async (_, i) => {
      const port = ports[i % ports.length]!;
      const res = await fetch(`http://127.0.0.1:${port}/api/sse?clientId=sb${i}`, {
        signal: ctrl.signal,
        // Its own browser each: one visitor may hold only 8 streams and long polls.
        headers: { cookie: `lab_vid=${randomBytes(16).toString('base64url')}` },
      });
      if (res.status !== 200) throw new Error(`SSE stream refused: ${res.status}`);
      const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
      void (async () => {
        let text = '';
        try {
          for (;;) {
            const { value, done } = await reader.read();
            if (done) return;
            text += value;
            let end;
            while ((end = text.indexOf('\n')) >= 0) {
              const line = text.slice(0, end);
              text = text.slice(end + 1);
              if (!measuring || !line.startsWith('data: ')) continue;
              const ev = JSON.parse(line.slice(6)) as { ts?: number };
              // Event times are the making instance's Date.now(), on this same machine.
              if (typeof ev.ts === 'number') latencies.push(Date.now() - ev.ts);
            }
          }
        } catch {
          // aborted at the end
        }
      })();
    }),
  );
  let k = 0;
  const emitter = setInterval(() => {
    const port = ports[k % ports.length]!;
    // Each id may press 5 times a second: rotate through enough of them.
    void fetch(`http://127.0.0.1:${port}/api/ticker/emit?clientId=se${k++ % 20}`, {
      method: 'POST',
    }).catch(() => {});
  }, 1000 / EMITS_PER_S);
  await new Promise((r) => setTimeout(r, WARMUP_MS));
  measuring = true;
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  clearInterval(emitter);
  measuring = false;
  ctrl.abort();
  return summary(latencies, SECONDS);
}

const redisPort = await freePort();
const redisDir = mkdtempSync(path.join(os.tmpdir(), 'lab-scale-redis-'));
const redisArgs = ['--port', String(redisPort), '--bind', '127.0.0.1', '--dir', redisDir];
const redis = await startChild(
  'redis-server',
  [...redisArgs, '--save', '', '--appendonly', 'no'],
  'Ready to accept connections',
);
const redisUrl = `redis://127.0.0.1:${redisPort}`;

const rows: { setup: string; chat: Result; sse: Result }[] = [];
try {
  for (const [setup, count, url] of [
    ['1 instance, no Redis', 1, null],
    ['1 instance + Redis', 1, redisUrl],
    ['2 instances + Redis', 2, redisUrl],
    ['3 instances + Redis', 3, redisUrl],
  ] as const) {
    const labs = [];
    for (let i = 0; i < count; i++) labs.push(await startLab(url));
    try {
      const ports = labs.map((l) => l.port);
      rows.push({ setup, chat: await chat(ports), sse: await sse(ports) });
    } finally {
      await Promise.all(labs.map((l) => stop(l.child)));
    }
  }
} finally {
  await stop(redis);
  rmSync(redisDir, { recursive: true, force: true });
}

const f = (n: number): string => (Number.isFinite(n) ? n.toFixed(1) : '-');
process.stdout.write(
  `\nscale: ${CLIENTS} chat clients × ${RATE} msg/s in one room, ${STREAMS} SSE streams, ` +
    `${EMITS_PER_S} events/s, ${SECONDS} s each, ${os.cpus().length} cores\n\n`,
);
console.table(
  rows.map((r) => ({
    setup: r.setup,
    'chat p50 ms': f(r.chat.p50),
    'chat p99 ms': f(r.chat.p99),
    'chat deliveries/s': Math.round(r.chat.perSecond),
    'SSE p50 ms': f(r.sse.p50),
    'SSE p99 ms': f(r.sse.p99),
    'SSE deliveries/s': Math.round(r.sse.perSecond),
  })),
);
const [alone, shared] = [rows[0]!, rows[1]!];
process.stdout.write(
  `Redis adds per message (1 instance, p50): chat ${f(shared.chat.p50 - alone.chat.p50)} ms, ` +
    `SSE ${f(shared.sse.p50 - alone.sse.p50)} ms.\n` +
    `SSE latency counts from the event's making to its arrival; with Redis that includes the ` +
    `round trip through the stream every instance reads.\n`,
);
