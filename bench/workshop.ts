// `npm run bench -- workshop [--attendees 300] [--rounds 20]`
// A workshop room on one lab, against 127.0.0.1 only: each simulated attendee holds what a page
// of the course holds (the workshop socket, an SSE stream, a chat socket, MQTT over WebSocket,
// about 4 connections), each from its own loopback address as a LAN would give it. Measures how
// fast an announcement reaches everybody, how long the room takes to come back after "close
// every chat socket" and "disconnect every MQTT client", what it lost, and the server's CPU and
// memory. The lab runs in a child process (bench/_workshop-server.ts). Quick check:
// `npm run bench -- workshop --attendees 20 --rounds 5`.
import { fork, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import mqtt, { type MqttClient } from 'mqtt';
import { ROOM_WS_PATH, WORKSHOP_API, type RoomView } from '../src/lib/wire/workshop.ts';
import { TRAINER_HEADER } from '../src/lib/wire/trainer.ts';

const { values } = parseArgs({
  options: {
    attendees: { type: 'string', default: '300' },
    rounds: { type: 'string', default: '20' },
  },
});
const bound = (raw: string, max: number): number => Math.max(1, Math.min(max, Number(raw) || 1));
const N = bound(values.attendees, 1000);
const ROUNDS = bound(values.rounds, 100);
const ROOMS = Math.max(1, Math.min(10, Math.ceil(N / 30)));
const TOKEN = randomBytes(18).toString('base64url');
const TOPIC = 'lab/bench/workshop';
const WAIT_MS = 30_000;

interface Stats {
  kind: 'stats';
  rss: number;
  cpu: NodeJS.CpuUsage;
  gauges: Record<string, number>;
  loopDelayP99Ms: number;
}

const server: ChildProcess = fork(
  fileURLToPath(new URL('./_workshop-server.ts', import.meta.url)),
  [],
  {
    env: { ...process.env, BENCH_TRAINER_TOKEN: TOKEN },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  },
);
const { port, mqttPort } = await new Promise<{ port: number; mqttPort: number }>(
  (resolve, reject) => {
    server.once('message', (m: { port: number; mqttPort: number }) => resolve(m));
    server.once('exit', (code) => reject(new Error(`the lab exited early (${code})`)));
  },
);
const base = `http://127.0.0.1:${port}`;
const wsBase = `ws://127.0.0.1:${port}`;

function stats(): Promise<Stats> {
  return new Promise((resolve) => {
    server.once('message', (m: Stats) => resolve(m));
    server.send({ kind: 'stats' });
  });
}
let rssPeak = 0;
const sampler = setInterval(() => {
  void stats().then((s) => (rssPeak = Math.max(rssPeak, s.rss)));
}, 500);

const now = (): number => performance.now();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
async function until(
  check: () => boolean,
  what: string,
  ms = WAIT_MS,
  poll?: () => Promise<void>,
): Promise<boolean> {
  const deadline = now() + ms;
  for (;;) {
    await poll?.();
    if (check()) return true;
    if (now() > deadline) {
      process.stderr.write(`gave up waiting for ${what}\n`);
      return false;
    }
    await sleep(poll ? 200 : 10);
  }
}
const trainer = async (path: string, body?: unknown): Promise<unknown> => {
  const res = await fetch(`${base}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { [TRAINER_HEADER]: TOKEN, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json();
};
// 127.0.0.0/8 is all loopback: one address per attendee, so per-address limits see a LAN.
const addressOf = (i: number): string => `127.1.${Math.floor(i / 250)}.${(i % 250) + 1}`;

let stopping = false;

/** One simulated attendee page. */
class Attendee {
  readonly i: number;
  readonly addr: string;
  readonly room: string;
  readonly session = randomBytes(9).toString('base64url');
  readonly announced = new Map<string, number>();
  // Chat
  chatUp = false;
  chatJoinedAt = 0;
  lastId = 0;
  readonly chatIds = new Set<number>();
  chatDuplicates = 0;
  // MQTT
  mq: MqttClient | null = null;
  mqUp = false;
  mqConnectedAt = 0;
  readonly seqs = new Set<number>();
  mqDuplicates = 0;
  sseEvents = 0;
  readonly sockets: { close(): void }[] = [];

  constructor(i: number) {
    this.i = i;
    this.addr = addressOf(i);
    this.room = `bench-${i % ROOMS}`;
  }

  async start(): Promise<void> {
    await Promise.all([this.#room(), this.#chat(), this.#mqtt()]);
    this.#sse('');
  }

  #room(): Promise<void> {
    const ws = new WebSocket(`${wsBase}${ROOM_WS_PATH}`, { localAddress: this.addr });
    this.sockets.push(ws);
    ws.on('message', (data) => {
      const msg = JSON.parse((data as Buffer).toString()) as {
        type: string;
        announcement?: { text: string } | null;
      };
      if (msg.type === 'announce' && msg.announcement) {
        this.announced.set(msg.announcement.text, now());
      }
    });
    return new Promise((resolve, reject) => {
      ws.once('open', () => {
        ws.send(JSON.stringify({ type: 'presence', chapter: 'websocket', demo: 'chat' }));
        resolve();
      });
      ws.once('error', reject);
    });
  }

  #chat(): Promise<void> {
    return new Promise((resolve) => {
      const ws = new WebSocket(`${wsBase}/ws/chat`, {
        localAddress: this.addr,
        perMessageDeflate: false,
      });
      ws.on('open', () => {
        ws.send(JSON.stringify({ type: 'hello', nick: `a${this.i}`, session: this.session }));
        ws.send(
          JSON.stringify({
            type: 'join',
            room: this.room,
            ...(this.lastId ? { afterId: this.lastId } : {}),
          }),
        );
      });
      ws.on('message', (data) => {
        const m = JSON.parse((data as Buffer).toString()) as {
          type: string;
          room?: string;
          id?: number;
          history?: { id: number }[];
        };
        if (m.type === 'joined') {
          for (const h of m.history ?? []) this.#accept(h.id);
          this.chatUp = true;
          this.chatJoinedAt = now();
          resolve();
        } else if (m.type === 'chat' && m.room === this.room && m.id !== undefined) {
          this.#accept(m.id);
        }
      });
      ws.on('error', () => {});
      ws.on('close', () => {
        this.chatUp = false;
        // The course's chat client waits 0.5-1 s before its first retry.
        if (!stopping) setTimeout(() => void this.#chat(), 500 + Math.random() * 500);
      });
      this.sockets.push({ close: () => ws.terminate() });
    });
  }

  #accept(id: number): void {
    if (this.chatIds.has(id)) this.chatDuplicates++;
    else this.chatIds.add(id);
    this.lastId = Math.max(this.lastId, id);
  }

  #mqtt(): Promise<void> {
    const client = mqtt.connect(`${wsBase}/mqtt`, {
      clientId: `bench-attendee-${this.i}`,
      clean: false,
      protocolVersion: 4,
      keepalive: 60,
      reconnectPeriod: 500 + Math.floor(Math.random() * 500),
      wsOptions: { localAddress: this.addr },
    });
    this.mq = client;
    client.on('message', (_topic, payload) => {
      const seq = Number(payload.toString());
      if (this.seqs.has(seq)) this.mqDuplicates++;
      else this.seqs.add(seq);
    });
    client.on('close', () => (this.mqUp = false));
    client.on('error', () => {});
    return new Promise((resolve) => {
      client.on('connect', (ack) => {
        this.mqUp = true;
        this.mqConnectedAt = now();
        // A resumed session keeps its subscription ([MQTT-3.1.2-4]); subscribe only on a new one.
        if (!ack.sessionPresent) {
          void client.subscribeAsync(TOPIC, { qos: 1 }).then(() => resolve());
        } else resolve();
      });
    });
  }

  #sse(lastId: string): void {
    if (stopping) return;
    const req = http.get(
      `${base}/api/sse?clientId=bench${this.i}`,
      { localAddress: this.addr, headers: lastId ? { 'Last-Event-ID': lastId } : {} },
      (res) => {
        let last = lastId;
        res.setEncoding('utf8');
        res.on('data', (text: string) => {
          for (const m of text.matchAll(/^id: ?(\d+)$/gm)) {
            last = m[1] ?? last;
            this.sseEvents++;
          }
        });
        res.on('close', () => setTimeout(() => this.#sse(last), 1000));
      },
    );
    req.on('error', () => setTimeout(() => this.#sse(lastId), 1000));
    this.sockets.push({ close: () => req.destroy() });
  }

  stop(): void {
    for (const s of this.sockets) s.close();
    this.mq?.end(true);
  }
}

const pct = (xs: number[], p: number): number => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};
const ms = (x: number): string => (Number.isFinite(x) ? `${x.toFixed(1)} ms` : 'n/a');

// ---- the room fills up
const t0 = now();
const cpu0 = (await stats()).cpu;
const attendees = Array.from({ length: N }, (_, i) => new Attendee(i));
for (let i = 0; i < N; i += 25) {
  await Promise.all(attendees.slice(i, i + 25).map((a) => a.start()));
}
// The trainer page reads the room (which also makes the workshop active).
const roomView = (await trainer(WORKSHOP_API.room)) as RoomView;
const connectS = (now() - t0) / 1000;
let gauges: Record<string, number> = {};
await until(
  () => (gauges['sse'] ?? 0) >= N,
  'every SSE stream',
  10_000,
  async () => void (gauges = (await stats()).gauges),
);

// ---- announcements
const latencies: number[] = [];
const lastOfRound: number[] = [];
for (let k = 0; k < ROUNDS; k++) {
  const text = `bench ${k}`;
  const sent = now();
  await trainer(WORKSHOP_API.announce, { text });
  await until(() => attendees.every((a) => a.announced.has(text)), `announcement ${k}`);
  const lat = attendees.map((a) => (a.announced.get(text) ?? NaN) - sent);
  latencies.push(...lat);
  lastOfRound.push(Math.max(...lat));
  await sleep(50);
}

// ---- close every chat socket, while the room's speakers keep talking
const speakers = await Promise.all(
  Array.from({ length: ROOMS }, async (_, r) => {
    const said = new Set<number>();
    let ws: WebSocket | null = null;
    let n = 0;
    const session = randomBytes(9).toString('base64url');
    const connect = (): Promise<void> =>
      new Promise((resolve) => {
        const s = new WebSocket(`${wsBase}/ws/chat`, { localAddress: `127.2.0.${r + 1}` });
        ws = s;
        s.on('open', () => {
          s.send(JSON.stringify({ type: 'hello', nick: `speaker${r}`, session }));
          s.send(JSON.stringify({ type: 'join', room: `bench-${r}` }));
        });
        s.on('message', (d) => {
          const m = JSON.parse((d as Buffer).toString()) as {
            type: string;
            id?: number;
            history?: { id: number }[];
          };
          if (m.type === 'joined') {
            for (const h of m.history ?? []) said.add(h.id);
            resolve();
          }
          if (m.type === 'chat' && m.id !== undefined) said.add(m.id);
        });
        s.on('error', () => {});
        // A speaker outside the browsers comes back at once, so it talks while they are away.
        s.on('close', () => {
          if (!stopping) void connect();
        });
      });
    await connect();
    const timer = setInterval(() => {
      if (ws?.readyState === WebSocket.OPEN) {
        ws.send(
          JSON.stringify({ type: 'chat', room: `bench-${r}`, text: `m${n}`, clientMsgId: `m${n}` }),
        );
        n++;
      }
    }, 200);
    return { said, room: `bench-${r}`, stop: () => clearInterval(timer), close: () => ws?.close() };
  }),
);
await sleep(1000);
const chatCut = now();
const chatFault = (await trainer(`${WORKSHOP_API.faults}/close-chat`, {})) as {
  report: { touched: number };
};
await until(() => attendees.every((a) => a.chatUp && a.chatJoinedAt > chatCut), 'chats back');
const chatBack = attendees.map((a) => a.chatJoinedAt - chatCut);
await sleep(2000);
for (const s of speakers) s.stop();
await sleep(500);
const chatMissing = (a: Attendee): number => {
  const said = speakers.find((s) => s.room === a.room)?.said ?? new Set<number>();
  let missing = 0;
  for (const id of said) if (!a.chatIds.has(id)) missing++;
  return missing;
};
await until(() => attendees.every((a) => chatMissing(a) === 0), 'every chat message', 10_000);
const chatLost = attendees.reduce((n, a) => n + chatMissing(a), 0);
const chatDup = attendees.reduce((n, a) => n + a.chatDuplicates, 0);
const chatSaid = speakers.reduce((n, s) => n + s.said.size, 0);

// ---- disconnect every MQTT client, while a device keeps publishing (QoS 1)
const publisher = await mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, {
  clientId: 'bench-publisher',
  clean: false,
  reconnectPeriod: 200,
});
publisher.on('error', () => {});
let seq = 0;
const pubTimer = setInterval(() => {
  seq++;
  publisher.publish(TOPIC, String(seq), { qos: 1 });
}, 50);
await sleep(1000);
const mqCut = now();
const mqFault = (await trainer(`${WORKSHOP_API.faults}/disconnect-mqtt`, {})) as {
  report: { touched: number };
};
await until(() => attendees.every((a) => a.mqUp && a.mqConnectedAt > mqCut), 'MQTT back');
const mqBack = attendees.map((a) => a.mqConnectedAt - mqCut);
await sleep(2000);
clearInterval(pubTimer);
const published = seq;
await until(() => attendees.every((a) => a.seqs.size >= published), 'every MQTT message', 15_000);
const mqLost = attendees.reduce((n, a) => n + (published - a.seqs.size), 0);
const mqDup = attendees.reduce((n, a) => n + a.mqDuplicates, 0);

// ---- the server's share
const end = await stats();
const wallS = (now() - t0) / 1000;
const cpuS = (end.cpu.user - cpu0.user + end.cpu.system - cpu0.system) / 1e6;
const sseEvents = attendees.reduce((n, a) => n + a.sseEvents, 0);

stopping = true;
clearInterval(sampler);
for (const a of attendees) a.stop();
for (const s of speakers) s.close();
await publisher.endAsync(true);
server.send({ kind: 'stop' });

const conn = (k: string): number => gauges[k] ?? 0;
const rows: [string, string][] = [
  [
    'attendees',
    `${N} (workshop page sees ${roomView.attendees}), connected in ${connectS.toFixed(1)} s`,
  ],
  [
    'connections open',
    `${conn('wsRoom') + conn('sse') + conn('wsChat') + conn('mqttWs')} (room ${conn('wsRoom')}, SSE ${conn('sse')}, chat ${conn('wsChat')}, MQTT/WS ${conn('mqttWs')})`,
  ],
  [
    'announcement to each page',
    `p50 ${ms(pct(latencies, 50))}, p99 ${ms(pct(latencies, 99))} (${ROUNDS} rounds)`,
  ],
  [
    'announcement to the last page',
    `median ${ms(pct(lastOfRound, 50))}, worst ${ms(Math.max(...lastOfRound))}`,
  ],
  [
    'close every chat socket',
    `${chatFault.report.touched} cut; all ${N} back in ${ms(Math.max(...chatBack))} (p50 ${ms(pct(chatBack, 50))})`,
  ],
  [
    '  chat messages lost',
    `${chatLost} of ${chatSaid * Math.ceil(N / ROOMS)} expected deliveries (duplicates ${chatDup})`,
  ],
  [
    'disconnect every MQTT client',
    `${mqFault.report.touched} cut; all ${N} back in ${ms(Math.max(...mqBack))} (p50 ${ms(pct(mqBack, 50))})`,
  ],
  ['  MQTT messages lost', `${mqLost} of ${published * N} (QoS 1 duplicates ${mqDup})`],
  ['SSE events received', `${sseEvents}`],
  ['server CPU', `${((cpuS / wallS) * 100).toFixed(0)} % of one core over ${wallS.toFixed(1)} s`],
  [
    'server RSS',
    `peak ${(rssPeak / 2 ** 20).toFixed(0)} MB, end ${(end.rss / 2 ** 20).toFixed(0)} MB`,
  ],
  ['server event-loop delay', `p99 ${ms(end.loopDelayP99Ms)}`],
];
const w = Math.max(...rows.map(([k]) => k.length));
process.stdout.write(`\nWorkshop room: ${N} attendees on one lab (127.0.0.1)\n\n`);
process.stdout.write(`| ${'measure'.padEnd(w)} | result |\n| ${'-'.repeat(w)} | ------ |\n`);
for (const [k, v] of rows) process.stdout.write(`| ${k.padEnd(w)} | ${v} |\n`);
process.exit(0);
