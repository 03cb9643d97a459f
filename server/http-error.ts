// The lab's one JSON error answer, for every module: `{ error, statusCode }`, plus `field` when
// one input was at fault, never cached and never HTML.
import type { FastifyReply } from 'fastify';
import type { ApiError } from '../src/lib/wire/health.ts';

/** Sends `{ error, statusCode, field? }` with `statusCode`; `field` names the input at fault. */
export function sendError(
  reply: FastifyReply,
  statusCode: number,
  error: string,
  field?: string,
): FastifyReply {
  const body: ApiError & { field?: string } =
    field === undefined ? { error, statusCode } : { error, statusCode, field };
  return reply.code(statusCode).header('Cache-Control', 'no-store').send(body);
}
