// `npm run bench -- mqtt`: the embedded broker (the companion server, in its own process) and
// Debian's Mosquitto side by side, driven by the same clients on 127.0.0.1.
// Options: --quick (smaller counts), --only embedded|mosquitto.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import mqtt, { type MqttClient } from 'mqtt';

const { values: opt } = parseArgs({
  options: { quick: { type: 'boolean' }, only: { type: 'string' } },
});
const Q = opt.quick ? 0.2 : 1;
const HOST = '127.0.0.1';

interface Broker {
  name: string;
  pid: number;
  tcpPort: number;
  wsUrl: string;
  stop(): Promise<void>;
  alive(): boolean;
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, HOST, () => {
      const a = s.address() as net.AddressInfo;
      s.close(() => resolve(a.port));
    });
  });
}

async function waitPort(port: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const ok = await new Promise<boolean>((r) => {
      const s = net.connect(port, HOST);
      s.once('connect', () => (s.destroy(), r(true)));
      s.once('error', () => r(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing listens on ${port}`);
}

function track(child: ChildProcess) {
  let exited = false;
  const done = new Promise<void>((r) =>
    child.once('exit', () => {
      exited = true;
      r();
    }),
  );
  return {
    alive: () => !exited,
    stop: async () => {
      if (!exited) child.kill('SIGTERM');
      await done;
    },
  };
}

async function startEmbedded(): Promise<Broker> {
  const [http, tcp] = [await freePort(), await freePort()];
  const child = spawn(
    process.execPath,
    [
      'server/cli.ts',
      '--no-site',
      '--port',
      String(http),
      '--mqtt-port',
      String(tcp),
      '--host',
      HOST,
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const t = track(child);
  await waitPort(tcp);
  await waitPort(http);
  return {
    name: 'embedded (Aedes)',
    pid: child.pid!,
    tcpPort: tcp,
    wsUrl: `ws://${HOST}:${http}/mqtt`,
    ...t,
  };
}

async function startMosquitto(): Promise<Broker> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-mosquitto-'));
  chmodSync(dir, 0o755);
  const [tcp, ws] = [await freePort(), await freePort()];
  const conf = path.join(dir, 'mosquitto.conf');
  writeFileSync(
    conf,
    `allow_anonymous true\npersistence false\nmax_queued_messages 100000\nlistener ${tcp} ${HOST}\nlistener ${ws} ${HOST}\nprotocol websockets\n`,
  );
  const child = spawn('/usr/sbin/mosquitto', ['-c', conf], { stdio: 'ignore' });
  const t = track(child);
  await waitPort(tcp);
  return {
    name: 'Mosquitto 2',
    pid: child.pid!,
    tcpPort: tcp,
    wsUrl: `ws://${HOST}:${ws}`,
    alive: t.alive,
    stop: async () => {
      await t.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function proc(pid: number): { cpuS: number; rssMiB: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const rss = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return { cpuS: (Number(f[11]) + Number(f[12])) / 100, rssMiB: Number(rss?.[1] ?? 0) / 1024 };
}

const now = () => performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
function pct(xs: number[], p: number): number {
  if (!xs.length) return NaN;
  const s = Float64Array.from(xs).sort();
  return s[Math.min(s.length - 1, Math.floor(s.length * p))]!;
}

// A minimal MQTT 3.1.1 client over raw TCP, cheap enough that the broker is the bottleneck.
function enc(n: number): Buffer {
  const b: number[] = [];
  do {
    let d = n % 128;
    n = Math.floor(n / 128);
    if (n) d |= 128;
    b.push(d);
  } while (n);
  return Buffer.from(b);
}
const s16 = (s: string) => {
  const b = Buffer.from(s);
  return Buffer.concat([Buffer.from([b.length >> 8, b.length & 255]), b]);
};
const pkt = (h: number, body: Buffer) => Buffer.concat([Buffer.from([h]), enc(body.length), body]);

interface Raw {
  sock: net.Socket;
  subscribe(topic: string, qos: number): Promise<void>;
}
function raw(port: number, id: string, onPublish?: () => void): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, HOST);
    sock.setNoDelay(true);
    let buf: Buffer = Buffer.alloc(0);
    let subDone: (() => void) | null = null;
    const client: Raw = {
      sock,
      subscribe: (topic, qos) =>
        new Promise((r) => {
          subDone = r;
          sock.write(
            pkt(0x82, Buffer.concat([Buffer.from([0, 1]), s16(topic), Buffer.from([qos])])),
          );
        }),
    };
    sock.on('data', (d: Buffer) => {
      buf = buf.length ? Buffer.concat([buf, d]) : d;
      let off = 0;
      const acks: Buffer[] = [];
      for (;;) {
        if (buf.length - off < 2) break;
        let len = 0;
        let mul = 1;
        let i = off + 1;
        let byte: number;
        do {
          if (i >= buf.length) {
            i = -1;
            break;
          }
          byte = buf[i++]!;
          len += (byte & 127) * mul;
          mul *= 128;
        } while (byte & 128);
        if (i < 0 || buf.length - i < len) break;
        const type = buf[off]! >> 4;
        if (type === 2) resolve(client);
        else if (type === 9) subDone?.();
        else if (type === 3) {
          const qos = (buf[off]! >> 1) & 3;
          if (qos) {
            const tl = buf.readUInt16BE(i);
            acks.push(Buffer.from([0x40, 2, buf[i + 2 + tl]!, buf[i + 3 + tl]!]));
          }
          onPublish?.();
        }
        off = i + len;
      }
      buf = buf.subarray(off);
      if (acks.length) sock.write(Buffer.concat(acks));
    });
    sock.on('error', reject);
    sock.write(pkt(0x10, Buffer.concat([s16('MQTT'), Buffer.from([4, 2, 0, 0]), s16(id)])));
  });
}

/** QoS 0/1 fan-in: P publishers → one subscriber on lab/bench/#, 100-byte payloads, a window. */
async function fanIn(b: Broker, qos: 0 | 1, total: number, pubs = 4, window = 1000) {
  let received = 0;
  let last = 0;
  const sub = await raw(b.tcpPort, `fi-sub-${qos}`, () => {
    received++;
    last = now();
  });
  await sub.subscribe('lab/bench/#', qos);
  const payload = Buffer.alloc(100, 0x78);
  const publishers = await Promise.all(
    Array.from({ length: pubs }, async (_, p) => {
      const c = await raw(b.tcpPort, `fi-pub-${qos}-${p}`);
      const topic = s16(`lab/bench/${p}`);
      return { c, topic };
    }),
  );
  const c0 = proc(b.pid);
  const t0 = now();
  let sent = 0;
  let id = 1;
  while (sent < total) {
    while (sent - received < window && sent < total) {
      const { c, topic } = publishers[sent % pubs]!;
      const body = qos
        ? Buffer.concat([topic, Buffer.from([id >> 8, id & 255]), payload])
        : Buffer.concat([topic, payload]);
      id = (id % 65535) + 1;
      c.sock.write(pkt(qos ? 0x32 : 0x30, body));
      sent++;
    }
    await new Promise((r) => setImmediate(r));
    if (now() - t0 > 60_000) break;
  }
  const deadline = now() + 10_000;
  while (received < sent && now() < deadline) await sleep(5);
  const secs = (last - t0) / 1000;
  const c1 = proc(b.pid);
  for (const p of publishers) p.c.sock.destroy();
  sub.sock.destroy();
  return {
    msgPerS: Math.round(received / secs),
    lost: sent - received,
    brokerCpuPct: Math.round((100 * (c1.cpuS - c0.cpuS)) / secs),
  };
}

async function connectMqtt(url: string, id: string): Promise<MqttClient> {
  const c = mqtt.connect(url, {
    clientId: id,
    reconnectPeriod: 0,
    connectTimeout: 30_000,
    keepalive: 0,
  });
  await new Promise<void>((r, j) => {
    c.once('connect', () => r());
    c.once('error', j);
  });
  return c;
}

/** Round trips (publish → broker → same client) at a fixed rate. */
async function roundTrip(url: string, qos: 0 | 1, count: number, rate = 200) {
  const c = await connectMqtt(url, `rt-${qos}-${Math.random().toString(16).slice(2, 8)}`);
  const topic = `lab/rt/${c.options.clientId}`;
  await c.subscribeAsync(topic, { qos });
  const rtts: number[] = [];
  let got = 0;
  const done = new Promise<void>((r) =>
    c.on('message', (_t, p) => {
      if (got++ >= 50) rtts.push(now() - p.readDoubleBE(0));
      if (got === count) r();
    }),
  );
  let sent = 0;
  const timer = setInterval(() => {
    if (sent >= count) return clearInterval(timer);
    const b = Buffer.alloc(100);
    b.writeDoubleBE(now(), 0);
    c.publish(topic, b, { qos });
    sent++;
  }, 1000 / rate);
  await Promise.race([done, sleep((count / rate) * 1000 + 10_000)]);
  clearInterval(timer);
  c.end(true);
  return { p50: pct(rtts, 0.5), p99: pct(rtts, 0.99), got };
}

/** N clients connect (50 at a time) and each subscribes to its own topic. */
async function manyConnections(b: Broker, n: number) {
  const r0 = proc(b.pid);
  const clients: MqttClient[] = [];
  const url = `mqtt://${HOST}:${b.tcpPort}`;
  const t0 = now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 50 }, async () => {
      while (next < n) {
        const i = next++;
        const c = await connectMqtt(url, `conn-${i}`);
        await c.subscribeAsync(`lab/conn/${i}`);
        clients.push(c);
      }
    }),
  );
  const ms = now() - t0;
  await sleep(1000);
  const r1 = proc(b.pid);
  for (const c of clients) c.end(true);
  await sleep(500);
  return { ms: Math.round(ms), kibPerConn: Math.round(((r1.rssMiB - r0.rssMiB) * 1024) / n) };
}

/** Publishers at 2× the measured QoS 0 capacity, slow WebSocket watchers, then everyone leaves. */
async function overload(b: Broker, capacity: number) {
  const watchers = await Promise.all(
    Array.from({ length: 10 }, (_, i) => connectMqtt(b.wsUrl, `ov-w-${i}`)),
  );
  await Promise.all(watchers.map((w) => w.subscribeAsync('lab/ov/#')));
  const pubs = await Promise.all(Array.from({ length: 50 }, (_, i) => raw(b.tcpPort, `ov-p-${i}`)));
  const perTick = Math.max(1, Math.round((2 * capacity) / 10 / 100)); // every 10 ms
  const body = (p: number) =>
    pkt(0x30, Buffer.concat([s16(`lab/ov/${p}`), Buffer.alloc(100, 0x78)]));
  const t0 = now();
  let sent = 0;
  while (now() - t0 < 5000 * Q + 1000) {
    for (let k = 0; k < perTick; k++) {
      pubs[k % pubs.length]!.sock.write(body(k % pubs.length));
      sent++;
    }
    await sleep(10);
  }
  const rss = proc(b.pid).rssMiB;
  for (const p of pubs) p.sock.destroy();
  for (const w of watchers) w.stream.destroy();
  await sleep(2000);
  let after: string;
  if (b.alive()) {
    const r = await roundTrip(`mqtt://${HOST}:${b.tcpPort}`, 1, 60).catch(() => null);
    after = r && r.got === 60 ? 'serving' : 'not serving';
  } else after = 'CRASHED';
  return { offeredPerS: Math.round(sent / ((now() - t0) / 1000)), rssMiB: Math.round(rss), after };
}

const starters = [
  ['embedded', startEmbedded],
  ['mosquitto', startMosquitto],
] as const;
const results: Record<string, Record<string, string | number>> = {};
for (const [key, start] of starters) {
  if (opt.only && opt.only !== key) continue;
  const b = await start();
  const r: Record<string, string | number> = {};
  try {
    process.stderr.write(`${b.name}: fan-in…\n`);
    const f0 = await fanIn(b, 0, Math.round(200_000 * Q));
    const f1 = await fanIn(b, 1, Math.round(100_000 * Q));
    r['QoS 0 fan-in msg/s'] = f0.msgPerS;
    r['QoS 0 broker CPU %'] = f0.brokerCpuPct;
    r['QoS 1 fan-in msg/s'] = f1.msgPerS;
    r['QoS 1 broker CPU %'] = f1.brokerCpuPct;
    process.stderr.write(`${b.name}: round trips…\n`);
    for (const [label, url] of [
      ['TCP', `mqtt://${HOST}:${b.tcpPort}`],
      ['WS', b.wsUrl],
    ] as const) {
      for (const qos of [0, 1] as const) {
        const rt = await roundTrip(url, qos, Math.round(2000 * Q) + 100);
        r[`RTT ${label} QoS ${qos} p50 ms`] = rt.p50.toFixed(2);
        r[`RTT ${label} QoS ${qos} p99 ms`] = rt.p99.toFixed(2);
      }
    }
    process.stderr.write(`${b.name}: 1,000 connections…\n`);
    const m = await manyConnections(b, Math.round(1000 * Q));
    r['connect+subscribe all, ms'] = m.ms;
    r['RSS per connection, KiB'] = m.kibPerConn;
    process.stderr.write(`${b.name}: 2× overload, then mass disconnect…\n`);
    const o = await overload(b, f0.msgPerS);
    r['overload offered msg/s'] = o.offeredPerS;
    r['overload RSS MiB'] = o.rssMiB;
    r['after mass disconnect'] = o.after;
  } finally {
    await b.stop();
  }
  results[b.name] = r;
}

const names = Object.keys(results);
const rows = [...new Set(names.flatMap((n) => Object.keys(results[n]!)))];
const width = Math.max(...rows.map((r) => r.length)) + 2;
let out = `\nMQTT brokers on ${os.cpus().length} CPU(s), ${os.cpus()[0]?.model ?? ''}${opt.quick ? ' (quick)' : ''}\n`;
out += `${''.padEnd(width)}${names.map((n) => n.padStart(18)).join('')}${names.length === 2 ? '  ratio'.padStart(10) : ''}\n`;
for (const row of rows) {
  const vals = names.map((n) => results[n]![row] ?? '');
  const [a, b] = vals.map(Number);
  const ratio = names.length === 2 && a && b && Number.isFinite(a / b) ? (a / b).toFixed(2) : '';
  out += `${row.padEnd(width)}${vals.map((v) => String(v).padStart(18)).join('')}${ratio.padStart(10)}\n`;
}
out +=
  '\nratio = embedded / Mosquitto. Loopback only; the machine may be shared: compare within one run.\n';
process.stdout.write(out);
process.exit(0);
