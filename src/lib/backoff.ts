// The one backoff of the browser clients (chat, workshop, long polling): attempts count from 0.

/** Bounds of the reconnect delay. */
export interface BackoffOptions {
  /** Smallest delay, before the first retry. */
  minMs: number;
  /** Largest delay, however many retries failed. */
  maxMs: number;
}

/** The chat's (and the workshop's) reconnect bounds: from half a second to thirty seconds. */
export const CHAT_BACKOFF: BackoffOptions = { minMs: 500, maxMs: 30_000 };

/** Long polling's retry bounds after a failed request: from a quarter second to ten seconds. */
export const LONG_POLL_BACKOFF: BackoffOptions = { minMs: 250, maxMs: 10_000 };

/**
 * Delay before reconnect attempt `attempt` (0 for the first): a window that doubles each time,
 * from `2·minMs` up to `maxMs`, with the delay drawn from its upper half ("equal jitter").
 * So the first retry waits 0.5-1 s, the second 1-2 s, … and none waits longer than 30 s. The jitter spreads a
 * classroom of tabs that lost the server at the same moment, so they do not all return at once.
 */
export function backoffDelay(
  attempt: number,
  random: () => number = Math.random,
  opts: BackoffOptions = CHAT_BACKOFF,
): number {
  const window = Math.min(opts.maxMs, 2 * opts.minMs * 2 ** Math.max(0, attempt));
  const half = window / 2;
  return Math.round(half + random() * half);
}
