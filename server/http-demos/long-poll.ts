import type { FastifyInstance, FastifyReply } from 'fastify';
import {
  HEADER_BYTES_IN,
  LONG_POLL_TIMEOUT_MAX_S,
  LONG_POLL_TIMEOUT_MIN_S,
} from '../../src/lib/wire/http-demos.ts';
import { badClientId, clientKeyOf, holdForVisitor, queryParam, type DemoDeps } from './common.ts';
import { cursorOrFail, eventsAfter } from './poll.ts';
import { sendError } from '../http-error.ts';

/** A held request waiting for an event after its cursor. */
interface Waiter {
  after: number;
  reply: FastifyReply;
  timer: ReturnType<typeof setTimeout>;
  done: () => void;
}

/** The running long-poll endpoint. */
export interface LongPoll {
  /** Requests held right now (the `longPoll` gauge). */
  readonly waiting: number;
  /** Timers armed right now (one per held request). */
  readonly timers: number;
  close(): void;
}

/**
 * Registers `GET /api/long-poll?after=<seq>[&timeout=<s>]`: answers at once when events after the
 * cursor exist, else holds the request until one arrives (then sends every event after the cursor
 * in one body) or the hold time passes (then 204 No Content).
 */
export function registerLongPoll(app: FastifyInstance, deps: DemoDeps): LongPoll {
  const waiters = new Set<Waiter>();
  let timers = 0;
  const unsubscribe = deps.ticker.subscribe(() => {
    for (const w of [...waiters]) {
      w.done();
      // Being cut by "drop connection": its head is already out.
      if (w.reply.raw.headersSent) continue;
      void w.reply.header('Cache-Control', 'no-store').send(eventsAfter(deps.ticker, w.after));
    }
  });

  app.get('/api/long-poll', (req, reply) => {
    const key = clientKeyOf(req);
    if (key === null) return badClientId(reply);
    const after = cursorOrFail(req, reply);
    if (after === null) return reply;
    let holdMs = deps.options.longPollTimeoutMs;
    const rawTimeout = queryParam(req, 'timeout');
    if (rawTimeout !== undefined) {
      const s = rawTimeout === false ? NaN : Number(rawTimeout);
      if (
        rawTimeout === false ||
        !/^\d+(\.\d+)?$/.test(rawTimeout) ||
        s < LONG_POLL_TIMEOUT_MIN_S ||
        s > LONG_POLL_TIMEOUT_MAX_S
      ) {
        return sendError(
          reply,
          400,
          `timeout must be a number of seconds from ${LONG_POLL_TIMEOUT_MIN_S} to ${LONG_POLL_TIMEOUT_MAX_S}`,
          'timeout',
        );
      }
      holdMs = s * 1000;
    }
    if (deps.traffic.liveCount(key, 'longPoll') >= deps.options.maxLongPollsPerClient) {
      return sendError(
        reply,
        429,
        `at most ${deps.options.maxLongPollsPerClient} long-polls at once per client; wait for one to return`,
      );
    }
    if (waiters.size >= deps.options.maxTotalHeld) {
      return sendError(reply, 503, 'the server holds too many requests right now; retry shortly');
    }
    if (!holdForVisitor(req, reply, deps)) return reply;

    const ticket = deps.traffic.begin(key, 'longPoll', req.raw, reply.raw);
    reply.raw.once('close', () => ticket.end());
    reply.header(HEADER_BYTES_IN, String(ticket.bytesIn));

    const now = eventsAfter(deps.ticker, after);
    if (now.events.length > 0 || now.gone > 0 || now.rewound) {
      return reply.header('Cache-Control', 'no-store').send(now);
    }

    const waiter: Waiter = {
      after,
      reply,
      timer: setTimeout(() => {
        waiter.done();
        if (reply.raw.headersSent) return;
        // Nothing happened within the hold time: an empty answer, and the client asks again.
        void reply.code(204).header('Cache-Control', 'no-store').send();
      }, holdMs),
      done: () => {
        if (!waiters.delete(waiter)) return;
        clearTimeout(waiter.timer);
        timers--;
        reply.raw.off('close', onClose);
      },
    };
    timers++;
    // The client went away (aborted, or its socket was dropped): forget it at once.
    const onClose = (): void => waiter.done();
    reply.raw.once('close', onClose);
    waiters.add(waiter);
    return reply;
  });

  return {
    get waiting() {
      return waiters.size;
    },
    get timers() {
      return timers;
    },
    close() {
      unsubscribe();
      for (const w of [...waiters]) {
        w.done();
        w.reply.raw.destroy();
      }
    },
  };
}
