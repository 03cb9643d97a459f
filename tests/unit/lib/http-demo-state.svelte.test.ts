import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushSync } from 'svelte';
import { PollDemo } from '../../../src/lib/http-demos/poll-demo.svelte.ts';
import { LongPollDemo } from '../../../src/lib/http-demos/long-poll-demo.svelte.ts';
import { SseDemo } from '../../../src/lib/http-demos/sse-demo.svelte.ts';
import type { EventSourceLike, SseMessageLike } from '../../../src/lib/http-demos/sse-client.ts';
import { realTimers, type FetchLike } from '../../../src/lib/platform.ts';
import type { TickerEvent } from '../../../src/lib/wire/http-demos.ts';

afterEach(() => vi.useRealTimers());

/** A fake server: a list of events, the shared routes, and a clock 1 s ahead of the page's. */
function fakeServer() {
  const events: TickerEvent[] = [];
  const emit = (ts = Date.now() + 1000 - 30) => {
    const seq = events.length + 1;
    events.push({
      seq,
      ts,
      kind: 'log',
      level: seq % 2 ? 'info' : 'warn',
      source: 'ticker',
      text: `e${seq}`,
    });
  };
  const fetchFn: FetchLike = async (url) => {
    const u = new URL(url, 'http://lab');
    const now = Date.now() + 1000;
    switch (u.pathname) {
      case '/api/time':
        return Response.json({ received: now, sent: now });
      case '/api/ticker':
        return Response.json({ rate: 1, latest: events.length, oldest: 1, capacity: 1000 });
      case '/api/http-stats':
        return Response.json({
          clientId: 'c',
          poll: { requests: 3, bytesIn: 300, bytesOut: 900 },
          longPoll: { requests: 2, bytesIn: 200, bytesOut: 500 },
          sse: { requests: 1, bytesIn: 100, bytesOut: 700 },
        });
      case '/api/drop':
        return Response.json({ dropped: 1 });
      case '/api/ticker/emit':
        // Like the real server past its per-visitor limit.
        return Response.json(
          { error: 'at most 5 events per second per client', statusCode: 429 },
          { status: 429 },
        );
      case '/api/poll':
      case '/api/long-poll': {
        const after = Number(u.searchParams.get('after'));
        const out = events.filter((e) => e.seq > after);
        if (u.pathname === '/api/long-poll' && out.length === 0) {
          // Like the real server, hold the request (here 1 s) before the empty answer.
          await new Promise((r) => setTimeout(r, 1000));
          return new Response(null, { status: 204 });
        }
        return Response.json({ events: out, latest: events.length, gone: 0, rewound: false });
      }
      default:
        return Response.json({ error: 'no', statusCode: 404 }, { status: 404 });
    }
  };
  return { events, emit, fetch: fetchFn };
}

const env = (fetchFn: FetchLike) => ({
  fetch: fetchFn,
  clock: () => Date.now(),
  timers: realTimers,
  random: () => 0.5,
  clientId: 'c',
});

describe('PollDemo state', () => {
  it('counts requests, empty answers and their share; the share rises when events get rarer', async () => {
    vi.useFakeTimers();
    const server = fakeServer();
    const demo = new PollDemo(env(server.fetch), 1000);
    await demo.start();
    // An event before every poll: no empty answers.
    for (let i = 0; i < 4; i++) {
      server.emit();
      await vi.advanceTimersByTimeAsync(1000);
    }
    flushSync();
    const busyShare = demo.emptyShare;
    // One event every four polls.
    for (let i = 0; i < 8; i++) {
      if (i % 4 === 0) server.emit();
      await vi.advanceTimersByTimeAsync(1000);
    }
    flushSync();
    demo.stop();
    expect(demo.received).toBe(6);
    expect(demo.missed).toBe(0);
    expect(demo.emptyShare).toBeGreaterThan(busyShare);
    expect(demo.empty).toBeGreaterThan(0);
    expect(demo.offset).toBeCloseTo(1000, -1);
    // Delay = the wait for the next poll (≤ 1 s here) + 30 ms, on the server's clock; ignoring
    // the 1 s clock skew would add another second.
    expect(demo.delayP50).toBeGreaterThanOrEqual(30);
    expect(demo.delayP50).toBeLessThan(1100);
    expect(demo.bytes).toEqual({ requests: 3, bytesIn: 300, bytesOut: 900 });
    expect(demo.theoreticalDelay).toBe(500);
  });
});

describe('"send an event now" refused as too many', () => {
  it('says so for a few seconds, even while the polling loop clears ordinary errors', async () => {
    vi.useFakeTimers();
    const server = fakeServer();
    const demo = new PollDemo(env(server.fetch), 1000);
    await demo.start();
    await demo.sendNow();
    expect(demo.sendRefused).toBe(true);
    // Good polls in between do not hide it.
    server.emit();
    await vi.advanceTimersByTimeAsync(2000);
    expect(demo.error).toBeNull();
    expect(demo.sendRefused).toBe(true);
    await vi.advanceTimersByTimeAsync(2500);
    expect(demo.sendRefused).toBe(false);
    demo.stop();
  });
});

describe('LongPollDemo state', () => {
  it('shows the held request, and resumes from its cursor after a failure with nothing missed', async () => {
    vi.useFakeTimers();
    const server = fakeServer();
    let failNext = false;
    const fetchFn: FetchLike = async (url, init) => {
      if (url.startsWith('/api/long-poll') && failNext) {
        failNext = false;
        throw new TypeError('network error');
      }
      return server.fetch(url, init);
    };
    const demo = new LongPollDemo(env(fetchFn));
    server.emit();
    await demo.start();
    await vi.advanceTimersByTimeAsync(0);
    server.emit();
    failNext = true;
    await vi.advanceTimersByTimeAsync(0);
    server.emit();
    server.emit();
    await vi.advanceTimersByTimeAsync(5000);
    flushSync();
    demo.stop();
    expect(demo.failures).toBeGreaterThanOrEqual(1);
    expect(demo.received).toBe(3);
    expect(demo.missed).toBe(0);
    expect(demo.log.some((l) => l.note?.key === 'note.retry')).toBe(true);
  });
});

class FakeSource implements EventSourceLike {
  readyState = 0;
  readonly #l = new Map<string, ((ev: SseMessageLike) => void)[]>();
  addEventListener(type: string, fn: (ev: SseMessageLike) => void): void {
    this.#l.set(type, [...(this.#l.get(type) ?? []), fn]);
  }
  close(): void {
    this.readyState = 2;
  }
  fire(type: string, data = '', lastEventId = ''): void {
    if (type === 'open') this.readyState = 1;
    for (const fn of this.#l.get(type) ?? []) fn({ data, lastEventId });
  }
}

describe('SseDemo state', () => {
  it('counts reconnects and shows missed 0 when the stream resumes after a drop; filters by level', async () => {
    const server = fakeServer();
    const sources: FakeSource[] = [];
    const demo = new SseDemo(env(server.fetch), () => {
      const s = new FakeSource();
      sources.push(s);
      return s;
    });
    await demo.start();
    const src = sources[0];
    if (!src) throw new Error('no EventSource');
    const send = (n: number) => {
      server.emit();
      const e = server.events[n - 1];
      src.fire('log', JSON.stringify(e), String(n));
    };
    src.fire('open');
    src.fire('hello', JSON.stringify({ latest: 0, rate: 1, replayed: 0 }), '0');
    send(1);
    send(2);
    await demo.drop();
    src.fire('error');
    src.fire('open');
    send(3);
    flushSync();
    expect(demo.reconnects).toBe(1);
    expect(demo.received).toBe(3);
    expect(demo.missed).toBe(0);
    expect(demo.raw.map((b) => b.text.split('\n')[0])).toEqual([
      'event: hello',
      'event: log',
      'event: log',
      'event: log',
    ]);
    demo.levels.info = false;
    flushSync();
    expect(demo.visibleLog.every((l) => l.level !== 'info')).toBe(true);
    demo.stop();
    expect(src.readyState).toBe(2);
  });

  it('says how many tries failed while the server does not answer, and clears it once open', async () => {
    const server = fakeServer();
    const sources: FakeSource[] = [];
    const demo = new SseDemo(env(server.fetch), () => {
      const s = new FakeSource();
      sources.push(s);
      return s;
    });
    await demo.start();
    const src = sources[0]!;
    // Connection refused, again and again: EventSource stays CONNECTING and fires 'error' per try.
    for (let i = 0; i < 5; i++) src.fire('error');
    expect(demo.state).toBe('connecting');
    expect(demo.failedTries).toBe(5);
    expect(demo.reconnects).toBe(0);
    src.fire('open');
    expect(demo.failedTries).toBe(0);
    expect(demo.state).toBe('open');
    demo.stop();
  });

  it('keeps every counter over Stop and Start: reconnects no more resets while received adds up', async () => {
    const server = fakeServer();
    const sources: FakeSource[] = [];
    const demo = new SseDemo(env(server.fetch), () => {
      const s = new FakeSource();
      sources.push(s);
      return s;
    });
    const send = (src: FakeSource) => {
      server.emit();
      const n = server.events.length;
      src.fire('log', JSON.stringify(server.events[n - 1]), String(n));
    };
    await demo.start();
    const first = sources[0]!;
    first.fire('open');
    send(first);
    first.fire('error');
    first.fire('open');
    send(first);
    expect([demo.reconnects, demo.received]).toEqual([1, 2]);
    demo.stop();
    await demo.start();
    const second = sources[1]!;
    second.fire('open');
    send(second);
    // Start is not a reconnect: the count neither grows nor starts over.
    expect([demo.reconnects, demo.received]).toEqual([1, 3]);
    second.fire('error');
    second.fire('open');
    expect(demo.reconnects).toBe(2);
    demo.stop();
  });
});

describe('the page lifecycle', () => {
  it('SSE: a paused page closes its stream but stays started, and resumes after the last id', async () => {
    const server = fakeServer();
    const opened: { url: string; source: FakeSource }[] = [];
    const demo = new SseDemo(env(server.fetch), (url) => {
      const source = new FakeSource();
      opened.push({ url, source });
      return source;
    });
    await demo.start();
    const first = opened[0]!.source;
    first.fire('open');
    first.fire('hello', JSON.stringify({ latest: 0, rate: 1, replayed: 0 }), '0');
    for (const n of [1, 2]) {
      server.emit();
      first.fire('log', JSON.stringify(server.events[n - 1]), String(n));
    }
    demo.pause('hidden');
    flushSync();
    expect(first.readyState).toBe(2);
    expect(demo.running).toBe(true);
    expect(demo.paused).toBe('hidden');
    expect(demo.log.at(-1)?.note?.key).toBe('note.paused.hidden');
    // Offline while already hidden: the reason changes, nothing is opened.
    demo.pause('offline');
    expect(opened).toHaveLength(1);
    demo.resume(false);
    await vi.waitFor(() => expect(opened).toHaveLength(2));
    expect(new URL(opened[1]!.url, 'http://lab').searchParams.get('lastEventId')).toBe('2');
    expect(demo.paused).toBeNull();
    expect(demo.log.some((l) => l.note?.key === 'note.resumed')).toBe(true);
    demo.stop();
  });

  it('poll: no request goes out while paused, and a stopped demo is not restarted by resume', async () => {
    const server = fakeServer();
    const calls: string[] = [];
    const fetchFn: FetchLike = (url, init) => {
      calls.push(new URL(url, 'http://lab').pathname);
      return server.fetch(url, init);
    };
    const demo = new PollDemo(env(fetchFn), 500);
    demo.pause('hidden');
    await demo.start();
    expect(calls.filter((c) => c === '/api/poll')).toEqual([]);
    demo.resume(false);
    await vi.waitFor(() => expect(calls).toContain('/api/poll'));
    demo.stop();
    const before = calls.length;
    demo.pause('offline');
    demo.resume(false);
    await Promise.resolve();
    // A resume would have asked /api/time first, synchronously: nothing at all went out.
    expect(calls.slice(before).filter((c) => c !== '/api/http-stats')).toEqual([]);
  });
});

describe('the shared rate control', () => {
  const lab =
    (trainer: boolean): FetchLike =>
    async (url, init) => {
      const path = new URL(url, 'http://lab').pathname;
      if (path === '/api/trainer') return Response.json({ trainer, via: null, localTrusted: true });
      if (path === '/api/ticker' && init?.method === 'POST') {
        return trainer
          ? Response.json({ rate: 5, latest: 0, oldest: 1, capacity: 1000 })
          : Response.json(
              {
                error: 'only the trainer',
                statusCode: 403,
                needs: 'trainer',
                control: 'ticker-rate',
              },
              { status: 403 },
            );
      }
      return Response.json({ rate: 1, latest: 0, oldest: 1, capacity: 1000 });
    };

  it('learns from the lab whether this browser is the trainer', async () => {
    const attendee = new PollDemo(env(lab(false)), 1000);
    await attendee.loadTicker();
    expect(attendee.trainer).toBe(false);
    const trainer = new PollDemo(env(lab(true)), 1000);
    await trainer.loadTicker();
    expect(trainer.trainer).toBe(true);
    await trainer.setRate(5);
    expect(trainer.rate).toBe(5);
  });

  it('turns a 403 into "the trainer\'s control", not an error, and keeps the rate', async () => {
    const demo = new PollDemo(env(lab(false)), 1000);
    await demo.setRate(5);
    expect(demo).toMatchObject({ trainer: false, error: null, rate: 1 });
  });
});
