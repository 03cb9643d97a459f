// `npm run bench -- http [--clients 1000] [--seconds 15] [--rate 10]`
// 1,000 SSE clients, then 1,000 long-poll clients, receiving the ticker at 10 events/s over
// loopback: delivery delay p50/p99 and the server's CPU and RSS (the server runs in a child
// process). Then 1,000 short-polling clients at a 1 s interval: requests/s and bytes/s.
// Loopback only; every phase is bounded in time.
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { summarize } from '../src/lib/measure/delay.ts';
import type { ClientStats, EventsResponse, TickerEvent } from '../src/lib/wire/http-demos.ts';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '15' },
    rate: { type: 'string', default: '10' },
  },
});
const CLIENTS = Number(values.clients);
const SECONDS = Number(values.seconds);
const RATE = Number(values.rate);
const WARMUP_MS = 2000;

const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });

interface Usage {
  cpu: NodeJS.CpuUsage;
  rss: number;
  at: number;
  gauges: Record<string, number>;
}

class ServerChild {
  readonly child: ChildProcess;
  port = 0;
  #waiters: ((u: Usage) => void)[] = [];

  constructor() {
    this.child = fork(new URL('./_http-server.ts', import.meta.url), [], {
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    this.child.on('message', (m: { type: string } & Partial<Usage>) => {
      if (m.type === 'usage') this.#waiters.shift()?.(m as Usage);
    });
  }

  async ready(): Promise<void> {
    this.port = await new Promise<number>((resolve, reject) => {
      this.child.once('error', reject);
      this.child.on('message', (m: { type: string; port?: number }) => {
        if (m.type === 'ready') resolve(m.port ?? 0);
      });
    });
  }

  usage(): Promise<Usage> {
    return new Promise((resolve) => {
      this.#waiters.push(resolve);
      this.child.send({ type: 'usage' });
    });
  }

  async stop(): Promise<void> {
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.send({ type: 'stop' });
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
}

function request(
  port: number,
  method: string,
  path: string,
  body?: string,
  cookie?: string,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        agent,
        headers: {
          ...(body ? { 'Content-Type': 'application/json' } : {}),
          ...(cookie ? { cookie } : {}),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Delays recorded inside the measuring window only. */
class Recorder {
  delays: number[] = [];
  events = 0;
  windowStart = Infinity;
  windowEnd = Infinity;
  record(ev: Pick<TickerEvent, 'ts'>, at: number): void {
    if (ev.ts < this.windowStart || ev.ts > this.windowEnd) return;
    this.events++;
    this.delays.push(at - ev.ts);
  }
}

async function inBatches(n: number, batch: number, fn: (i: number) => Promise<void>) {
  for (let i = 0; i < n; i += batch) {
    await Promise.all(Array.from({ length: Math.min(batch, n - i) }, (_, k) => fn(i + k)));
  }
}

// Every simulated client is its own browser (the lab caps streams per browser and per address;
// the bench's lab raises the per-address share, since all its clients come from 127.0.0.1).
const visitorCookie = (id: string): string =>
  `lab_vid=${id
    .replace(/[^A-Za-z0-9_-]/g, '_')
    .padStart(22, '0')
    .slice(-22)}`;

function sseClient(port: number, id: string, rec: Recorder): Promise<http.ClientRequest> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      {
        host: '127.0.0.1',
        port,
        path: `/api/sse?clientId=${id}`,
        agent: false,
        headers: { cookie: visitorCookie(id) },
      },
      (res) => {
        if (res.statusCode !== 200) {
          reject(new Error(`sse ${res.statusCode}`));
          return;
        }
        res.setEncoding('utf8');
        let buf = '';
        res.on('data', (chunk: string) => {
          const at = Date.now();
          buf += chunk;
          let end;
          while ((end = buf.indexOf('\n\n')) >= 0) {
            const block = buf.slice(0, end);
            buf = buf.slice(end + 2);
            if (!block.startsWith('event: reading') && !block.startsWith('event: log')) continue;
            // Only the timestamp is needed: a regex is far cheaper than JSON.parse for 10,000
            // events a second, and keeps the clients from being the bottleneck being measured.
            const ts = /"ts":(\d+)/.exec(block)?.[1];
            if (ts) rec.record({ ts: Number(ts) }, at);
          }
        });
        res.on('error', () => {});
        resolve(req);
      },
    );
    req.on('error', () => {});
  });
}

function longPollClient(port: number, id: string, rec: Recorder, stop: { done: boolean }) {
  let cursor = 0;
  let cycles = 0;
  const loop = async (): Promise<void> => {
    while (!stop.done) {
      try {
        const res = await request(
          port,
          'GET',
          `/api/long-poll?after=${cursor}&clientId=${id}`,
          undefined,
          visitorCookie(id),
        );
        const at = Date.now();
        cycles++;
        if (res.status !== 200) continue;
        const body = JSON.parse(res.text) as EventsResponse;
        for (const ev of body.events) rec.record(ev, at);
        cursor = body.events.at(-1)?.seq ?? body.latest;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  };
  return { loop, cycles: () => cycles };
}

interface Row {
  phase: string;
  clients: number;
  events: number;
  p50: number;
  p99: number;
  max: number;
  cpu: number;
  clientCpu: number;
  rss: number;
  extra: string;
}

const fmt = (n: number, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : '–');
const mib = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MiB`;

async function sumStats(
  port: number,
  prefix: string,
  n: number,
  kind: keyof Omit<ClientStats, 'clientId'>,
) {
  let bytesIn = 0;
  let bytesOut = 0;
  let requests = 0;
  await inBatches(n, 100, async (i) => {
    const s = JSON.parse(
      (await request(port, 'GET', `/api/http-stats?clientId=${prefix}${i}`)).text,
    ) as ClientStats;
    bytesIn += s[kind].bytesIn;
    bytesOut += s[kind].bytesOut;
    requests += s[kind].requests;
  });
  return { bytesIn, bytesOut, requests };
}

async function measure(server: ServerChild, fn: () => Promise<void>) {
  const u0 = await server.usage();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const u1 = await server.usage();
  const c1 = process.cpuUsage(c0);
  const wallUs = (performance.now() - t0) * 1000;
  const cpuUs = u1.cpu.user - u0.cpu.user + (u1.cpu.system - u0.cpu.system);
  return {
    cpuPct: (100 * cpuUs) / wallUs,
    clientCpuPct: (100 * (c1.user + c1.system)) / wallUs,
    rss: u1.rss,
    gauges: u1.gauges,
  };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The soft limit on open files: each client needs one socket here and one in the server. */
function fileLimit(): number {
  try {
    return Number(execFileSync('/bin/sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim());
  } catch {
    return NaN;
  }
}

async function main(): Promise<void> {
  const limit = fileLimit();
  if (Number.isFinite(limit) && limit < CLIENTS + 200) {
    process.stderr.write(
      `ulimit -n is ${limit}, too low for ${CLIENTS} clients; raise it (ulimit -n ${CLIENTS * 2 + 200}) or pass --clients ${Math.max(10, limit - 200)}\n`,
    );
    process.exit(2);
  }
  process.stdout.write(
    `HTTP demos benchmark: ${CLIENTS} clients per phase, ${RATE} events/s, ${SECONDS} s measured per phase, loopback\n` +
      `machine: ${os.cpus().length} CPUs, load average ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')} at start (shared machines distort every figure below)\n`,
  );
  const server = new ServerChild();
  // A hard stop, whatever happens: a benchmark must never run on unattended.
  const watchdog = setTimeout(
    () => {
      process.stderr.write('benchmark took too long; stopping\n');
      server.child.kill('SIGKILL');
      process.exit(1);
    },
    (3 * (SECONDS + 40) + 60) * 1000,
  );
  watchdog.unref();
  await server.ready();
  const port = server.port;
  await request(port, 'POST', '/api/ticker', JSON.stringify({ rate: RATE }));
  const rows: Row[] = [];
  const idle = await server.usage();

  // Phase 1: SSE.
  {
    const rec = new Recorder();
    const reqs: http.ClientRequest[] = [];
    await inBatches(CLIENTS, 100, async (i) => {
      reqs.push(await sseClient(port, `s${i}`, rec));
    });
    await sleep(WARMUP_MS);
    rec.windowStart = Date.now();
    rec.windowEnd = rec.windowStart + SECONDS * 1000;
    const m = await measure(server, () => sleep(SECONDS * 1000));
    await sleep(500);
    for (const r of reqs) r.destroy();
    const s = summarize(rec.delays);
    const expected = CLIENTS * RATE * SECONDS;
    rows.push({
      phase: 'SSE',
      clients: CLIENTS,
      events: rec.events,
      p50: s.p50,
      p99: s.p99,
      max: s.max,
      cpu: m.cpuPct,
      clientCpu: m.clientCpuPct,
      rss: m.rss,
      extra: `delivered ${fmt((100 * rec.events) / expected, 1)} % of ~${expected}; gauge sse=${m.gauges['sse']}`,
    });
    await sleep(1000);
  }

  // Phase 2: long polling.
  {
    const rec = new Recorder();
    const stop = { done: false };
    const clients = Array.from({ length: CLIENTS }, (_, i) =>
      longPollClient(port, `l${i}`, rec, stop),
    );
    const loops: Promise<void>[] = [];
    for (let i = 0; i < CLIENTS; i += 100) {
      for (const c of clients.slice(i, i + 100)) loops.push(c.loop());
      await sleep(50);
    }
    await sleep(WARMUP_MS);
    rec.windowStart = Date.now();
    rec.windowEnd = rec.windowStart + SECONDS * 1000;
    const cycles0 = clients.reduce((a, c) => a + c.cycles(), 0);
    const m = await measure(server, () => sleep(SECONDS * 1000));
    const cycles = clients.reduce((a, c) => a + c.cycles(), 0) - cycles0;
    stop.done = true;
    await Promise.race([Promise.all(loops), sleep(3000)]);
    const s = summarize(rec.delays);
    const expected = CLIENTS * RATE * SECONDS;
    rows.push({
      phase: 'long poll',
      clients: CLIENTS,
      events: rec.events,
      p50: s.p50,
      p99: s.p99,
      max: s.max,
      cpu: m.cpuPct,
      clientCpu: m.clientCpuPct,
      rss: m.rss,
      extra: `delivered ${fmt((100 * rec.events) / expected, 1)} %; ${fmt(cycles / SECONDS, 0)} req/s; ${fmt(rec.events / Math.max(1, cycles), 2)} events/response`,
    });
    await sleep(1000);
  }

  // Phase 3: short polling at 1 s.
  let pollLine: string;
  {
    const rec = new Recorder();
    let stop = false;
    let requests = 0;
    let empty = 0;
    const loops = Array.from({ length: CLIENTS }, async (_, i) => {
      let cursor = 0;
      // Spread the clients over the first second, as independent browsers would be.
      await sleep((i / CLIENTS) * 1000);
      while (!stop) {
        const started = Date.now();
        try {
          const res = await request(port, 'GET', `/api/poll?after=${cursor}&clientId=p${i}`);
          const at = Date.now();
          const body = JSON.parse(res.text) as EventsResponse;
          if (rec.windowStart <= at && at <= rec.windowEnd) {
            requests++;
            if (body.events.length === 0) empty++;
          }
          for (const ev of body.events) rec.record(ev, at);
          cursor = body.events.at(-1)?.seq ?? body.latest;
        } catch {
          // counted as nothing
        }
        await sleep(Math.max(0, 1000 - (Date.now() - started)));
      }
    });
    await sleep(WARMUP_MS);
    const before = await sumStats(port, 'p', CLIENTS, 'poll');
    rec.windowStart = Date.now();
    rec.windowEnd = rec.windowStart + SECONDS * 1000;
    const m = await measure(server, () => sleep(SECONDS * 1000));
    const after = await sumStats(port, 'p', CLIENTS, 'poll');
    stop = true;
    await Promise.race([Promise.all(loops), sleep(3000)]);
    const s = summarize(rec.delays);
    const secs = SECONDS;
    const reqRate = (after.requests - before.requests) / secs;
    const inRate = (after.bytesIn - before.bytesIn) / secs;
    const outRate = (after.bytesOut - before.bytesOut) / secs;
    rows.push({
      phase: 'short poll 1 s',
      clients: CLIENTS,
      events: rec.events,
      p50: s.p50,
      p99: s.p99,
      max: s.max,
      cpu: m.cpuPct,
      clientCpu: m.clientCpuPct,
      rss: m.rss,
      extra: `${fmt(reqRate, 0)} req/s; empty ${fmt((100 * empty) / Math.max(1, requests), 0)} %`,
    });
    pollLine =
      `short polling, ${CLIENTS} clients at 1 s: ${fmt(reqRate, 0)} requests/s, ` +
      `${fmt(inRate / 1024, 1)} KiB/s up + ${fmt(outRate / 1024, 1)} KiB/s down ` +
      `(${fmt((inRate + outRate) / Math.max(1, reqRate), 0)} B per request, headers included, counted by the server's sockets)`;
  }

  await server.stop();
  agent.destroy();

  const header = [
    'phase',
    'clients',
    'events',
    'p50 ms',
    'p99 ms',
    'max ms',
    'server CPU',
    'server RSS',
    'client CPU',
    'notes',
  ];
  const table = rows.map((r) => [
    r.phase,
    String(r.clients),
    String(r.events),
    fmt(r.p50),
    fmt(r.p99),
    fmt(r.max),
    `${fmt(r.cpu, 0)} %`,
    mib(r.rss),
    `${fmt(r.clientCpu, 0)} %`,
    r.extra,
  ]);
  const widths = header.map((h, i) =>
    Math.max(h.length, ...table.map((row) => (row[i] ?? '').length)),
  );
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
  process.stdout.write(`\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
  for (const row of table) process.stdout.write(`${line(row)}\n`);
  process.stdout.write(`\nserver RSS when idle: ${mib(idle.rss)}\n${pollLine}\n`);
  const sse = rows[0];
  const lp = rows[1];
  if (sse && lp) {
    process.stdout.write(
      `ratios long poll / SSE: p50 ${fmt(lp.p50 / sse.p50, 2)}×, p99 ${fmt(lp.p99 / sse.p99, 2)}×, CPU ${fmt(lp.cpu / sse.cpu, 2)}×\n`,
    );
    process.stdout.write(
      `target: SSE ${CLIENTS} clients × ${RATE} events/s with p99 < 75 ms: ${sse.p99 < 75 ? 'met' : 'NOT met'} (p99 ${fmt(sse.p99)} ms)\n`,
    );
  }
  process.stdout.write(
    'Delay = client receipt time − event timestamp, both on this machine’s clock (1 ms resolution).\n',
  );
}

await main();
