// The lab's one JSON error answer, for every module: `{ error, statusCode }`, plus `field` when
// one input was at fault, never cached and never HTML.
import type { FastifyReply } from 'fastify';
import type { ApiError } from '../src/lib/wire/health.ts';
import { STORE_UNAVAILABLE } from '../src/lib/wire/health.ts';

/** Sends `{ error, statusCode, field? }` with `statusCode`; `field` names the input at fault. */
export function sendError(
  reply: FastifyReply,
  statusCode: number,
  error: string,
  field?: string,
): FastifyReply {
  return sendBody(
    reply,
    field === undefined ? { error, statusCode } : { error, statusCode, field },
  );
}

/** Sends an error body as it is, with its status, never cached. */
export function sendBody(reply: FastifyReply, body: ApiError & { field?: string }): FastifyReply {
  if (body.code === STORE_UNAVAILABLE) reply.header('Retry-After', '1');
  return reply.code(body.statusCode).header('Cache-Control', 'no-store').send(body);
}

/** The body of a refusal for want of the deployment's Redis (see `sendStoreDown`). */
export const STORE_DOWN_BODY: ApiError = {
  error: 'the shared store (Redis) is not answering; retry shortly',
  statusCode: 503,
  code: STORE_UNAVAILABLE,
};

/**
 * Sends the 503 of a request that needed the deployment's Redis while it is not answering, with
 * `code` so that pages say it in their own language; the client may retry after a second.
 */
export function sendStoreDown(reply: FastifyReply): FastifyReply {
  // RFC 9110 §10.2.3: Retry-After in seconds (sendBody adds it for this code).
  return sendBody(reply, STORE_DOWN_BODY);
}
