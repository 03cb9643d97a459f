// Workshop mode: the trainer's API (join codes, the room, announcements, follow-me, polls and
// faults) and the attendees' room socket. The trainer check itself lives in trainer.ts.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { WebSocketServer, type WebSocket } from 'ws';
import type { LabContext, LabModule } from '../app.ts';
import { rejectUpgrade } from '../upgrade.ts';
import { isAllowedOrigin } from '../chat/origin.ts';
import { startHeartbeat } from '../chat/heartbeat.ts';
import { HEARTBEAT_MS, type ChatModule } from '../chat/index.ts';
import type { HttpDemos } from '../http-demos/index.ts';
import type { FleetModule } from '../fleet/index.ts';
import { lanUrls } from '../banner.ts';
import {
  FAULT_KINDS,
  PRESENCE_ID,
  ROOM_WS_PATH,
  TRANSPORTS,
  WORKSHOP_API,
  WORKSHOP_LIMITS,
  cleanLine,
  type FaultKind,
  type FaultResult,
  type JoinInfo,
  type PollQuestion,
  type RoomView,
  type TransportKey,
  type WorkshopStatus,
} from '../../src/lib/wire/workshop.ts';
import type { NeedsTrainer } from '../../src/lib/wire/trainer.ts';
import { Room } from './room.ts';
import { JoinCodes, withPath } from './join.ts';
import { Faults, type FaultTiming } from './faults.ts';
import { RateSampler } from './rates.ts';
import { sendError } from '../http-error.ts';
import type { WorkshopShare } from '../redis/workshop.ts';

/** The other modules a workshop acts on. */
export interface WorkshopParts {
  http: HttpDemos;
  chat: ChatModule;
  fleet: FleetModule;
}

/** Tuning for tests and the benchmark. */
export interface WorkshopOptions {
  /** How long after the trainer page was last open pages still join the room. */
  activeForMs?: number;
  socketsPerAddress?: number;
  maxSockets?: number;
  faultTiming?: Partial<FaultTiming>;
}

/** The running workshop module, with handles for tests. */
export interface WorkshopModule extends LabModule {
  room: Room;
  faults: Faults;
  /** Whether a trainer was active recently. */
  active(): boolean;
}

const FAULT_CONTROL: Record<FaultKind, string> = {
  'cut-sse': 'SSE streams',
  'cut-long-polls': 'long polls',
  'close-chat': 'chat sockets',
  'disconnect-mqtt': 'MQTT clients',
  'cut-vehicles': 'the fleet',
  'pause-ticker': 'the ticker',
  'resume-ticker': 'the ticker',
};

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Registers the workshop's routes and the `/ws/room` socket. With `share` (one of several
 * instances on Redis) the trainer's faults, announcements and follow-me reach every instance.
 */
export function registerWorkshop(
  ctx: LabContext,
  parts: WorkshopParts,
  opts: WorkshopOptions = {},
  share: WorkshopShare | null = null,
): WorkshopModule {
  const { app } = ctx;
  const activeForMs = opts.activeForMs ?? 30 * 60_000;
  let trainerSeenAt = -Infinity;
  const active = (): boolean =>
    Date.now() - trainerSeenAt < activeForMs || (share?.trainerActive ?? false);
  const room = new Room({
    ...(opts.socketsPerAddress !== undefined ? { socketsPerAddress: opts.socketsPerAddress } : {}),
    ...(opts.maxSockets !== undefined ? { maxSockets: opts.maxSockets } : {}),
  });
  const codes = new JoinCodes();
  const { http, chat, fleet } = parts;
  const { trainer } = ctx;
  const broker = ctx.broker;
  const gauge = (key: string): number => ctx.gauges.snapshot()[key] ?? 0;

  const faults = new Faults(
    {
      cutSse: () => http.traffic.dropAll('sse'),
      cutLongPolls: () => http.traffic.dropAll('longPoll'),
      closeChat: () => chat.closeAll(),
      disconnectMqtt: () => broker?.dropClients() ?? 0,
      cutVehicles: (n) => {
        const sim = fleet.simulator();
        if (!sim) return 0;
        let cut = 0;
        // The highest ids first, as many as asked: a burst of wills at the same moment.
        const { vehicles } = sim.info();
        for (let id = vehicles; id >= 1 && cut < n; id--) if (sim.cut(id, 5)) cut++;
        return cut;
      },
      pauseTicker: (paused) => {
        http.setPaused(paused);
        return gauge('sse') + gauge('longPoll');
      },
      count: (kind) => {
        switch (kind) {
          case 'cut-sse':
            return gauge('sse');
          case 'cut-long-polls':
            return gauge('longPoll');
          case 'close-chat':
            return gauge('wsChat');
          case 'disconnect-mqtt':
            return broker ? gauge('mqttWs') + gauge('mqttTcp') : null;
          case 'cut-vehicles':
            return fleet.simulator()?.info().connected ?? null;
          default:
            return null;
        }
      },
    },
    opts.faultTiming,
  );

  // SSE messages: each ticker event is written once to every open stream.
  let sseMessages = 0;
  const unsubscribe = http.ticker.subscribe(() => {
    sseMessages += gauge('sse');
  });
  const rates = new RateSampler({
    sse: () => sseMessages,
    // Every long-poll request is answered once, so requests per second are answers per second.
    longPoll: () => http.traffic.started.longPoll,
    wsChat: () => chat.framesOut,
    mqtt: () => broker?.stats.outTotal ?? 0,
    room: () => room.framesOut,
  });

  // Reading the room is polled every second by the trainer page: checked here rather than with
  // requireTrainer, which rate-limits and logs each call as an action.
  const readGuard =
    (what: string) =>
    async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
      if (trainer.isTrainer(req)) {
        trainerSeenAt = Date.now();
        share?.trainerSeen(activeForMs);
        return undefined;
      }
      const body: NeedsTrainer = {
        error: `only the trainer can see ${what}`,
        statusCode: 403,
        needs: 'trainer',
        control: what,
      };
      return reply.code(403).header('Cache-Control', 'no-store').send(body);
    };

  const routes = (scope: FastifyInstance, _opts: unknown, done: () => void): void => {
    scope.setErrorHandler((err: { statusCode?: number; message: string }, _req, reply) => {
      const statusCode = err.statusCode && err.statusCode < 500 ? err.statusCode : 500;
      return reply
        .code(statusCode)
        .header('Cache-Control', 'no-store')
        .send({ error: err.message, statusCode, field: 'body' });
    });

    scope.get(WORKSHOP_API.status, (_req, reply) => {
      const body: WorkshopStatus = { active: active() };
      return reply.header('Cache-Control', 'no-store').send(body);
    });

    scope.get(
      WORKSHOP_API.join,
      { preHandler: readGuard('the join codes') },
      async (req, reply) => {
        const path = (req.query as { path?: unknown }).path;
        const page = path === '/en/' ? '/en/' : '/';
        const bases = lanUrls(ctx.config.host, listeningPort(app, ctx.config.port));
        const body: JoinInfo = { urls: await codes.codes(withPath(bases, page)) };
        return reply.header('Cache-Control', 'no-store').send(body);
      },
    );

    scope.get(WORKSHOP_API.room, { preHandler: readGuard('the room') }, (_req, reply) => {
      const snapshot = ctx.gauges.snapshot();
      const transports = Object.fromEntries(TRANSPORTS.map((k) => [k, snapshot[k] ?? 0])) as Record<
        TransportKey,
        number
      >;
      const sim = fleet.simulator();
      const body: RoomView = {
        attendees: room.attendees.size,
        ...room.presence(),
        transports,
        rates: rates.read(),
        tickerPaused: http.paused(),
        fleet: sim ? { vehicles: sim.info().vehicles, connected: sim.info().connected } : null,
        announcement: room.announcement,
        follow: room.followRequest,
        poll: room.trainerPoll(),
        faults: faults.reports(),
        at: Date.now(),
      };
      return reply.header('Cache-Control', 'no-store').send(body);
    });

    scope.post(
      WORKSHOP_API.announce,
      { preHandler: trainer.requireTrainer('announcements') },
      (req, reply) => {
        const text = isObj(req.body) ? req.body['text'] : undefined;
        if (typeof text !== 'string') return sendError(reply, 400, 'text must be a string', 'text');
        const clean = cleanLine(text);
        if (clean.length > WORKSHOP_LIMITS.announcementChars) {
          return sendError(
            reply,
            400,
            `an announcement has at most ${WORKSHOP_LIMITS.announcementChars} characters`,
            'text',
          );
        }
        share?.publish({ op: 'announce', text: clean });
        return reply
          .header('Cache-Control', 'no-store')
          .send({ announcement: room.announce(clean) });
      },
    );

    scope.post(
      WORKSHOP_API.follow,
      { preHandler: trainer.requireTrainer('follow me') },
      (req, reply) => {
        const chapter = isObj(req.body) ? req.body['chapter'] : undefined;
        if (typeof chapter !== 'string' || !PRESENCE_ID.test(chapter)) {
          return sendError(
            reply,
            400,
            'chapter must be a chapter slug ("" for the home page)',
            'chapter',
          );
        }
        share?.publish({ op: 'follow', chapter });
        return reply.header('Cache-Control', 'no-store').send({ follow: room.follow(chapter) });
      },
    );

    scope.post(WORKSHOP_API.poll, { preHandler: trainer.requireTrainer('polls') }, (req, reply) => {
      const question = pollQuestion(req.body);
      if ('error' in question) return sendError(reply, 400, question.error, question.field);
      return reply.header('Cache-Control', 'no-store').send({ poll: room.openPoll(question) });
    });

    scope.post(
      WORKSHOP_API.pollState,
      { preHandler: trainer.requireTrainer('polls') },
      (req, reply) => {
        const b = isObj(req.body) ? req.body : {};
        const change: { open?: boolean; shown?: boolean } = {};
        for (const field of ['open', 'shown'] as const) {
          const v = b[field];
          if (v === undefined) continue;
          if (typeof v !== 'boolean')
            return sendError(reply, 400, `${field} must be true or false`, field);
          change[field] = v;
        }
        const poll = room.setPoll(change);
        if (!poll) {
          return reply
            .code(409)
            .header('Cache-Control', 'no-store')
            .send({ error: 'no poll is open', statusCode: 409 });
        }
        return reply.header('Cache-Control', 'no-store').send({ poll });
      },
    );

    for (const kind of FAULT_KINDS) {
      scope.post(
        `${WORKSHOP_API.faults}/${kind}`,
        { preHandler: trainer.requireTrainer(FAULT_CONTROL[kind]) },
        (req, reply) => {
          let n = 10;
          if (kind === 'cut-vehicles') {
            const raw = isObj(req.body) ? req.body['n'] : undefined;
            if (raw !== undefined) {
              if (!Number.isSafeInteger(raw) || (raw as number) < 1) {
                return sendError(
                  reply,
                  400,
                  `n must be a whole number from 1 to ${WORKSHOP_LIMITS.maxCut}`,
                  'n',
                );
              }
              n = Math.min(raw as number, WORKSHOP_LIMITS.maxCut);
            }
          }
          const report = faults.run(kind, n);
          // Every instance cuts its own connections; the pause is the shared ticker's state.
          if (kind !== 'pause-ticker' && kind !== 'resume-ticker') {
            share?.publish({ op: 'fault', kind, n });
          }
          trainer.record(req, `fault ${kind}`, { touched: report.touched });
          const body: FaultResult = { report };
          return reply.header('Cache-Control', 'no-store').send(body);
        },
      );
    }
    // Static routes win over this one: it only answers fault names that do not exist.
    scope.post(`${WORKSHOP_API.faults}/:kind`, (req, reply) =>
      sendError(reply, 400, `no fault called "${(req.params as { kind: string }).kind}"`, 'kind'),
    );
    done();
  };
  void app.register(routes);

  // The attendees' socket: one per page.
  const sockets = new Set<WebSocket>();
  const wss = new WebSocketServer({
    noServer: true,
    // RFC 6455 §7.4.1: a bigger message closes the connection with 1009 (ws does this for us).
    maxPayload: WORKSHOP_LIMITS.maxPayloadBytes,
    perMessageDeflate: false,
  });
  wss.on('connection', (ws: WebSocket, req: IncomingMessage) => {
    sockets.add(ws);
    const attendee = room.join(
      {
        send: (frame) => {
          if (ws.readyState === ws.OPEN) ws.send(frame);
        },
        get buffered() {
          return ws.bufferedAmount;
        },
        terminate: () => ws.terminate(),
      },
      // The address as the per-visitor limits see it (the browser's, behind a trusted proxy).
      ctx.visitors.of(req).address,
    );
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      room.receive(attendee, (data as Buffer).toString('utf8'));
    });
    ws.on('error', () => ws.terminate());
    ws.on('close', () => {
      sockets.delete(ws);
      room.leave(attendee);
    });
  });
  ctx.router.route(ROOM_WS_PATH, (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // RFC 6455 §4.2.2: refuse a handshake from a foreign origin with a plain HTTP error.
    if (!isAllowedOrigin(req, ctx.config.allowedOrigins)) {
      rejectUpgrade(socket, 403, `Origin ${req.headers.origin ?? ''} may not open ${ROOM_WS_PATH}`);
      return;
    }
    const refusal = room.refusal(ctx.visitors.of(req).address);
    if (refusal) {
      rejectUpgrade(socket, 429, refusal);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });
  ctx.gauges.register('wsRoom', () => sockets.size);
  const stopHeartbeat = startHeartbeat(() => sockets, HEARTBEAT_MS);

  if (share) {
    share.onAction = (action) => {
      if (action.op === 'fault') faults.run(action.kind, action.n);
      else if (action.op === 'announce') room.announce(action.text);
      else room.follow(action.chapter);
    };
    // An instance started after the trainer spoke shows what the others show.
    void share.kept().then(
      ({ announce, follow }) => {
        if (announce) room.announce(announce);
        if (follow !== null) room.follow(follow);
      },
      () => {},
    );
  }

  return {
    room,
    faults,
    active,
    close() {
      share?.close();
      ctx.router.unroute(ROOM_WS_PATH);
      stopHeartbeat();
      unsubscribe();
      rates.close();
      faults.close();
      for (const ws of sockets) ws.terminate();
      wss.close();
    },
  };
}

function listeningPort(app: FastifyInstance, fallback: number): number {
  const address = app.server.address();
  return typeof address === 'object' && address ? address.port : fallback;
}

/** Checks the body of POST /api/workshop/poll. */
function pollQuestion(body: unknown): PollQuestion | { field: string; error: string } {
  if (!isObj(body)) return { field: 'body', error: 'body must be a JSON object' };
  const rawChoices = body['choices'];
  const { minChoices, maxChoices, choiceChars, questionChars } = WORKSHOP_LIMITS;
  if (
    !Array.isArray(rawChoices) ||
    rawChoices.length < minChoices ||
    rawChoices.length > maxChoices ||
    !rawChoices.every((c) => typeof c === 'string')
  ) {
    return {
      field: 'choices',
      error: `choices must be ${minChoices} to ${maxChoices} strings`,
    };
  }
  if (body['quiz'] !== undefined) {
    const quiz = body['quiz'];
    if (typeof quiz !== 'string' || !quiz || !PRESENCE_ID.test(quiz)) {
      return { field: 'quiz', error: 'quiz must be a question id of the selection quiz' };
    }
    if (!rawChoices.every((c) => c && PRESENCE_ID.test(c))) {
      return { field: 'choices', error: 'choices of a quiz question must be its answer ids' };
    }
    return { kind: 'quiz', questionId: quiz, choices: rawChoices };
  }
  const q = body['question'];
  const question = typeof q === 'string' ? cleanLine(q) : '';
  if (!question || question.length > questionChars) {
    return { field: 'question', error: `question must be 1 to ${questionChars} characters` };
  }
  const choices = rawChoices.map(cleanLine);
  if (choices.some((c) => !c || c.length > choiceChars)) {
    return { field: 'choices', error: `each answer must be 1 to ${choiceChars} characters` };
  }
  if (new Set(choices).size !== choices.length) {
    return { field: 'choices', error: 'two answers are the same' };
  }
  return { kind: 'custom', question, choices };
}
