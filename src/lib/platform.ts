// What browser code takes from its platform, as parameters so that vitest can pass fakes:
// `fetch`, timers, and a clock. One definition each, for every client and state class.
import type { Clock } from './measure/clock.ts';

/** The subset of `fetch` the lab's clients use. */
export type FetchLike = (
  input: string,
  init?: { method?: string; headers?: Record<string, string>; body?: string; signal?: AbortSignal },
) => Promise<Response>;

/** Timers, passed in so tests can use fake ones. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The global timers. */
export const realTimers: Timers = {
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof setTimeout>),
};

/** A clock with timers: what code needs that both reads the time and waits (reconnects). */
export interface TimeSource extends Timers {
  now: Clock;
}

/** The platform's clock and timers. */
export const systemTime: TimeSource = { ...realTimers, now: () => Date.now() };
