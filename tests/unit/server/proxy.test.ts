// The reverse-proxy configurations the security chapter ships (deploy/nginx, deploy/caddy), run
// for real: the lab on loopback, nginx and Caddy in front of it as child processes, and every
// demo's transport sent through each proxy. Skipped, with a message, where a binary is missing.
import { spawn, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer, request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EventSource } from 'eventsource';
import mqtt, { type IClientOptions } from 'mqtt';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '../../../server/app.ts';
import { HEARTBEAT_MS } from '../../../server/chat/index.ts';
import { HTTP_DEMO_DEFAULTS } from '../../../server/http-demos/index.ts';
import { LONG_POLL_TIMEOUT_MAX_S } from '../../../src/lib/wire/http-demos.ts';
import { startTestLab, waitFor } from '../../helpers/lab.ts';
import { startTestRedis, type TestRedis } from '../../helpers/redis.ts';
import { RaceRun, type RunnerEnv } from '../../../src/lib/race/runner.ts';
import type { EventSourceLike, WebSocketLike } from '../../../src/lib/race/lanes.ts';
import { BROWSER_LANES, RACE_LONG_POLL_HOLD_S, type Scenario } from '../../../src/lib/wire/race.ts';
import { nodeRaceEnv } from '../../../scripts/race/env.ts';

const repo = new URL('../../../', import.meta.url);
const NGINX_CONF = readFileSync(new URL('deploy/nginx/realtime-lab.conf', repo), 'utf8');
const CADDYFILE = readFileSync(new URL('deploy/caddy/Caddyfile', repo), 'utf8');
const NGINX = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => existsSync(p));
const CADDY = ['/usr/bin/caddy', '/usr/local/bin/caddy'].find((p) => existsSync(p));
const REDIS = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((p) => existsSync(p));
const SITE_MARKER = 'realtime-lab-proxy-test-page';

/** A free loopback port (the kernel picks it; the proxy binds it a moment later). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  await new Promise<void>((r) => server.close(() => r()));
  if (typeof address !== 'object' || !address) throw new Error('no port');
  return address.port;
}

/** The shipped nginx file for a test: its HTTPS server on a loopback port, without TLS. */
export function nginxForTest(
  conf: string,
  labPorts: number | readonly number[],
  port: number,
  dir: string,
): string {
  // Both upstream blocks (round robin and the race's hash) list every instance.
  const servers = [labPorts]
    .flat()
    .map((p) => `server 127.0.0.1:${p};`)
    .join('\n    ');
  const site = conf
    .replaceAll('server 127.0.0.1:4321;', servers)
    // the port-80 redirect server is left out; the TLS server listens in clear on loopback
    .replace(/server \{\s*listen 80;[^}]*\}\n/, '')
    .replace(
      / {4}listen 443 ssl http2;\n {4}listen \[::\]:443 ssl http2;\n/,
      `    listen 127.0.0.1:${port};\n`,
    )
    .replace(/^ {4}ssl_.*\n/gm, '');
  if (site.includes('ssl') || site.includes(':4321') || !site.includes(`:${port};`)) {
    throw new Error('deploy/nginx/realtime-lab.conf changed shape; update nginxForTest()');
  }
  // Everything nginx writes goes to the temporary directory, so it runs without root.
  const tmp = (name: string) => path.join(dir, name);
  return `pid ${tmp('nginx.pid')};
error_log ${tmp('error.log')} warn;
worker_processes 1;
events { worker_connections 256; }
http {
  access_log ${tmp('access.log')};
  client_body_temp_path ${tmp('body')};
  proxy_temp_path ${tmp('proxy')};
  fastcgi_temp_path ${tmp('fastcgi')};
  uwsgi_temp_path ${tmp('uwsgi')};
  scgi_temp_path ${tmp('scgi')};
  # what Debian's own nginx.conf turns on: the SSE location must switch it off again
  gzip on;
  gzip_min_length 1;
  gzip_types text/event-stream application/json;
${site}
}
`;
}

/** The shipped Caddyfile for a test: HTTP only on a loopback port, no admin endpoint. */
export function caddyForTest(
  file: string,
  labPorts: number | readonly number[],
  port: number,
): string {
  // Every reverse_proxy gets every instance.
  const upstreams = [labPorts]
    .flat()
    .map((p) => `127.0.0.1:${p}`)
    .join(' ');
  const site = file
    .replace(/^lab\.example\.com \{/m, `http://127.0.0.1:${port} {`)
    .replaceAll('127.0.0.1:4321', upstreams);
  if (site.includes(':4321') || !site.includes(`http://127.0.0.1:${port}`)) {
    throw new Error('deploy/caddy/Caddyfile changed shape; update caddyForTest()');
  }
  // grace_period: on stop, Caddy would otherwise wait for idle keep-alive clients (~15 s).
  return `{\n\tadmin off\n\tauto_https off\n\tgrace_period 200ms\n}\n\n${site}`;
}

interface Proxy {
  name: string;
  port: number;
  child: ChildProcess;
  output: () => string;
}

/** Starts a proxy as an unprivileged child (nobody when the test runs as root). */
async function startProxy(
  name: string,
  cmd: string,
  args: string[],
  dir: string,
  port: number,
): Promise<Proxy> {
  const asRoot = process.getuid?.() === 0;
  if (asRoot) chmodSync(dir, 0o777);
  const child = spawn(cmd, args, {
    cwd: dir,
    env: { PATH: process.env['PATH'] ?? '', HOME: dir, XDG_DATA_HOME: dir, XDG_CONFIG_HOME: dir },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const proxy = { name, port, child, output: () => out };
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`${name} exited: ${out}`);
      return fetch(`http://127.0.0.1:${port}/api/health`)
        .then((r) => r.ok)
        .catch(() => false);
    },
    `${name} to answer on ${port}`,
    8000,
  );
  return proxy;
}

async function stopProxy(p: Proxy | undefined): Promise<void> {
  if (!p || p.child.exitCode !== null) return;
  const exited = new Promise((r) => p.child.once('exit', r));
  p.child.kill('SIGTERM');
  await exited;
}

/** The status of a WebSocket handshake to `url` with these headers (101 when it opened). */
function upgradeStatus(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => {
      ws.terminate();
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('error', reject);
  });
}

/** Reads an SSE stream through `base`; resolves each time `text` has appeared. */
function openStream(base: string, clientId: string) {
  let text = '';
  let headers: Record<string, string | string[] | undefined> = {};
  const req = request(`${base}/api/sse?clientId=${clientId}`, {
    headers: { Accept: 'text/event-stream', 'Accept-Encoding': 'gzip, br' },
  });
  const opened = new Promise<void>((resolve, reject) => {
    req.once('response', (res) => {
      headers = res.headers;
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      resolve();
    });
    req.once('error', reject);
  });
  req.end();
  return {
    opened,
    headers: () => headers,
    text: () => text,
    close: () => req.destroy(),
  };
}

/** How to start a proxy in front of these lab ports: the command and its arguments. */
type Launch = (
  labPorts: number | readonly number[],
  port: number,
  dir: string,
) => [string, string[]];

function defineProxySuite(name: string, binary: string | undefined, launch: Launch): void {
  describe.skipIf(!binary)(`the shipped ${name} configuration, with the lab behind it`, () => {
    let lab: Lab;
    let proxy: Proxy | undefined;
    let dir: string;
    let base: string;

    beforeAll(async () => {
      dir = mkdtempSync(path.join(tmpdir(), `lab-${name}-`));
      const dist = path.join(dir, 'dist');
      const page = `<!doctype html><title>lab</title><p>${SITE_MARKER}</p>`;
      // The site needs a dist folder: one page is enough to show HTML crossing the proxy.
      mkdirSync(dist);
      writeFileSync(path.join(dist, 'index.html'), page);
      lab = await startTestLab({ site: true, distDir: dist });
      const port = await freePort();
      const [cmd, args] = launch(lab.port, port, dir);
      proxy = await startProxy(name, cmd, args, dir, port);
      base = `http://127.0.0.1:${port}`;
    });

    afterAll(async () => {
      await stopProxy(proxy);
      await lab?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('serves the site’s HTML and the JSON API (short polling)', async () => {
      const html = await fetch(`${base}/`);
      expect(html.status).toBe(200);
      expect(html.headers.get('content-type')).toMatch(/text\/html/);
      expect(await html.text()).toContain(SITE_MARKER);
      const poll = await fetch(`${base}/api/poll?after=0&clientId=sp`);
      expect(poll.status).toBe(200);
      const body = (await poll.json()) as { latest: number; events: unknown[] };
      expect(typeof body.latest).toBe('number');
    });

    it('holds long-polls open: an empty 204 after the hold time, and an event answered at once', async () => {
      // A quiet ticker (setRate: the next tick is 5 s away), so only our own event answers.
      const quiet = await fetch(`http://127.0.0.1:${lab.port}/api/ticker`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ rate: 0.2 }),
      });
      expect(quiet.status).toBe(200);
      const { latest } = (await quiet.json()) as { latest: number };
      const t0 = performance.now();
      const empty = fetch(`${base}/api/long-poll?after=${latest}&timeout=1&clientId=lp1`);
      const held = fetch(`${base}/api/long-poll?after=${latest}&clientId=lp2`);
      const emptyRes = await empty;
      expect(emptyRes.status).toBe(204);
      expect(performance.now() - t0).toBeGreaterThanOrEqual(950);
      // Held past a second by now; one event through the proxy answers it.
      const emit = await fetch(`${base}/api/ticker/emit?clientId=lp3`, { method: 'POST' });
      expect(emit.status).toBe(200);
      const heldRes = await held;
      expect(heldRes.status).toBe(200);
      const body = (await heldRes.json()) as { events: { seq: number; source: string }[] };
      expect(body.events.map((e) => e.source)).toEqual(['manual']);
      expect(performance.now() - t0).toBeLessThan(4000);
    });

    it('streams SSE unbuffered and uncompressed: each event arrives as it is written', async () => {
      const stream = openStream(base, 'sse1');
      await stream.opened;
      expect(stream.headers()['content-type']).toMatch(/^text\/event-stream/);
      expect(stream.headers()['content-encoding']).toBeUndefined();
      // The hello event is a few hundred bytes, far below any proxy buffer: it arrives only if
      // nothing holds bytes back.
      await waitFor(() => stream.text().includes('event: hello'), 'the hello event', 1500);
      const emitted = await fetch(`${base}/api/ticker/emit?clientId=sse2`, { method: 'POST' });
      const { event } = (await emitted.json()) as { event: { seq: number } };
      const sent = performance.now();
      await waitFor(() => stream.text().includes(`id: ${event.seq}\n`), 'the new event', 1500);
      expect(performance.now() - sent).toBeLessThan(1000);
      stream.close();
    });

    it('upgrades the chat’s WebSocket and still refuses a foreign Origin with 403', async () => {
      const url = `ws://127.0.0.1:${proxy?.port ?? 0}/ws/chat`;
      // The page's own origin is the proxy's address: the Host header must reach the lab intact.
      expect(await upgradeStatus(url, { Origin: base })).toBe(101);
      expect(await upgradeStatus(url, { Origin: 'https://evil.example' })).toBe(403);
      const ws = new WebSocket(url, { headers: { Origin: base } });
      const welcome = await new Promise<{ type: string }>((resolve, reject) => {
        ws.once('message', (d) =>
          resolve(JSON.parse((d as Buffer).toString()) as { type: string }),
        );
        ws.once('error', reject);
      });
      expect(welcome.type).toBe('welcome');
      ws.terminate();
    });

    it('carries MQTT over WebSocket on /mqtt: subscribe, publish, receive; the ACL still refuses #', async () => {
      const client = await mqtt.connectAsync(`ws://127.0.0.1:${proxy?.port ?? 0}/mqtt`, {
        reconnectPeriod: 0,
        connectTimeout: 3000,
      });
      try {
        const topic = `lab/proxy-${name}/t`;
        const granted = await client.subscribeAsync(topic, { qos: 1 });
        expect(granted.map((g) => g.qos)).toEqual([1]);
        // An anonymous client may not open the firehose: SUBACK 0x80 [MQTT-3.9.3-2].
        await expect(client.subscribeAsync('#')).rejects.toMatchObject({
          packet: { granted: [128] },
        });
        const got = new Promise<string>((resolve) =>
          client.once('message', (_t, payload) => resolve(payload.toString())),
        );
        await client.publishAsync(topic, 'through the proxy', { qos: 1 });
        expect(await got).toBe('through the proxy');
      } finally {
        await client.endAsync(true);
      }
    });
  });
}

const skipNote = (what: string, pkg: string) =>
  console.warn(`proxy.test.ts: ${what} not found; skipping its tests (apt-get install ${pkg})`);
if (!NGINX) skipNote('nginx', 'nginx');
if (!CADDY) skipNote('caddy', 'caddy');
if (!REDIS) skipNote('redis-server', 'redis-server');

const launchNginx: Launch = (labPorts, port, dir) => {
  const file = path.join(dir, 'nginx.conf');
  writeFileSync(file, nginxForTest(NGINX_CONF, labPorts, port, dir));
  return [
    NGINX ?? 'nginx',
    ['-e', path.join(dir, 'error.log'), '-p', dir, '-c', file, '-g', 'daemon off;'],
  ];
};

const launchCaddy: Launch = (labPorts, port, dir) => {
  const file = path.join(dir, 'Caddyfile');
  writeFileSync(file, caddyForTest(CADDYFILE, labPorts, port));
  return [CADDY ?? 'caddy', ['run', '--config', file, '--adapter', 'caddyfile']];
};

defineProxySuite('nginx', NGINX, launchNginx);
defineProxySuite('caddy', CADDY, launchCaddy);

/** The race's surroundings in Node, sending this cookie with every request as a browser does. */
function cookieRaceEnv(base: string, cookie: string): RunnerEnv {
  const env = nodeRaceEnv(base);
  env.fetch = (url, init) => fetch(url, { ...init, headers: { cookie } });
  env.request = (url, init) => fetch(url, { ...init, headers: { ...init?.headers, cookie } });
  env.webSocket = (url) => new WebSocket(url, { headers: { cookie } }) as unknown as WebSocketLike;
  env.eventSource = (url) =>
    new EventSource(url, {
      fetch: (u, init) => fetch(u, { ...init, headers: { ...init.headers, cookie } }),
    }) as unknown as EventSourceLike;
  env.mqtt = () =>
    Promise.resolve((url: string, opts: IClientOptions) =>
      mqtt.connect(url, { ...opts, wsOptions: { headers: { cookie } } }),
    );
  return env;
}

// A race lives in the instance that created it: behind a balancer over several instances, the
// shipped files must send all of one visitor's race requests to one instance (by lab_vid). Both
// proxies stand in front of the same two instances and run their races side by side.
describe.skipIf(!REDIS || !(NGINX || CADDY))('the shipped files, two instances on Redis', () => {
  const launchers: [string, string | undefined, Launch][] = [
    ['nginx', NGINX, launchNginx],
    ['caddy', CADDY, launchCaddy],
  ];
  let redis: TestRedis | undefined;
  let labs: Lab[] = [];
  const proxies = new Map<string, Proxy>();
  let dir: string;
  const dirs: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'lab-pair-'));
    dirs.push(dir);
    const dist = path.join(dir, 'dist');
    mkdirSync(dist);
    writeFileSync(path.join(dist, 'index.html'), `<!doctype html><p>${SITE_MARKER}</p>`);
    redis = await startTestRedis();
    const url = redis.url;
    labs = await Promise.all(
      [0, 1].map(() =>
        startTestLab({
          redisUrl: url,
          site: true,
          distDir: dist,
          fleet: { vehicles: 0, rateHz: 1 },
        }),
      ),
    );
    for (const [name, binary, launch] of launchers) {
      if (!binary) continue;
      // A folder of its own (startProxy opens it to the unprivileged user when run as root).
      const own = mkdtempSync(path.join(tmpdir(), `lab-pair-${name}-`));
      dirs.push(own);
      const port = await freePort();
      const [cmd, args] = launch(
        labs.map((l) => l.port),
        port,
        own,
      );
      proxies.set(name, await startProxy(name, cmd, args, own, port));
    }
  });

  afterAll(async () => {
    await Promise.all([...proxies.values()].map(stopProxy));
    await Promise.all(labs.map((l) => l.close()));
    await redis?.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  for (const [name, binary] of launchers) {
    (binary ? it.concurrent : it.skip)(
      `${name}: a race runs on every lane through the balancer; other visitors are spread`,
      async () => {
        const base = `http://127.0.0.1:${proxies.get(name)?.port ?? 0}`;
        // The page hands out lab_vid, so the browser has it before its first race request.
        const page = await fetch(`${base}/`);
        expect(await page.text()).toContain(SITE_MARKER);
        const set = page.headers.get('set-cookie') ?? '';
        const visitor = /lab_vid=[A-Za-z0-9_-]{22}/.exec(set)?.[0] ?? '';
        expect(visitor).not.toBe('');

        // The shortest race the lab accepts: 5 s, 10 messages.
        const scenario: Scenario = { rate: 2, size: 32, durationS: 5, pollIntervalS: 0.5 };
        const run = new RaceRun(cookieRaceEnv(base, visitor), scenario);
        const created = await run.open(BROWSER_LANES);
        expect(created.lanes).toEqual(expect.arrayContaining([...BROWSER_LANES]));

        // Every request of this visitor finds the race; of 16 other visitors, some land on the
        // other instance, which does not know it (404): the rest is still spread.
        const status = (c: string) =>
          fetch(`${base}/api/race/${created.id}`, { headers: { cookie: c } }).then((r) => {
            void r.body?.cancel();
            return r.status;
          });
        for (let i = 0; i < 4; i++) expect(await status(visitor)).toBe(200);
        const others = await Promise.all(
          Array.from({ length: 16 }, (_, i) => status(`lab_vid=${`other-${i}`.padEnd(22, 'x')}`)),
        );
        expect(new Set(others)).toEqual(new Set([200, 404]));
        // Without the cookie nginx goes round robin; Caddy's header then holds the placeholder's
        // text, the same for every such request, so Caddy sends them all to one instance.
        const cookieless = await Promise.all(Array.from({ length: 16 }, () => status('')));
        expect(new Set(cookieless).size).toBe(name === 'nginx' ? 2 : 1);

        const result = await run.run();
        expect(result.total).toBe(10);
        expect(result.lanes.map((l) => [l.lane, l.figures.received, l.figures.duplicates])).toEqual(
          BROWSER_LANES.map((l) => [l, 10, 0]),
        );
      },
    );
  }
});

describe('the shipped timeouts outlast what the lab holds open', () => {
  const seconds = (location: string): number => {
    const block = new RegExp(`location ${location} \\{([^}]*)\\}`).exec(NGINX_CONF)?.[1] ?? '';
    const m = /proxy_read_timeout (\d+)s;/.exec(block);
    return m ? Number(m[1]) : 60; // nginx's default
  };

  it('nginx: long-poll > the longest hold, SSE > the heartbeat, the chat > its ping period', () => {
    expect(seconds('= /api/long-poll')).toBeGreaterThan(LONG_POLL_TIMEOUT_MAX_S);
    expect(seconds('= /api/sse')).toBeGreaterThan(HTTP_DEMO_DEFAULTS.heartbeatMs / 1000);
    expect(seconds('/ws/')).toBeGreaterThan(HEARTBEAT_MS / 1000);
    // mqtt.js' default keep-alive is 60 s, and the broker only answers the client's PINGREQ.
    expect(seconds('= /mqtt')).toBeGreaterThan(60);
  });

  it('nginx: SSE turns buffering and gzip off, the demo’s and the race’s lane alike', () => {
    for (const location of [
      /location = \/api\/sse \{([^}]*)\}/,
      /location \/api\/race \{([^}]*)\}/,
    ]) {
      const block = location.exec(NGINX_CONF)?.[1] ?? '';
      expect(block).toMatch(/proxy_buffering off;/);
      expect(block).toMatch(/gzip off;/);
    }
    expect(seconds('/api/race')).toBeGreaterThan(RACE_LONG_POLL_HOLD_S);
  });

  it('caddy: no `encode` directive that could compress the event stream', () => {
    const directives = CADDYFILE.split('\n').filter((l) => !l.trim().startsWith('#'));
    expect(directives.some((l) => /^\s*encode\b/.test(l))).toBe(false);
  });
});
