import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { EventsResponse } from '../../src/lib/wire/http-demos.ts';
import { HEADER_BYTES_IN, parseSeq } from '../../src/lib/wire/http-demos.ts';
import { badClientId, clientKeyOf, queryParam, type DemoDeps } from './common.ts';
import type { Ticker } from './ticker.ts';
import { sendError } from '../http-error.ts';

/** The events after a cursor as the poll endpoints answer them. */
export function eventsAfter(ticker: Ticker, after: number): EventsResponse {
  const { items, gone, ahead } = ticker.buffer.after(after);
  if (ahead) {
    // The cursor comes from a previous run of the server: hand back everything held and say so.
    const all = ticker.buffer.after(0);
    return { events: all.items, latest: ticker.buffer.latest, gone: 0, rewound: true };
  }
  return { events: items, latest: ticker.buffer.latest, gone, rewound: false };
}

/**
 * The required `after` cursor of a poll request. When it is missing or not a non-negative
 * integer, answers 400 naming it and returns null: the caller returns the reply.
 */
export function cursorOrFail(req: FastifyRequest, reply: FastifyReply): number | null {
  const raw = queryParam(req, 'after');
  const after = raw === false ? null : parseSeq(raw);
  if (after === null) {
    sendError(reply, 400, 'after must be a non-negative integer (the last seq you have)', 'after');
  }
  return after;
}

/** Registers `GET /api/poll?after=<seq>`: the events after the cursor, or an empty list, at once. */
export function registerPoll(app: FastifyInstance, deps: DemoDeps): void {
  app.get('/api/poll', (req, reply) => {
    const key = clientKeyOf(req);
    if (key === null) return badClientId(reply);
    const after = cursorOrFail(req, reply);
    if (after === null) return reply;
    const ticket = deps.traffic.begin(key, 'poll', req.raw, reply.raw);
    reply.raw.once('close', () => ticket.end());
    return reply
      .header('Cache-Control', 'no-store')
      .header(HEADER_BYTES_IN, String(ticket.bytesIn))
      .send(eventsAfter(deps.ticker, after));
  });
}
