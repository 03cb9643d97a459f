import { afterEach, describe, expect, it, vi } from 'vitest';
import { PollClient, nextCursor } from '../../../src/lib/http-demos/poll-client.ts';
import { LongPollClient } from '../../../src/lib/http-demos/long-poll-client.ts';
import { backoffDelay, LONG_POLL_BACKOFF } from '../../../src/lib/backoff.ts';
import {
  SseClient,
  rebuildRaw,
  type EventSourceLike,
  type SseMessageLike,
} from '../../../src/lib/http-demos/sse-client.ts';
import { HttpError, readEvents } from '../../../src/lib/http-demos/api.ts';
import { realTimers } from '../../../src/lib/platform.ts';
import type { EventsResponse, TickerEvent } from '../../../src/lib/wire/http-demos.ts';
import { serializeTickerEvent } from '../../../src/lib/wire/http-demos.ts';

const ev = (seq: number): TickerEvent => ({
  seq,
  ts: 1000 + seq,
  kind: 'reading',
  level: 'info',
  source: 'ticker',
  text: `r${seq}`,
  value: seq,
});
const body = (events: TickerEvent[], extra: Partial<EventsResponse> = {}): Response =>
  Response.json(
    { events, latest: events.at(-1)?.seq ?? 0, gone: 0, rewound: false, ...extra },
    { headers: { 'X-Lab-Request-Bytes': '120' } },
  );

afterEach(() => vi.useRealTimers());

describe('readEvents', () => {
  it('reads events, the exact request size, and a 204', async () => {
    const r = await readEvents(body([ev(1)]));
    expect(r).toMatchObject({ status: 200, requestBytes: 120, latest: 1 });
    expect((await readEvents(new Response(null, { status: 204 }))).events).toEqual([]);
  });

  it('turns a JSON error into an HttpError naming the parameter', async () => {
    const res = Response.json(
      { error: 'after must be…', statusCode: 400, field: 'after' },
      { status: 400 },
    );
    const err = await readEvents(res).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect(err).toMatchObject({ status: 400, field: 'after' });
  });
});

describe('nextCursor', () => {
  it('moves to the newest seq, never back, except when the server restarted', () => {
    const base = { status: 200, gone: 0, requestBytes: null, latest: 9 };
    expect(nextCursor(5, { ...base, events: [ev(6), ev(7)], rewound: false })).toBe(7);
    expect(nextCursor(5, { ...base, events: [], rewound: false })).toBe(5);
    expect(nextCursor(50, { ...base, events: [ev(1), ev(2)], rewound: true })).toBe(2);
  });
});

describe('PollClient', () => {
  it('asks after its cursor at every interval, empty answers included', async () => {
    vi.useFakeTimers();
    const urls: string[] = [];
    let next: TickerEvent[] = [ev(1), ev(2)];
    const client = new PollClient(
      {
        fetch: async (url) => {
          urls.push(url);
          const out = next;
          next = [];
          return body(out);
        },
        clock: () => Date.now(),
        timers: realTimers,
        clientId: 'abc',
      },
      { onResult: (r) => results.push(r.events.length), onError: () => {} },
      1000,
    );
    const results: number[] = [];
    client.start();
    await vi.advanceTimersByTimeAsync(2500);
    client.stop();
    await vi.advanceTimersByTimeAsync(5000);
    expect(results).toEqual([2, 0, 0]);
    expect(urls).toEqual([
      '/api/poll?after=0&clientId=abc',
      '/api/poll?after=2&clientId=abc',
      '/api/poll?after=2&clientId=abc',
    ]);
  });
});

describe('LongPollClient', () => {
  it('asks again at once after events and after a 204, and resumes from its cursor after an error', async () => {
    vi.useFakeTimers();
    const urls: string[] = [];
    const answers: (() => Response)[] = [
      () => body([ev(1), ev(2), ev(3)]),
      () => new Response(null, { status: 204 }),
      () => {
        throw new TypeError('Failed to fetch');
      },
      () => body([ev(4)]),
    ];
    const seen: string[] = [];
    const client = new LongPollClient(
      {
        fetch: async (url) => {
          urls.push(url);
          const a = answers.shift();
          if (!a) return new Promise<Response>(() => {});
          return a();
        },
        clock: () => Date.now(),
        timers: realTimers,
        clientId: 'x',
        random: () => 0,
      },
      {
        onResult: (r) => seen.push(`${r.status}:${r.events.length}`),
        onError: (_e, wait) => seen.push(`error ${wait}`),
      },
      25,
    );
    client.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(seen).toEqual(['200:3', '204:0', 'error 250']);
    await vi.advanceTimersByTimeAsync(250);
    expect(seen.at(-1)).toBe('200:1');
    expect(urls.map((u) => new URL(u, 'http://x').searchParams.get('after'))).toEqual([
      '0',
      '3',
      '3',
      '3',
      '4',
    ]);
    expect(urls[0]).toContain('timeout=25');
    client.stop();
  });

  it('backs off exponentially with jitter, up to a ceiling', () => {
    // The first retry (attempt 0) waits 250-500 ms, the third 1-2 s, none more than 10 s.
    const wait = (attempt: number, r: number) => backoffDelay(attempt, () => r, LONG_POLL_BACKOFF);
    expect(wait(0, 0)).toBe(250);
    expect(wait(0, 0.999)).toBeCloseTo(500, -1);
    expect(wait(2, 0)).toBe(1000);
    expect(wait(29, 1)).toBe(10_000);
  });
});

/** An EventSource stand-in the test drives by hand. */
class FakeSource implements EventSourceLike {
  readyState = 0;
  readonly url: string;
  readonly #listeners = new Map<string, ((ev: SseMessageLike) => void)[]>();
  constructor(url: string) {
    this.url = url;
  }
  addEventListener(type: string, fn: (ev: SseMessageLike) => void): void {
    this.#listeners.set(type, [...(this.#listeners.get(type) ?? []), fn]);
  }
  close(): void {
    this.readyState = 2;
  }
  fire(type: string, data = '', lastEventId = ''): void {
    if (type === 'open') this.readyState = 1;
    for (const fn of this.#listeners.get(type) ?? []) fn({ data, lastEventId });
  }
}

describe('SseClient', () => {
  it('passes events with their rebuilt stream text, counts reconnects, reports resets', () => {
    const sources: FakeSource[] = [];
    const got: string[] = [];
    const states: string[] = [];
    const client = new SseClient(
      {
        open: (url) => {
          const s = new FakeSource(url);
          sources.push(s);
          return s;
        },
        clock: () => 5,
        clientId: 'c1',
      },
      {
        onEvent: (e, at, raw) => got.push(`${e.seq}@${at} ${raw === serializeTickerEvent(e)}`),
        onReset: (r) => got.push(`reset ${r.reason} ${r.gone}`),
        onState: (s, n) => states.push(`${s}/${n}`),
      },
    );
    client.start(41);
    const src = sources[0];
    if (!src) throw new Error('no source');
    expect(src.url).toBe('/api/sse?clientId=c1&lastEventId=41');
    src.fire('open');
    src.fire('reset', JSON.stringify({ reason: 'expired', gone: 3, requested: '41', latest: 50 }));
    src.fire('reading', JSON.stringify(ev(45)), '45');
    src.fire('reading', 'not json', '46');
    src.fire('error'); // the browser reconnects by itself: readyState stays CONNECTING
    src.readyState = 0;
    src.fire('open');
    expect(got).toEqual(['reset expired 3', '45@5 true']);
    expect(states).toEqual(['connecting/0', 'open/0', 'connecting/0', 'open/1']);
    client.stop();
    expect(src.readyState).toBe(2);
  });

  it('rebuilds the exact text of an event from what EventSource exposes', () => {
    const e = ev(9);
    expect(rebuildRaw('reading', { data: JSON.stringify(e), lastEventId: '9' })).toBe(
      serializeTickerEvent(e),
    );
  });
});
