// The HTTP demos: one ticker read by short polling, long polling and Server-Sent Events, plus the
// routes the demos share (ticker control, clock, per-visitor byte counts, "drop connection").
import type { IncomingMessage } from 'node:http';
import type { FastifyReply } from 'fastify';
import { performance } from 'node:perf_hooks';
import type { LabContext, LabModule } from '../app.ts';
import type { TickerInfo, TimeResponse } from '../../src/lib/wire/http-demos.ts';
import {
  LONG_POLL_TIMEOUT_DEFAULT_S,
  RATE_MAX,
  RATE_MIN,
  parseSeq,
} from '../../src/lib/wire/http-demos.ts';
import type { SharedTicker } from '../redis/ticker.ts';
import { badClientId, clientKeyOf, type HttpDemoOptions } from './common.ts';
import { Ticker } from './ticker.ts';
import { Traffic } from './traffic.ts';
import { HeldCounter } from '../visitor.ts';
import { registerPoll } from './poll.ts';
import { registerLongPoll } from './long-poll.ts';
import { registerSse } from './sse.ts';
import { sendError, sendStoreDown } from '../http-error.ts';

export type { HttpDemoOptions } from './common.ts';

/** The defaults of the HTTP demos. */
export const HTTP_DEMO_DEFAULTS: HttpDemoOptions = {
  bufferSize: 1000,
  rate: 1,
  autostart: true,
  longPollTimeoutMs: LONG_POLL_TIMEOUT_DEFAULT_S * 1000,
  heartbeatMs: 15_000,
  maxLongPollsPerClient: 2,
  maxStreamsPerClient: 3,
  maxHeldPerVisitor: 8,
  maxTotalHeld: 5000,
  maxEmitsPerSecond: 5,
  maxStreamBacklogBytes: 1024 * 1024,
};

/** The running HTTP demos; the extra fields let tests look inside. */
export interface HttpDemos extends LabModule {
  ticker: Ticker;
  traffic: Traffic;
  /** Whether the trainer paused the ticker (with Redis: the deployment's ticker). */
  paused(): boolean;
  /**
   * The trainer's pause and resume; with Redis it holds for every instance (a failed write to
   * Redis leaves the other instances as they were, and this one as asked).
   */
  setPaused(paused: boolean): void;
  /** Things that must return to 0 once every client has gone. */
  internals(): {
    longPollWaiters: number;
    longPollTimers: number;
    sseStreams: number;
    sseTimers: number;
    liveRequests: number;
  };
}

const tickerInfo = (t: Ticker): TickerInfo => ({
  rate: t.rate,
  latest: t.buffer.latest,
  oldest: t.buffer.oldest,
  capacity: t.buffer.capacity,
});

/**
 * Registers the ticker and the poll, long-poll and SSE endpoints on the lab. With `shared` (one
 * of several instances on Redis) the ticker is the deployment's (server/redis/ticker.ts).
 */
export function registerHttpDemos(
  ctx: Pick<LabContext, 'app' | 'gauges' | 'trainer' | 'visitors'>,
  overrides: Partial<HttpDemoOptions> = {},
  shared: SharedTicker | null = null,
): HttpDemos {
  const options = { ...HTTP_DEMO_DEFAULTS, ...overrides };
  const { app } = ctx;
  const ticker =
    shared?.ticker ??
    new Ticker({
      capacity: options.bufferSize,
      rate: options.rate,
      autostart: options.autostart,
    });
  if (shared) {
    // A client moved here by the load balancer may name an event this instance has not read
    // from the shared stream yet (milliseconds behind): wait for it rather than answer "ahead".
    const cursorRoutes = new Set(['/api/poll', '/api/long-poll', '/api/sse']);
    app.addHook('preHandler', async (req) => {
      if (!cursorRoutes.has(req.url.split('?')[0] ?? '')) return;
      const query = (req.query ?? {}) as Record<string, unknown>;
      const raw = req.headers['last-event-id'] ?? query['after'] ?? query['lastEventId'];
      const seq = typeof raw === 'string' ? parseSeq(raw) : null;
      if (seq !== null) await ticker.catchUp(seq);
    });
  }
  const traffic = new Traffic(app.server);
  const deps = { ticker, traffic, options, visitors: ctx.visitors, held: new HeldCounter() };

  registerPoll(app, deps);
  const longPoll = registerLongPoll(app, deps);
  const sse = registerSse(app, deps);
  ctx.gauges.register('sse', () => sse.streams);
  ctx.gauges.register('longPoll', () => longPoll.waiting);

  // NTP-style clock sample: the page notes its own send and receive times around these two.
  app.get('/api/time', (_req, reply) => {
    const received = performance.timeOrigin + performance.now();
    const body: TimeResponse = { received, sent: performance.timeOrigin + performance.now() };
    return reply.header('Cache-Control', 'no-store').send(body);
  });

  app.get('/api/ticker', (_req, reply) =>
    reply.header('Cache-Control', 'no-store').send(tickerInfo(ticker)),
  );

  // The ticker is shared by every visitor's demos: only the trainer sets its rate.
  app.post(
    '/api/ticker',
    { preHandler: ctx.trainer.requireTrainer('ticker-rate') },
    (req, reply) => {
      const rate = (req.body as { rate?: unknown } | null | undefined)?.rate;
      if (
        typeof rate !== 'number' ||
        !Number.isFinite(rate) ||
        rate < RATE_MIN ||
        rate > RATE_MAX
      ) {
        return sendError(
          reply,
          400,
          `rate must be a number of events per second from ${RATE_MIN} to ${RATE_MAX}`,
          'rate',
        );
      }
      if (shared) {
        return shared.setRate(rate).then(
          () => reply.header('Cache-Control', 'no-store').send(tickerInfo(ticker)),
          () => sendStoreDown(reply),
        );
      }
      ticker.setRate(rate);
      return reply.header('Cache-Control', 'no-store').send(tickerInfo(ticker));
    },
  );

  // "Send event now", limited per visitor so one page cannot flood every other visitor's demo.
  const emits = new Map<string, { windowStart: number; count: number }>();
  const emitted = (reply: FastifyReply) =>
    ticker.publish('manual').then(
      (event) => reply.header('Cache-Control', 'no-store').send({ event }),
      () => sendStoreDown(reply),
    );
  const tooMany = (reply: FastifyReply) =>
    sendError(reply, 429, `at most ${options.maxEmitsPerSecond} events per second per client`);
  app.post('/api/ticker/emit', (req, reply) => {
    const key = clientKeyOf(req);
    if (key === null) return badClientId(reply);
    if (shared) {
      // Counted in Redis: the same client pressing on two instances shares one window.
      return shared.admitEmit(key, options.maxEmitsPerSecond).then(
        (ok) => (ok ? emitted(reply) : tooMany(reply)),
        () => sendStoreDown(reply),
      );
    }
    const now = Date.now();
    if (emits.size > 10_000) {
      for (const [k, v] of emits) if (now - v.windowStart >= 1000) emits.delete(k);
    }
    const slot = emits.get(key);
    if (slot && now - slot.windowStart < 1000) {
      if (slot.count >= options.maxEmitsPerSecond) return tooMany(reply);
      slot.count++;
    } else {
      emits.set(key, { windowStart: now, count: 1 });
    }
    return emitted(reply);
  });

  app.get('/api/http-stats', (req, reply) => {
    const key = clientKeyOf(req);
    if (key === null) return badClientId(reply);
    return reply.header('Cache-Control', 'no-store').send(traffic.stats(key));
  });

  // "Drop connection": destroy this visitor's held sockets, as a network failure would. Open to
  // everyone for their own connections; only the trainer may cut someone else's.
  app.post('/api/drop', (req, reply) => {
    const key = clientKeyOf(req);
    if (key === null) return badClientId(reply);
    const me = ctx.visitors.of(req.raw).key;
    const mine = ctx.trainer.isTrainer(req)
      ? undefined
      : (r: IncomingMessage) => ctx.visitors.of(r).key === me;
    return reply.header('Cache-Control', 'no-store').send({ dropped: traffic.drop(key, mine) });
  });

  return {
    ticker,
    traffic,
    paused: () => (shared ? shared.paused : !ticker.running),
    setPaused(paused) {
      if (shared) void shared.setPaused(paused).catch(() => {});
      else if (paused) ticker.stop();
      else if (!ticker.running) ticker.start();
    },
    internals: () => ({
      longPollWaiters: longPoll.waiting,
      longPollTimers: longPoll.timers,
      sseStreams: sse.streams,
      sseTimers: sse.timers,
      liveRequests: traffic.liveTotal,
    }),
    async close() {
      ticker.stop();
      longPoll.close();
      sse.close();
      traffic.close();
      await shared?.close();
    },
  };
}
