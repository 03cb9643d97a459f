import type { FastifyReply, FastifyRequest } from 'fastify';
import { isClientId } from '../../src/lib/wire/http-demos.ts';
import type { Ticker } from './ticker.ts';
import type { Traffic } from './traffic.ts';
import type { HeldCounter, Visitors } from '../visitor.ts';
import { sendError } from '../http-error.ts';

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
  /** Concurrent SSE streams per page (`clientId`). */
  maxStreamsPerClient: number;
  /**
   * Concurrent streams plus long-polls per visitor (address + browser cookie), whatever
   * `clientId`s it claims; an address gets `--people-per-address` times this.
   */
  maxHeldPerVisitor: number;
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
  visitors: Visitors;
  /** Streams and long-polls held per visitor and per address. */
  held: HeldCounter;
}

/**
 * Counts a stream or long-poll against its visitor's and its address's caps until the response
 * closes; answers 429 and returns false past them. Keyed on who connects, not on the clientId
 * the client chooses: one client naming 5,000 clientIds still holds only its own share.
 */
export function holdForVisitor(req: FastifyRequest, reply: FastifyReply, deps: DemoDeps): boolean {
  const v = deps.visitors.of(req.raw);
  const perVisitor = deps.options.maxHeldPerVisitor;
  const perAddress = deps.visitors.perAddress(perVisitor);
  if (!deps.held.allows(v, perVisitor, perAddress)) {
    const n = deps.held.count(v);
    void sendError(
      reply,
      429,
      n.visitor >= perVisitor
        ? `at most ${perVisitor} streams and long-polls at once per browser; close one first`
        : `at most ${perAddress} streams and long-polls at once from one address; close one first`,
    );
    return false;
  }
  reply.raw.once('close', deps.held.hold(v));
  return true;
}

/** A query parameter as one string; a repeated parameter counts as invalid (returns false). */
export function queryParam(req: FastifyRequest, name: string): string | undefined | false {
  const v = (req.query as Record<string, unknown> | undefined)?.[name];
  if (v === undefined) return undefined;
  return typeof v === 'string' ? v : false;
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
  return sendError(reply, 400, 'clientId must be 1-64 letters, digits, "-" or "_"', 'clientId');
}
