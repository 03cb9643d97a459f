import type { Clock } from '../measure/clock.ts';
import { readEvents, type EventsResult } from './api.ts';
import type { FetchLike, Timers } from '../platform.ts';

/** What a short-polling client needs from its surroundings. */
export interface PollDeps {
  fetch: FetchLike;
  clock: Clock;
  timers: Timers;
  clientId: string;
  base?: string;
}

/** Callbacks of a polling client. */
export interface PollHandlers {
  /** Before each request. */
  onRequest?(at: number): void;
  /** Each answer, with the local time it arrived. */
  onResult(result: EventsResult, receivedAt: number): void;
  onError(err: Error): void;
}

/**
 * Short polling: asks `GET /api/poll?after=<cursor>` every `intervalMs`, whether or not anything
 * happened. The interval is measured from the start of one request to the start of the next.
 */
export class PollClient {
  #interval: number;
  #cursor = 0;
  #running = false;
  #timer: unknown = null;
  #abort: AbortController | null = null;
  readonly #deps: PollDeps;
  readonly #on: PollHandlers;

  constructor(deps: PollDeps, handlers: PollHandlers, intervalMs = 2000) {
    this.#deps = deps;
    this.#on = handlers;
    this.#interval = intervalMs;
  }

  /** The last seq received (sent as `after`). */
  get cursor(): number {
    return this.#cursor;
  }
  set cursor(seq: number) {
    this.#cursor = seq;
  }

  get running(): boolean {
    return this.#running;
  }

  get intervalMs(): number {
    return this.#interval;
  }

  /** Changes the interval; takes effect from the next request. */
  set intervalMs(ms: number) {
    this.#interval = ms;
  }

  /** Polls now and then every interval. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    void this.#tick();
  }

  /** Stops; a request in flight is aborted. */
  stop(): void {
    this.#running = false;
    if (this.#timer !== null) this.#deps.timers.clearTimeout(this.#timer);
    this.#timer = null;
    this.#abort?.abort();
    this.#abort = null;
  }

  async #tick(): Promise<void> {
    this.#timer = null;
    if (!this.#running) return;
    const startedAt = this.#deps.clock();
    this.#on.onRequest?.(startedAt);
    const abort = new AbortController();
    this.#abort = abort;
    try {
      const url = `${this.#deps.base ?? ''}/api/poll?after=${this.#cursor}&clientId=${encodeURIComponent(this.#deps.clientId)}`;
      const result = await readEvents(await this.#deps.fetch(url, { signal: abort.signal }));
      if (abort.signal.aborted) return;
      const receivedAt = this.#deps.clock();
      this.#cursor = nextCursor(this.#cursor, result);
      this.#on.onResult(result, receivedAt);
    } catch (err) {
      if (abort.signal.aborted) return;
      this.#on.onError(err as Error);
    }
    if (!this.#running) return;
    const wait = Math.max(0, this.#interval - (this.#deps.clock() - startedAt));
    this.#timer = this.#deps.timers.setTimeout(() => void this.#tick(), wait);
  }
}

/** The cursor after an answer: the newest seq received, or a rewind when the server restarted. */
export function nextCursor(cursor: number, result: EventsResult): number {
  const newest = result.events.reduce((m, e) => Math.max(m, e.seq), 0);
  if (result.rewound) return newest || (result.latest ?? 0);
  return Math.max(cursor, newest);
}
