// Who is the trainer. Three ways in, checked per request:
//   1. a browser on the lab's own machine (the laptop at the projector), unless that is switched
//      off or a proxy may be in front (a reverse proxy on the same host would otherwise make every
//      visitor look local);
//   2. a session cookie set by POST /api/trainer/login after the token was typed into the page;
//   3. the token in the X-Trainer-Token header, for scripts and benchmarks.
// The token never travels in a URL, is never logged, and is compared in constant time.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  TRAINER_API,
  TRAINER_COOKIE,
  TRAINER_HEADER,
  type NeedsTrainer,
  type TrainerAction,
  type TrainerStatus,
  type TrainerVia,
} from '../../src/lib/wire/trainer.ts';
import { TokenBucket } from '../chat/rate-limit.ts';

/** How the lab recognises its trainer. */
export interface TrainerOptions {
  /** The trainer token; null generates a random one at start. */
  token: string | null;
  /** Trust browsers on this machine as the trainer (`--no-local-trainer` turns it off). */
  localTrainer: boolean;
  /** Fastify's `trustProxy` (`--trust-proxy`); when set, no request is trusted as local. */
  trustProxy: string | null;
}

/** Defaults: a random token, local browsers trusted, no proxy. */
export const TRAINER_DEFAULTS: TrainerOptions = {
  token: null,
  localTrainer: true,
  trustProxy: null,
};

/** Limits of the trainer module, injectable for tests. */
export interface TrainerLimits {
  /** Trainer actions per second (a burst of this many is allowed). */
  actionsPerSecond: number;
  /** Failed logins per address per window, and in total per window. */
  failedLoginsPerAddress: number;
  failedLoginsTotal: number;
  failedLoginWindowMs: number;
  /** Lifetime of a trainer session. */
  sessionMs: number;
  /** Sessions held at once (the oldest is dropped past it). */
  maxSessions: number;
  /** Entries of the action log kept. */
  logSize: number;
  now: () => number;
}

/** The production limits. */
export const TRAINER_LIMITS: TrainerLimits = {
  actionsPerSecond: 10,
  failedLoginsPerAddress: 5,
  failedLoginsTotal: 50,
  failedLoginWindowMs: 60_000,
  sessionMs: 12 * 3600_000,
  maxSessions: 32,
  logSize: 200,
  now: Date.now,
};

/** A request as Fastify gives it, or the raw request of a WebSocket upgrade. */
export type AnyRequest = FastifyRequest | IncomingMessage;

/** The trainer check every shared control uses. */
export interface TrainerAuth {
  /** Whether this request comes from the trainer. */
  isTrainer(req: AnyRequest): boolean;
  /** Why the request is the trainer's, or null when it is not. */
  via(req: AnyRequest): TrainerVia | null;
  /**
   * A Fastify preHandler for a control that changes what other visitors see: 403 JSON naming the
   * trainer to anyone else, 429 past the action rate; otherwise the action is logged and runs.
   */
  requireTrainer(
    control: string,
  ): (req: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | undefined>;
  /** Adds a line to the action log (e.g. how many connections a fault touched). */
  record(req: AnyRequest | null, action: string, detail?: Record<string, unknown>): void;
  /** The action log, oldest first. */
  log(): TrainerAction[];
  /** Whether browsers on this machine count as the trainer. */
  readonly localTrusted: boolean;
  /** The token, for the start-up banner only. */
  readonly token: string;
}

/** Loopback in IPv4, IPv6 and IPv4-mapped IPv6 form. */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  return (
    address === '::1' ||
    address.startsWith('127.') ||
    address.startsWith('::ffff:127.') ||
    address === '0:0:0:0:0:0:0:1'
  );
}

// A proxy says who it forwards for in these; their presence means the peer is not the browser.
const FORWARDING_HEADERS = ['x-forwarded-for', 'forwarded', 'x-real-ip', 'via', 'x-forwarded-host'];

function rawOf(req: AnyRequest): IncomingMessage {
  return 'raw' in req ? req.raw : req;
}

/** The value of one cookie in a Cookie header (RFC 6265 §5.4), or undefined. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** Whether a token is long and plain enough to be typed and hard to guess. */
export function checkToken(token: string): string | null {
  if (!/^[\x21-\x7e]{12,128}$/.test(token)) {
    return 'the trainer token must be 12-128 printable ASCII characters without spaces';
  }
  return null;
}

/** Creates the trainer check and registers /api/trainer, its login, logout and log routes. */
export function registerTrainer(
  app: FastifyInstance,
  options: TrainerOptions,
  limits: Partial<TrainerLimits> = {},
): TrainerAuth {
  const lim = { ...TRAINER_LIMITS, ...limits };
  const token = options.token ?? randomBytes(18).toString('base64url');
  const tokenDigest = digest(token);
  const localTrusted = options.localTrainer && options.trustProxy === null;
  const sessions = new Map<string, number>(); // session id -> expiry
  const failures = new Map<string, number[]>(); // address -> failure times in the window
  let failuresTotal: number[] = [];
  const actions: TrainerAction[] = [];
  const bucket = new TokenBucket(lim.actionsPerSecond, lim.now);

  // Constant time: both sides are hashed to 32 bytes first, so neither the length nor the
  // position of the first wrong character shows in the timing.
  const tokenMatches = (given: unknown): boolean =>
    typeof given === 'string' && timingSafeEqual(digest(given), tokenDigest);

  const isLocal = (raw: IncomingMessage): boolean => {
    if (!localTrusted) return false;
    if (FORWARDING_HEADERS.some((h) => raw.headers[h] !== undefined)) return false;
    const peer = raw.socket.remoteAddress;
    // A browser on this machine reaching one of its LAN addresses connects from that address.
    if (!isLoopback(peer) && !(peer && peer === raw.socket.localAddress)) return false;
    // A page from another site open in the trainer's browser must not act as the trainer.
    const origin = raw.headers.origin;
    if (origin !== undefined) {
      try {
        if (new URL(origin).host !== raw.headers.host) return false;
      } catch {
        return false;
      }
    }
    return true;
  };

  const sessionOf = (raw: IncomingMessage): string | undefined => {
    const sid = readCookie(raw.headers.cookie, TRAINER_COOKIE);
    if (!sid) return undefined;
    const expires = sessions.get(sid);
    if (expires === undefined) return undefined;
    if (expires <= lim.now()) {
      sessions.delete(sid);
      return undefined;
    }
    return sid;
  };

  const via = (req: AnyRequest): TrainerVia | null => {
    const raw = rawOf(req);
    if (sessionOf(raw)) return 'session';
    const header = raw.headers[TRAINER_HEADER];
    if (header !== undefined && tokenMatches(header)) return 'header';
    if (isLocal(raw)) return 'local';
    return null;
  };

  const addressOf = (req: AnyRequest): string =>
    'raw' in req ? req.ip : (req.socket.remoteAddress ?? '');

  const record = (req: AnyRequest | null, action: string, detail: Record<string, unknown> = {}) => {
    actions.push({
      ts: lim.now(),
      action,
      detail: summarize(detail),
      via: req ? via(req) : null,
      from: req ? addressOf(req) : '',
    });
    if (actions.length > lim.logSize) actions.splice(0, actions.length - lim.logSize);
  };

  const needsTrainer = (reply: FastifyReply, control: string): FastifyReply => {
    const body: NeedsTrainer = {
      error: `only the trainer can change ${control} for everyone`,
      statusCode: 403,
      needs: 'trainer',
      control,
    };
    return reply.code(403).header('Cache-Control', 'no-store').send(body);
  };

  const failedRecently = (address: string): { mine: number; total: number } => {
    const since = lim.now() - lim.failedLoginWindowMs;
    failuresTotal = failuresTotal.filter((t) => t > since);
    const mine = (failures.get(address) ?? []).filter((t) => t > since);
    if (mine.length) failures.set(address, mine);
    else failures.delete(address);
    return { mine: mine.length, total: failuresTotal.length };
  };

  app.get(TRAINER_API.status, (req, reply) => {
    const v = via(req);
    const body: TrainerStatus = { trainer: v !== null, via: v, localTrusted };
    return reply.header('Cache-Control', 'no-store').send(body);
  });

  app.post(TRAINER_API.login, (req, reply) => {
    const address = addressOf(req);
    const recent = failedRecently(address);
    if (recent.mine >= lim.failedLoginsPerAddress || recent.total >= lim.failedLoginsTotal) {
      return reply
        .code(429)
        .header('Retry-After', String(Math.ceil(lim.failedLoginWindowMs / 1000)))
        .send({ error: 'too many wrong tokens; wait a minute', statusCode: 429 });
    }
    const given = (req.body as { token?: unknown } | null | undefined)?.token;
    if (!tokenMatches(given)) {
      const now = lim.now();
      failures.set(address, [...(failures.get(address) ?? []), now]);
      failuresTotal.push(now);
      // Bounded: the failure map only holds addresses seen within one window.
      if (failures.size > 10_000) failures.clear();
      record(req, 'login-failed');
      const body: NeedsTrainer = {
        error: 'wrong trainer token',
        statusCode: 403,
        needs: 'trainer',
        control: 'login',
      };
      return reply.code(403).send(body);
    }
    const sid = randomBytes(24).toString('base64url');
    sessions.set(sid, lim.now() + lim.sessionMs);
    while (sessions.size > lim.maxSessions) {
      const oldest = sessions.keys().next().value;
      if (oldest === undefined) break;
      sessions.delete(oldest);
    }
    record(req, 'login');
    // HttpOnly: page scripts cannot read it; SameSite=Strict: no other site's page can use it.
    // No Secure flag: the lab is served over plain http on a LAN.
    return reply
      .header(
        'Set-Cookie',
        `${TRAINER_COOKIE}=${sid}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${Math.floor(lim.sessionMs / 1000)}`,
      )
      .header('Cache-Control', 'no-store')
      .send({ trainer: true, via: 'session', localTrusted } satisfies TrainerStatus);
  });

  app.post(TRAINER_API.logout, (req, reply) => {
    const sid = sessionOf(req.raw);
    if (sid) sessions.delete(sid);
    return reply
      .header('Set-Cookie', `${TRAINER_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`)
      .code(204)
      .send();
  });

  const requireTrainer =
    (control: string) =>
    async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
      if (via(req) === null) return needsTrainer(reply, control);
      if (!bucket.take()) {
        return reply
          .code(429)
          .header('Retry-After', '1')
          .send({
            error: `more than ${lim.actionsPerSecond} trainer actions per second`,
            statusCode: 429,
          });
      }
      const body = req.body;
      record(
        req,
        control,
        body && typeof body === 'object' && !Array.isArray(body)
          ? (body as Record<string, unknown>)
          : {},
      );
      return undefined;
    };

  app.get(
    TRAINER_API.log,
    {
      preHandler: async (req, reply) => {
        if (via(req) === null) return needsTrainer(reply, 'the action log');
        return undefined;
      },
    },
    (_req, reply) => reply.header('Cache-Control', 'no-store').send({ actions }),
  );

  return {
    isTrainer: (req) => via(req) !== null,
    via,
    requireTrainer,
    record,
    log: () => [...actions],
    localTrusted,
    token,
  };
}

// Only the top level, primitives only, strings cut short: the log stays small whatever a client
// sends, and a field named like a secret is never kept.
function summarize(detail: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(detail).slice(0, 8)) {
    if (/token|password|secret/i.test(k)) continue;
    if (typeof v === 'string') out[k] = v.length > 80 ? `${v.slice(0, 80)}…` : v;
    else if (typeof v === 'number' || typeof v === 'boolean' || v === null) out[k] = v;
    else out[k] = Array.isArray(v) ? '[array]' : '[object]';
  }
  return out;
}
