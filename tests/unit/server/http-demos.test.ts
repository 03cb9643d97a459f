import { afterEach, describe, expect, it } from 'vitest';
import net from 'node:net';
import http from 'node:http';
import Fastify, { type FastifyInstance } from 'fastify';
import { EventSource } from 'eventsource';
import {
  registerHttpDemos,
  type HttpDemos,
  type HttpDemoOptions,
} from '../../../server/http-demos/index.ts';
import { Gauges } from '../../../server/gauges.ts';
import { registerTrainer, TRAINER_DEFAULTS } from '../../../server/workshop/trainer.ts';
import { Visitors } from '../../../server/visitor.ts';
import type { ClientStats, EventsResponse, TickerEvent } from '../../../src/lib/wire/http-demos.ts';
import { startTestLab, waitFor } from '../../helpers/lab.ts';

interface Harness {
  app: FastifyInstance;
  demos: HttpDemos;
  base: string;
  port: number;
}

const open: Harness[] = [];

/** The HTTP demos alone on a free loopback port, with the ticker driven by hand. */
async function start(
  opts: Partial<HttpDemoOptions> = {},
  who: { peoplePerAddress?: number; localTrainer?: boolean } = {},
): Promise<Harness> {
  const app = Fastify({ forceCloseConnections: true });
  const trainer = registerTrainer(app, {
    ...TRAINER_DEFAULTS,
    localTrainer: who.localTrainer ?? true,
  });
  const visitors = new Visitors(null, who.peoplePerAddress);
  visitors.register(app);
  const demos = registerHttpDemos(
    { app, gauges: new Gauges(), trainer, visitors },
    { autostart: false, ...opts },
  );
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const h = { app, demos, base: `http://127.0.0.1:${port}`, port };
  open.push(h);
  return h;
}

afterEach(async () => {
  for (const h of open.splice(0)) {
    await h.demos.close();
    await h.app.close();
  }
});

const streamsOpen: http.ClientRequest[] = [];
/** Opens a stream from `localAddress` with a browser cookie (22 chars) or none; its status. */
function openStream(
  port: number,
  path: string,
  vid: string | null,
  localAddress = '127.0.0.1',
): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      {
        host: '127.0.0.1',
        port,
        path,
        localAddress,
        agent: false,
        headers: vid ? { cookie: `lab_vid=${vid.padEnd(22, 'x')}` } : {},
      },
      (res) => {
        resolve(res.statusCode ?? 0);
        res.resume();
      },
    );
    req.on('error', reject);
    streamsOpen.push(req);
  });
}
function closeStreams(): void {
  for (const r of streamsOpen.splice(0)) r.destroy();
}

const emitN = (h: Harness, n: number) => {
  for (let i = 0; i < n; i++) h.demos.ticker.emit();
};
const allZero = (h: Harness) => Object.values(h.demos.internals()).every((v) => v === 0);

/** Sends raw HTTP/1.1 requests on one keep-alive socket; returns each response's exact bytes. */
async function rawExchange(port: number, requests: string[]): Promise<Buffer[]> {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise<void>((r) => socket.once('connect', () => r()));
  const responses: Buffer[] = [];
  let pending = Buffer.alloc(0);
  socket.on('data', (d: Buffer) => {
    pending = Buffer.concat([pending, d]);
  });
  for (const req of requests) {
    pending = Buffer.alloc(0);
    socket.write(req);
    await waitFor(() => {
      const text = pending.toString('latin1');
      const head = text.indexOf('\r\n\r\n');
      if (head < 0) return false;
      const len = /content-length: (\d+)/i.exec(text.slice(0, head));
      return pending.length >= head + 4 + Number(len?.[1] ?? 0);
    }, 'a raw response');
    responses.push(pending);
  }
  socket.destroy();
  return responses;
}

describe('GET /api/poll', () => {
  it('returns the events after the cursor, or an empty list', async () => {
    const h = await start();
    emitN(h, 3);
    const all = (await (await fetch(`${h.base}/api/poll?after=0`)).json()) as EventsResponse;
    expect(all.events.map((e) => e.seq)).toEqual([1, 2, 3]);
    const none = (await (await fetch(`${h.base}/api/poll?after=3`)).json()) as EventsResponse;
    expect(none).toEqual({ events: [], latest: 3, gone: 0, rewound: false });
  });

  it.each(['', '-1', '1.5', 'abc', '1e3'])('answers 400 naming "after" for after=%j', async (v) => {
    const h = await start();
    const res = await fetch(`${h.base}/api/poll?after=${encodeURIComponent(v)}`);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ statusCode: 400, field: 'after' });
  });

  it('answers 400 for a missing or repeated cursor and for a bad clientId', async () => {
    const h = await start();
    for (const q of ['', '?after=1&after=2']) {
      const res = await fetch(`${h.base}/api/poll${q}`);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ field: 'after' });
    }
    const res = await fetch(`${h.base}/api/poll?after=0&clientId=${encodeURIComponent('a b')}`);
    expect(await res.json()).toMatchObject({ statusCode: 400, field: 'clientId' });
  });

  it('reports the exact bytes of each request and response, also on a keep-alive socket', async () => {
    const h = await start();
    emitN(h, 2);
    const reqs = [
      'GET /api/poll?after=0&clientId=bytes HTTP/1.1\r\nHost: x\r\n\r\n',
      'GET /api/health HTTP/1.1\r\nHost: x\r\nX-Padding: aaaaaaaaaaaaaaaaaaaa\r\n\r\n',
      'GET /api/poll?after=1&clientId=bytes HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n',
    ];
    const responses = await rawExchange(h.port, reqs);
    const header = (buf: Buffer) =>
      Number(/x-lab-request-bytes: (\d+)/i.exec(buf.toString('latin1'))?.[1]);
    expect(header(responses[0] ?? Buffer.alloc(0))).toBe(Buffer.byteLength(reqs[0] ?? ''));
    // The /api/health request in between is not billed to the next poll.
    expect(header(responses[2] ?? Buffer.alloc(0))).toBe(Buffer.byteLength(reqs[2] ?? ''));
    await waitFor(() => h.demos.traffic.liveTotal === 0, 'requests to finish');
    const stats = (await (
      await fetch(`${h.base}/api/http-stats?clientId=bytes`)
    ).json()) as ClientStats;
    expect(stats.poll).toEqual({
      requests: 2,
      bytesIn: Buffer.byteLength((reqs[0] ?? '') + (reqs[2] ?? '')),
      bytesOut: (responses[0]?.length ?? 0) + (responses[2]?.length ?? 0),
    });
  });
});

describe('GET /api/long-poll', () => {
  it('returns within 50 ms of an event, with every event after the cursor', async () => {
    const h = await start();
    emitN(h, 1);
    const lags: number[] = [];
    for (let i = 0; i < 5; i++) {
      const cursor = h.demos.ticker.buffer.latest;
      const pending = fetch(`${h.base}/api/long-poll?after=${cursor}`).then(async (r) => ({
        at: performance.now(),
        body: (await r.json()) as EventsResponse,
      }));
      await waitFor(() => h.demos.internals().longPollWaiters === 1, 'the request to be held');
      const sentAt = performance.now();
      h.demos.ticker.emit();
      const { at, body } = await pending;
      lags.push(at - sentAt);
      expect(body.events.map((e) => e.seq)).toEqual([cursor + 1]);
    }
    lags.sort((a, b) => a - b);
    // The median of five, so one hiccup of a loaded machine does not decide.
    expect(lags[2]).toBeLessThan(50);
  });

  it('answers at once with several events when they are already there', async () => {
    const h = await start();
    emitN(h, 4);
    const body = (await (await fetch(`${h.base}/api/long-poll?after=1`)).json()) as EventsResponse;
    expect(body.events.map((e) => e.seq)).toEqual([2, 3, 4]);
  });

  it('answers 204 when nothing happens within the hold time', async () => {
    const h = await start();
    const t0 = Date.now();
    const res = await fetch(`${h.base}/api/long-poll?after=0&timeout=1`);
    expect(res.status).toBe(204);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
    expect(allZero(h)).toBe(true);
  });

  it('uses the configured hold time by default', async () => {
    const h = await start({ longPollTimeoutMs: 300 });
    const res = await fetch(`${h.base}/api/long-poll?after=0`);
    expect(res.status).toBe(204);
  });

  it.each([
    ['after=x', 'after'],
    ['after=1&timeout=0', 'timeout'],
    ['after=1&timeout=61', 'timeout'],
    ['after=1&timeout=abc', 'timeout'],
  ])('answers 400 for %s naming %s', async (q, param) => {
    const h = await start();
    const res = await fetch(`${h.base}/api/long-poll?${q}`);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ field: param });
  });

  it('caps concurrent long-polls per client with a 429 and a message', async () => {
    const h = await start();
    const aborts = new AbortController();
    const held = [1, 2].map(() =>
      fetch(`${h.base}/api/long-poll?after=0&clientId=greedy`, { signal: aborts.signal }).catch(
        () => null,
      ),
    );
    await waitFor(() => h.demos.internals().longPollWaiters === 2, 'two held requests');
    const third = await fetch(`${h.base}/api/long-poll?after=0&clientId=greedy`);
    expect(third.status).toBe(429);
    expect(((await third.json()) as { error: string }).error).toMatch(/at most 2/);
    const other = fetch(`${h.base}/api/long-poll?after=0&clientId=other`);
    await waitFor(() => h.demos.internals().longPollWaiters === 3, 'another client held');
    aborts.abort();
    h.demos.ticker.emit();
    expect((await other).status).toBe(200);
    await Promise.all(held);
    await waitFor(() => allZero(h), 'everything to be cleaned up');
  });

  it('"drop connection" cuts a held request mid-response, so the client sees the failure', async () => {
    const h = await start();
    const pending = fetch(`${h.base}/api/long-poll?after=0&clientId=victim`).then(
      async (r) => (await r.json()) as unknown,
    );
    await waitFor(() => h.demos.internals().longPollWaiters === 1, 'the request to be held');
    const res = await fetch(`${h.base}/api/drop?clientId=victim`, { method: 'POST' });
    expect(await res.json()).toEqual({ dropped: 1 });
    await expect(pending).rejects.toThrow();
    await waitFor(() => allZero(h), 'the dropped request to be cleaned up');
    // Nothing else of that client was open.
    expect(
      await (await fetch(`${h.base}/api/drop?clientId=victim`, { method: 'POST' })).json(),
    ).toEqual({ dropped: 0 });
  });

  it('loses none of 1,000 events while the client aborts 50 times', async () => {
    const h = await start();
    const received: number[] = [];
    let cursor = 0;
    let aborts = 0;
    let stop = false;
    const inFlight: { ctrl: AbortController | null } = { ctrl: null };
    const loop = (async () => {
      while (!stop) {
        const ctrl = new AbortController();
        inFlight.ctrl = ctrl;
        try {
          const res = await fetch(`${h.base}/api/long-poll?after=${cursor}&clientId=loop`, {
            signal: ctrl.signal,
          });
          if (res.status === 204) continue;
          const body = (await res.json()) as EventsResponse;
          for (const e of body.events) received.push(e.seq);
          cursor = body.events.at(-1)?.seq ?? cursor;
        } catch {
          // aborted: ask again from the same cursor
        }
      }
    })();
    for (let batch = 0; batch < 100; batch++) {
      emitN(h, 10);
      if (batch % 2 === 0) {
        // Cut whatever request is open, as a flaky network would.
        inFlight.ctrl?.abort();
        aborts++;
      }
      await new Promise((r) => setTimeout(r, 2));
    }
    await waitFor(() => cursor === 1000, 'the client to catch up', 15_000);
    stop = true;
    h.demos.ticker.emit();
    await loop;
    expect(aborts).toBe(50);
    const upTo1000 = received.filter((s) => s <= 1000);
    expect(upTo1000).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    await waitFor(() => allZero(h), 'every timer and waiter to be released');
  });
});

/** Collects raw text from a streaming response until `until` matches. */
async function readStream(url: string, init: RequestInit, until: (text: string) => boolean) {
  const ctrl = new AbortController();
  const res = await fetch(url, { ...init, signal: ctrl.signal });
  const reader = res.body?.getReader();
  const decoder = new TextDecoder();
  let text = '';
  while (reader && !until(text)) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  ctrl.abort();
  return { res, text };
}

describe('GET /api/sse', () => {
  it('starts with retry and a hello that carries the cursor, then streams events byte for byte', async () => {
    const h = await start();
    emitN(h, 2);
    const reading = readStream(`${h.base}/api/sse?retry=1500`, {}, (t) => t.includes('id: 3\n'));
    await waitFor(() => h.demos.internals().sseStreams === 1, 'the stream to open');
    const third = h.demos.ticker.emit();
    const { res, text } = await reading;
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(text).toBe(
      'event: hello\nid: 2\nretry: 1500\ndata: {"latest":2,"rate":1,"replayed":0}\n\n' +
        `event: ${third.kind}\nid: 3\ndata: ${JSON.stringify(third)}\n\n`,
    );
    await waitFor(() => allZero(h), 'the stream to be cleaned up');
  });

  it('resumes after Last-Event-ID (header first, then ?lastEventId=) from the buffer', async () => {
    const h = await start();
    emitN(h, 5);
    const ids = (text: string) => [...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
    const byHeader = await readStream(
      `${h.base}/api/sse?lastEventId=1`,
      { headers: { 'Last-Event-ID': '3' } },
      (t) => t.includes('id: 5\n'),
    );
    expect(ids(byHeader.text)).toEqual([3, 4, 5]); // hello carries 3, then 4 and 5
    const byQuery = await readStream(`${h.base}/api/sse?lastEventId=2`, {}, (t) =>
      t.includes('id: 5\n'),
    );
    expect(ids(byQuery.text)).toEqual([2, 3, 4, 5]);
  });

  it('says how many events are gone when the id is older than the buffer', async () => {
    const h = await start({ bufferSize: 10 });
    emitN(h, 25);
    const { text } = await readStream(
      `${h.base}/api/sse`,
      { headers: { 'Last-Event-ID': '5' } },
      (t) => t.includes('id: 25\n'),
    );
    expect(text.startsWith('event: reset\ndata: {"reason":"expired","gone":10,')).toBe(true);
    expect(text).toContain('event: hello\nid: 15\n');
    expect([...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]))).toEqual([
      15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25,
    ]);
  });

  it('answers a malformed id with a reset event and a fresh stream', async () => {
    const h = await start();
    emitN(h, 3);
    const { res, text } = await readStream(
      `${h.base}/api/sse`,
      { headers: { 'Last-Event-ID': 'abc' } },
      (t) => t.includes('event: hello'),
    );
    expect(res.status).toBe(200);
    expect(text).toContain('event: reset\ndata: {"reason":"invalid","gone":0,"requested":"abc"');
    expect(text).toContain('event: hello\nid: 3\n');
  });

  it('answers 400 for a bad retry and 429 past the per-client cap', async () => {
    const h = await start();
    const bad = await fetch(`${h.base}/api/sse?retry=5`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ field: 'retry' });
    const ctrl = new AbortController();
    await Promise.all(
      [1, 2, 3].map(() => fetch(`${h.base}/api/sse?clientId=tabs`, { signal: ctrl.signal })),
    );
    const fourth = await fetch(`${h.base}/api/sse?clientId=tabs`);
    expect(fourth.status).toBe(429);
    expect(((await fourth.json()) as { error: string }).error).toMatch(/at most 3/);
    ctrl.abort();
    await waitFor(() => allZero(h), 'the streams to close');
  });

  it('caps streams per visitor and per address, not per self-chosen clientId', async () => {
    const h = await start({ maxTotalHeld: 8, maxHeldPerVisitor: 2 }, { peoplePerAddress: 2 });
    // One script on 127.0.0.1 asks for ten streams, each with a new clientId and a made-up cookie.
    const codes: number[] = [];
    for (let i = 0; i < 10; i++) {
      codes.push(await openStream(h.port, `/api/sse?clientId=greedy${i}`, `vid${i}`));
    }
    expect(codes.filter((c) => c === 200)).toHaveLength(4); // 2 per visitor x 2 per address
    expect(codes.filter((c) => c === 503)).toHaveLength(0);
    // Without cookies, all its streams are one visitor: a third is refused.
    const plain = [0, 1, 2].map((i) =>
      openStream(h.port, `/api/sse?clientId=x${i}`, null, '127.0.0.3'),
    );
    expect((await Promise.all(plain)).sort()).toEqual([200, 200, 429]);
    // Someone else on the LAN still gets a stream.
    expect(await openStream(h.port, '/api/sse?clientId=real', 'realvisitor', '127.0.0.2')).toBe(
      200,
    );
    closeStreams();
    await waitFor(() => allZero(h), 'the streams to close');
  });

  it("cuts only the caller's own connections on /api/drop, unless the trainer asks", async () => {
    const h = await start({}, { localTrainer: false });
    // Another browser behind the same address (a NAT) knows the victim's clientId.
    await openStream(h.port, '/api/sse?clientId=victim', 'victimbrowser');
    const drop = (vid: string) =>
      fetch(`${h.base}/api/drop?clientId=victim`, {
        method: 'POST',
        headers: { cookie: `lab_vid=${vid.padEnd(22, 'x')}` },
      }).then(async (r) => ((await r.json()) as { dropped: number }).dropped);
    expect(await drop('attacker')).toBe(0);
    expect(h.demos.internals().sseStreams).toBe(1);
    expect(await drop('victimbrowser')).toBe(1);
    closeStreams();
    await waitFor(() => allZero(h), 'the streams to close');
  });

  it('sends a comment heartbeat while streams are open, and stops its timer after', async () => {
    const h = await start({ heartbeatMs: 50 });
    const { text } = await readStream(`${h.base}/api/sse`, {}, (t) => t.includes(': heartbeat'));
    expect(text).toMatch(/\n\n: heartbeat \d+\n\n/);
    await waitFor(() => allZero(h), 'the heartbeat timer to stop');
  });

  it('delivers ids 1..1000 exactly once across 100 forced disconnects (eventsource package)', async () => {
    const h = await start({ maxEmitsPerSecond: 1000 });
    const seen: number[] = [];
    let opens = 0;
    const es = new EventSource(`${h.base}/api/sse?clientId=flaky&retry=10`);
    es.addEventListener('open', () => opens++);
    for (const type of ['reading', 'log']) {
      es.addEventListener(type, (e: MessageEvent<string>) => {
        seen.push((JSON.parse(e.data) as TickerEvent).seq);
        expect(e.lastEventId).toBe(String(seen.at(-1)));
      });
    }
    await waitFor(() => opens === 1, 'the first connection');
    for (let round = 0; round < 100; round++) {
      emitN(h, 5);
      const dropped = (await (
        await fetch(`${h.base}/api/drop?clientId=flaky`, { method: 'POST' })
      ).json()) as { dropped: number };
      expect(dropped.dropped).toBe(1);
      // These five happen while the client is disconnected: the resume must bring them.
      emitN(h, 5);
      await waitFor(() => opens === round + 2, `reconnect ${round + 1}`, 10_000);
    }
    await waitFor(() => seen.length >= 1000, 'all events', 15_000);
    es.close();
    expect(seen).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    await waitFor(() => allZero(h), 'the stream to be cleaned up');
  });
});

describe('ticker control and shared routes', () => {
  it('changes the rate for everyone and rejects a rate out of range naming it', async () => {
    const h = await start();
    const post = (body: string) =>
      fetch(`${h.base}/api/ticker`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body,
      });
    expect(await (await post('{"rate":5}')).json()).toMatchObject({ rate: 5 });
    expect(h.demos.ticker.rate).toBe(5);
    for (const body of ['{"rate":0.1}', '{"rate":21}', '{"rate":"2"}', '{}']) {
      const res = await post(body);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ field: 'rate' });
    }
    expect((await post('{bad json')).status).toBe(400);
  });

  it('limits "send event now" per client', async () => {
    const h = await start({ maxEmitsPerSecond: 3 });
    const codes: number[] = [];
    for (let i = 0; i < 4; i++) {
      codes.push((await fetch(`${h.base}/api/ticker/emit?clientId=k`, { method: 'POST' })).status);
    }
    expect(codes).toEqual([200, 200, 200, 429]);
    expect(h.demos.ticker.buffer.latest).toBe(3);
  });

  it('gives NTP-style timestamps', async () => {
    const h = await start();
    const t0 = performance.timeOrigin + performance.now();
    const body = (await (await fetch(`${h.base}/api/time`)).json()) as {
      received: number;
      sent: number;
    };
    const t3 = performance.timeOrigin + performance.now();
    expect(body.received).toBeGreaterThanOrEqual(t0);
    expect(body.sent).toBeGreaterThanOrEqual(body.received);
    expect(body.sent).toBeLessThanOrEqual(t3);
  });

  it('stops every timer and listener on close', async () => {
    const h = await start({ autostart: true });
    expect(h.demos.ticker.timerArmed).toBe(true);
    await h.demos.close();
    expect(h.demos.ticker.timerArmed).toBe(false);
    expect(h.demos.ticker.listenerCount).toBe(0);
  });
});

describe('in the lab', () => {
  it('reports sse and longPoll gauges in /api/health', async () => {
    const lab = await startTestLab();
    try {
      const base = `http://127.0.0.1:${lab.port}`;
      const health = async () =>
        (
          (await (await fetch(`${base}/api/health`)).json()) as {
            connections: Record<string, number>;
          }
        ).connections;
      expect(await health()).toMatchObject({ sse: 0, longPoll: 0 });
      const ctrl = new AbortController();
      const stream = await fetch(`${base}/api/sse`, { signal: ctrl.signal });
      const held = fetch(`${base}/api/long-poll?after=999999&timeout=60`, {
        signal: ctrl.signal,
      }).catch(() => null);
      void held;
      expect(stream.status).toBe(200);
      await waitFor(async () => (await health())['sse'] === 1, 'the sse gauge');
      ctrl.abort();
      await waitFor(async () => (await health())['sse'] === 0, 'the sse gauge to fall');
    } finally {
      await lab.close();
    }
  });
});
