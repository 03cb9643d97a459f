import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServerResponse } from 'node:http';
import type { RacePollBody } from '../../src/lib/wire/race.ts';
import {
  RACE_API,
  RACE_LONG_POLL_HOLD_S,
  RACE_SSE_RETRY_MS,
  noContentHeaders,
  pollHeaders,
  raceSseEvent,
  sseHeaders,
} from '../../src/lib/wire/race.ts';
import { parseSeq } from '../../src/lib/wire/http-demos.ts';
import type { Traffic } from '../http-demos/traffic.ts';
import type { Race } from './race.ts';
import type { RaceOptions } from './options.ts';

/** What the HTTP lanes need from the race module. */
export interface HttpLaneDeps {
  traffic: Traffic;
  options: RaceOptions;
  /** The race behind `:id`, or null after answering 404 (the caller returns). */
  find(req: FastifyRequest, reply: FastifyReply): Race | null;
  /** A lane saw activity (keeps an abandoned-race check from freeing a live one). */
  touch(race: Race): void;
}

/** Held long-polls and open streams of one race. */
export interface HttpLaneState {
  longPolls: Set<{ res: ServerResponse; timer: ReturnType<typeof setTimeout>; after: number }>;
  sse: ServerResponse | null;
}

/** The per-race part of the HTTP lanes, created with each race. */
export interface HttpLanes {
  state(race: Race): HttpLaneState;
  /** Wires a new race's publications to its held requests and stream. */
  attach(race: Race): () => void;
  /** Ends every held request and stream of a race. */
  free(race: Race): void;
}

const MAX_HELD_PER_RACE = 2;

/** Writes a complete response with exactly the header fields the wire module lists. */
function sendHead(res: ServerResponse, status: 200 | 204, fields: [string, string][]): void {
  // Node adds Date and Connection itself unless they are given; giving them keeps the head
  // exactly what `httpHeadLength` computes (src/lib/wire/race.ts).
  res.sendDate = false;
  res.writeHead(status, fields.flat());
}

function pollBody(race: Race, after: number, maxBytes: number): RacePollBody {
  const m: string[] = [];
  let bytes = 0;
  let seq = after;
  while (seq < race.published && bytes < maxBytes) {
    seq++;
    m.push(race.payload(seq));
    bytes += race.scenario.size;
  }
  return { m, next: seq, done: race.state === 'finished' && seq >= race.total };
}

function sendPoll(res: ServerResponse, body: RacePollBody): void {
  const text = JSON.stringify(body);
  sendHead(res, 200, pollHeaders(Buffer.byteLength(text), new Date().toUTCString()));
  res.end(text);
}

function cursor(req: FastifyRequest, reply: FastifyReply): number | null {
  const raw = (req.query as Record<string, unknown> | undefined)?.['after'];
  const after = typeof raw === 'string' ? parseSeq(raw) : null;
  if (after === null) {
    void reply
      .code(400)
      .send({ error: 'after must be a non-negative integer', statusCode: 400, field: 'after' });
  }
  return after;
}

/**
 * Registers the three HTTP lanes of every race: `GET /api/race/<id>/poll?after=`, `…/long-poll?after=`
 * and `…/sse`. Each answer is counted to the byte by `Traffic`, keyed by the race id.
 */
export function registerHttpLanes(app: FastifyInstance, deps: HttpLaneDeps): HttpLanes {
  const states = new WeakMap<Race, HttpLaneState>();
  const state = (race: Race): HttpLaneState => {
    let s = states.get(race);
    if (!s) {
      s = { longPolls: new Set(), sse: null };
      states.set(race, s);
    }
    return s;
  };
  const { traffic, options } = deps;

  app.get(`${RACE_API}/:id/poll`, (req, reply) => {
    const race = deps.find(req, reply);
    if (!race) return reply;
    const after = cursor(req, reply);
    if (after === null) return reply;
    deps.touch(race);
    const ticket = traffic.begin(race.id, 'poll', req.raw, reply.raw);
    reply.raw.once('close', () => ticket.end());
    reply.hijack();
    sendPoll(reply.raw, pollBody(race, after, options.maxPollBodyBytes));
    return undefined;
  });

  app.get(`${RACE_API}/:id/long-poll`, (req, reply) => {
    const race = deps.find(req, reply);
    if (!race) return reply;
    const after = cursor(req, reply);
    if (after === null) return reply;
    const s = state(race);
    if (s.longPolls.size >= MAX_HELD_PER_RACE) {
      return reply.code(429).send({ error: 'too many held long-polls', statusCode: 429 });
    }
    deps.touch(race);
    const ticket = traffic.begin(race.id, 'longPoll', req.raw, reply.raw);
    const res = reply.raw;
    res.once('close', () => ticket.end());
    reply.hijack();
    const finishedAll = race.state === 'finished' && after >= race.total;
    if (after < race.published || finishedAll) {
      sendPoll(res, pollBody(race, after, options.maxPollBodyBytes));
      return undefined;
    }
    // Nothing new: hold the request until the next publication or the hold time.
    const held = {
      res,
      timer: setTimeout(() => {
        s.longPolls.delete(held);
        if (res.headersSent) return;
        sendHead(res, 204, noContentHeaders(new Date().toUTCString()));
        res.end();
      }, RACE_LONG_POLL_HOLD_S * 1000),
      after,
    };
    s.longPolls.add(held);
    res.once('close', () => {
      clearTimeout(held.timer);
      s.longPolls.delete(held);
    });
    return undefined;
  });

  app.get(`${RACE_API}/:id/sse`, (req, reply) => {
    const race = deps.find(req, reply);
    if (!race) return reply;
    const s = state(race);
    // HTML: the browser resends the last id it saw in Last-Event-ID when it reconnects.
    const header = req.headers['last-event-id'];
    let after = typeof header === 'string' ? (parseSeq(header) ?? 0) : 0;
    if (after > race.published) after = race.published;
    // One stream per race: a reconnect replaces a stream the server has not yet seen die.
    s.sse?.destroy();
    deps.touch(race);
    const ticket = traffic.begin(race.id, 'sse', req.raw, reply.raw);
    reply.hijack();
    const res = reply.raw;
    sendHead(res, 200, sseHeaders(new Date().toUTCString()));
    // HTML: event stream `retry:` sets the reconnection time; sent once, as part of the set-up.
    let text = `retry: ${RACE_SSE_RETRY_MS}\n\n`;
    for (let seq = after + 1; seq <= race.published; seq++) {
      text += raceSseEvent(seq, race.payload(seq));
    }
    res.write(text);
    s.sse = res;
    req.raw.socket.setNoDelay(true);
    res.once('close', () => {
      ticket.end();
      if (s.sse === res) s.sse = null;
      deps.touch(race);
    });
    return undefined;
  });

  return {
    state,
    attach(race) {
      const s = state(race);
      const sse = race.onPublish((seq, payload) => {
        const res = s.sse;
        if (!res) return;
        // A reader that does not keep up is cut; EventSource resumes from its last id.
        if (res.writableLength > options.maxBacklogBytes) res.destroy();
        else res.write(raceSseEvent(seq, payload));
      });
      // Long polls last: each answer is a whole HTTP response (and, at the client, a new
      // request), which written first delayed every push lane's frame behind it.
      const polls = race.onPublish((seq) => {
        for (const held of [...s.longPolls]) {
          if (held.after >= seq) continue;
          s.longPolls.delete(held);
          clearTimeout(held.timer);
          // Cut mid-answer by "cut the network": its head is already out.
          if (held.res.headersSent) continue;
          sendPoll(held.res, pollBody(race, held.after, options.maxPollBodyBytes));
        }
      }, 'last');
      return () => {
        sse();
        polls();
      };
    },
    free(race) {
      const s = state(race);
      for (const held of s.longPolls) {
        clearTimeout(held.timer);
        held.res.destroy();
      }
      s.longPolls.clear();
      s.sse?.destroy();
      s.sse = null;
    },
  };
}
