import type { FastifyReply, FastifyRequest } from 'fastify';
import type { DemoError } from '../../src/lib/wire/http-demos.ts';
import { isClientId } from '../../src/lib/wire/http-demos.ts';
import type { Ticker } from './ticker.ts';
import type { Traffic } from './traffic.ts';

/** Limits of the HTTP demos; all have defaults suited to a workshop of a few hundred browsers. */
export interface HttpDemoOptions {
  /** Events kept in the ring buffer. */
  bufferSize: number;
  /** Events per second at start. */
  rate: number;
  /** Start the ticker's timer (tests emit by hand). */
  autostart: boolean;
  /** How long a long-poll is held without events, unless the request asks for another time. */
  longPollTimeoutMs: number;
  /** SSE comment heartbeat period. */
  heartbeatMs: number;
  /** Concurrent long-polls per visitor. */
  maxLongPollsPerClient: number;
  /** Concurrent SSE streams per visitor. */
  maxStreamsPerClient: number;
  /** Concurrent long-polls plus streams in total (503 past it): protects the file descriptors. */
  maxTotalHeld: number;
  /** "Send event now" presses per visitor per second. */
  maxEmitsPerSecond: number;
  /** A stream whose unsent backlog exceeds this is cut (the client resumes from its last id). */
  maxStreamBacklogBytes: number;
}

/** What each route module of the HTTP demos needs. */
export interface DemoDeps {
  ticker: Ticker;
  traffic: Traffic;
  options: HttpDemoOptions;
}

/** A query parameter as one string; a repeated parameter counts as invalid (returns false). */
export function queryParam(req: FastifyRequest, name: string): string | undefined | false {
  const v = (req.query as Record<string, unknown> | undefined)?.[name];
  if (v === undefined) return undefined;
  return typeof v === 'string' ? v : false;
}

/** Sends a JSON error `{error, statusCode, param?}`. */
export function fail(
  reply: FastifyReply,
  statusCode: number,
  error: string,
  param?: string,
): FastifyReply {
  const body: DemoError = param ? { error, statusCode, param } : { error, statusCode };
  return reply.code(statusCode).header('Cache-Control', 'no-store').send(body);
}

/**
 * Who a request belongs to, for caps, byte counts and "drop connection": the `clientId` query
 * parameter each demo sends, or the peer address for clients that send none (curl).
 * Returns null when a clientId was given but is malformed.
 */
export function clientKeyOf(req: FastifyRequest): string | null {
  const raw = queryParam(req, 'clientId');
  if (raw === undefined) return `ip-${req.ip}`;
  return isClientId(raw) ? raw : null;
}

/** The 400 for a malformed clientId. */
export function badClientId(reply: FastifyReply): FastifyReply {
  return fail(reply, 400, 'clientId must be 1-64 letters, digits, "-" or "_"', 'clientId');
}
