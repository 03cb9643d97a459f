// `npm run bench -- fleet-health [--capacity 2000] [--seconds 20] [--quick]`
// Does the lab stay responsive with the fleet at its largest allowed setting? Starts the real
// server (`node server/cli.ts`, API only) with `--fleet-capacity`, sets the fleet to the cap in two
// shapes (capacity vehicles at 1 Hz; capacity/10 vehicles at 10 Hz), and times GET /api/health
// every 50 ms meanwhile. Target: p99 < 100 ms. Loopback only; every phase is bounded in time.
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import os from 'node:os';

const { values } = parseArgs({
  options: {
    capacity: { type: 'string', default: '2000' },
    seconds: { type: 'string', default: '20' },
    quick: { type: 'boolean', default: false },
  },
});
const CAPACITY = values.quick ? 200 : Math.max(10, Math.min(100_000, Number(values.capacity)));
const SECONDS = values.quick ? 3 : Math.max(1, Math.min(300, Number(values.seconds)));

const server = spawn(
  process.execPath,
  [
    'server/cli.ts',
    '--no-site',
    '--port',
    '0',
    '--mqtt-port',
    '0',
    '--host',
    '127.0.0.1',
    '--fleet-capacity',
    String(CAPACITY),
  ],
  { env: { ...process.env, LAB_FLEET: '0' }, stdio: ['ignore', 'pipe', 'inherit'] },
);
const base = await new Promise<string>((resolve, reject) => {
  let out = '';
  server.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    const m = /API\s+(http:\/\/\S+?)\/\s/.exec(out);
    if (m?.[1]) resolve(m[1].replace('localhost', '127.0.0.1'));
  });
  server.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
});

const fleet = async (body?: object): Promise<{ connected: number; slowdown?: number }> => {
  const res = await fetch(`${base}/api/fleet`, {
    method: body ? 'PATCH' : 'GET',
    ...(body
      ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }
      : {}),
  });
  if (!res.ok) throw new Error(`fleet ${res.status}: ${await res.text()}`);
  return (await res.json()) as { connected: number; slowdown?: number };
};

const pct = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

interface Row {
  phase: string;
  samples: number;
  p50: number;
  p99: number;
  max: number;
  slowdown: number;
  rss: string;
}

async function phase(vehicles: number, rateHz: number): Promise<Row> {
  await fleet({ vehicles, rateHz });
  const deadline = Date.now() + 120_000;
  while ((await fleet()).connected < vehicles && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 500));
  }
  const times: number[] = [];
  const end = Date.now() + SECONDS * 1000;
  while (Date.now() < end) {
    const t0 = performance.now();
    const res = await fetch(`${base}/api/health`);
    await res.json();
    times.push(performance.now() - t0);
    await new Promise((r) => setTimeout(r, 50));
  }
  const info = await fleet();
  const rss = Number(await readRss());
  times.sort((a, b) => a - b);
  return {
    phase: `${vehicles} vehicles × ${rateHz} Hz`,
    samples: times.length,
    p50: pct(times, 50),
    p99: pct(times, 99),
    max: times.at(-1) ?? NaN,
    slowdown: info.slowdown ?? 1,
    rss: `${Math.round(rss / 1024)} MiB`,
  };
}

async function readRss(): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  const status = await readFile(`/proc/${server.pid}/status`, 'utf8').catch(() => '');
  return /VmRSS:\s+(\d+)/.exec(status)?.[1] ?? '0';
}

const rows: Row[] = [];
try {
  rows.push(await phase(CAPACITY, 1));
  await fleet({ vehicles: 0 });
  rows.push(await phase(Math.floor(CAPACITY / 10), 10));
} finally {
  server.kill('SIGTERM');
}

const [load] = os.loadavg();
console.log(
  `Fleet at the cap (--fleet-capacity ${CAPACITY}), GET /api/health every 50 ms for ${SECONDS} s per phase`,
);
console.log(`machine: ${os.cpus().length} CPUs, load average ${load?.toFixed(1)} at the end\n`);
console.log(
  '| phase | samples | p50 ms | p99 ms | max ms | slowdown | server RSS | target p99 < 100 ms |',
);
console.log(
  '| ----- | ------- | ------ | ------ | ------ | -------- | ---------- | ------------------- |',
);
for (const r of rows) {
  console.log(
    `| ${r.phase} | ${r.samples} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.max.toFixed(1)} | ${r.slowdown} | ${r.rss} | ${r.p99 < 100 ? 'met' : 'NOT met'} |`,
  );
}
