import type { FastifyInstance } from 'fastify';
import type { ServerResponse } from 'node:http';
import type { HelloNotice, ResetNotice, TickerEvent } from '../../src/lib/wire/http-demos.ts';
import {
  HEADER_BYTES_IN,
  SSE_RETRY_DEFAULT_MS,
  SSE_RETRY_MAX_MS,
  SSE_RETRY_MIN_MS,
  parseSeq,
  serializeSse,
  serializeSseComment,
  serializeTickerEvent,
} from '../../src/lib/wire/http-demos.ts';
import { badClientId, clientKeyOf, holdForVisitor, queryParam, type DemoDeps } from './common.ts';
import { sendError } from '../http-error.ts';

/** The running SSE endpoint. */
export interface Sse {
  /** Open streams (the `sse` gauge). */
  readonly streams: number;
  /** 1 while the shared heartbeat timer runs (only while streams are open), else 0. */
  readonly timers: number;
  close(): void;
}

/**
 * Registers `GET /api/sse`: a `text/event-stream` of the ticker's events, `id:` = seq and
 * `event:` = kind, that resumes after `Last-Event-ID` (header, or `?lastEventId=` for a first
 * connection) out of the ring buffer, and says so with a `reset` event when it cannot.
 */
export function registerSse(app: FastifyInstance, deps: DemoDeps): Sse {
  const streams = new Set<ServerResponse>();
  let heartbeat: ReturnType<typeof setInterval> | null = null;
  const { maxStreamBacklogBytes } = deps.options;

  const write = (res: ServerResponse, text: string): void => {
    // A reader that does not keep up is cut rather than buffered without bound; its EventSource
    // reconnects and resumes from its last id, so it loses nothing still in the buffer.
    if (res.writableLength > maxStreamBacklogBytes) {
      res.destroy();
      return;
    }
    res.write(text);
  };

  const unsubscribe = deps.ticker.subscribe((ev: TickerEvent) => {
    if (streams.size === 0) return;
    const text = serializeTickerEvent(ev);
    for (const res of streams) write(res, text);
  });

  const startHeartbeat = (): void => {
    // One timer for all streams, armed only while there are any. A comment line keeps proxies
    // and NAT boxes from closing an idle stream; EventSource ignores it (HTML: lines starting ':').
    heartbeat ??= setInterval(() => {
      const text = serializeSseComment(`heartbeat ${Date.now()}`);
      for (const res of streams) write(res, text);
    }, deps.options.heartbeatMs);
  };
  const stopHeartbeatIfIdle = (): void => {
    if (streams.size === 0 && heartbeat) {
      clearInterval(heartbeat);
      heartbeat = null;
    }
  };

  app.get('/api/sse', (req, reply) => {
    const key = clientKeyOf(req);
    if (key === null) return badClientId(reply);
    let retry = SSE_RETRY_DEFAULT_MS;
    const rawRetry = queryParam(req, 'retry');
    if (rawRetry !== undefined) {
      const n = rawRetry === false ? null : parseSeq(rawRetry);
      if (n === null || n < SSE_RETRY_MIN_MS || n > SSE_RETRY_MAX_MS) {
        return sendError(
          reply,
          400,
          `retry must be whole milliseconds from ${SSE_RETRY_MIN_MS} to ${SSE_RETRY_MAX_MS}`,
          'retry',
        );
      }
      retry = n;
    }
    if (deps.traffic.liveCount(key, 'sse') >= deps.options.maxStreamsPerClient) {
      return sendError(
        reply,
        429,
        `at most ${deps.options.maxStreamsPerClient} event streams at once per client; close one first`,
      );
    }
    if (streams.size >= deps.options.maxTotalHeld) {
      return sendError(reply, 503, 'the server holds too many streams right now; retry shortly');
    }
    if (!holdForVisitor(req, reply, deps)) return reply;

    // HTML: the browser sends the last id it saw in the Last-Event-ID header when it reconnects;
    // a first connection can only pass one in the URL. The header is newer, so it wins.
    const header = req.headers['last-event-id'];
    const fromHeader = typeof header === 'string' && header !== '' ? header : undefined;
    const fromQuery = queryParam(req, 'lastEventId');
    const requested =
      fromHeader ?? (fromQuery === false ? '' : fromQuery === '' ? undefined : fromQuery);

    const latest = deps.ticker.buffer.latest;
    let start = latest;
    let reset: ResetNotice | null = null;
    if (requested !== undefined) {
      const id = parseSeq(requested);
      if (id === null) {
        // Bad input on a stream is answered in-band: say why, then start fresh from now.
        reset = { reason: 'invalid', gone: 0, requested, latest };
      } else if (id > latest) {
        reset = { reason: 'ahead', gone: 0, requested, latest };
      } else {
        start = id;
        const { gone } = deps.ticker.buffer.after(id);
        if (gone > 0) reset = { reason: 'expired', gone, requested, latest };
      }
    }
    const replay = deps.ticker.buffer.after(start);

    const ticket = deps.traffic.begin(key, 'sse', req.raw, reply.raw);
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      // Ask reverse proxies (nginx) not to buffer the stream.
      'X-Accel-Buffering': 'no',
      [HEADER_BYTES_IN]: String(ticket.bytesIn),
    });
    let text = '';
    // `reset` has no id: it must not move the client's last event id.
    if (reset) text += serializeSse({ event: 'reset', data: JSON.stringify(reset) });
    const hello: HelloNotice = { latest, rate: deps.ticker.rate, replayed: replay.items.length };
    // The hello event carries the cursor as its id, so a reconnect before any event still resumes
    // from the right place (HTML: the last event ID is set even by an event without data).
    text += serializeSse({
      event: 'hello',
      id: String(replay.gone > 0 ? start + replay.gone : start),
      retry,
      data: JSON.stringify(hello),
    });
    for (const ev of replay.items) text += serializeTickerEvent(ev);
    res.write(text);

    streams.add(res);
    startHeartbeat();
    res.once('close', () => {
      streams.delete(res);
      ticket.end();
      stopHeartbeatIfIdle();
    });
    req.raw.socket.setNoDelay(true);
    // Hijacked: Fastify must not send anything for this request.
    return undefined;
  });

  return {
    get streams() {
      return streams.size;
    },
    get timers() {
      return heartbeat ? 1 : 0;
    },
    close() {
      unsubscribe();
      for (const res of [...streams]) res.destroy();
      streams.clear();
      stopHeartbeatIfIdle();
    },
  };
}
