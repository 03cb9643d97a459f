import type { Clock } from '../measure/clock.ts';
import { readEvents, type EventsResult } from './api.ts';
import type { FetchLike, Timers } from '../platform.ts';
import { backoffDelay, LONG_POLL_BACKOFF } from '../backoff.ts';
import { nextCursor } from './poll-client.ts';

/** What a long-polling client needs from its surroundings. */
export interface LongPollDeps {
  fetch: FetchLike;
  clock: Clock;
  timers: Timers;
  clientId: string;
  /** 0 ≤ x < 1, for the retry jitter. */
  random: () => number;
  base?: string;
}

/** Callbacks of a long-polling client. */
export interface LongPollHandlers {
  /** A request was sent and is now held by the server. */
  onRequest?(at: number): void;
  /** A 200 (events) or 204 (hold time passed). */
  onResult(result: EventsResult, receivedAt: number): void;
  /** A failed request, and how long the client waits before the next try. */
  onError(err: Error, retryInMs: number): void;
}

/**
 * Long polling: `GET /api/long-poll?after=<cursor>` is held by the server until an event exists
 * after the cursor (or the hold time passes: 204). The client asks again at once after every
 * answer, and backs off with jitter after errors. The cursor makes it loss-free: whatever happened
 * while no request was open comes in the next answer.
 */
export class LongPollClient {
  #cursor = 0;
  #running = false;
  #failures = 0;
  #timer: unknown = null;
  #abort: AbortController | null = null;
  #holdS: number;
  readonly #deps: LongPollDeps;
  readonly #on: LongPollHandlers;

  constructor(deps: LongPollDeps, handlers: LongPollHandlers, holdS = 25) {
    this.#deps = deps;
    this.#on = handlers;
    this.#holdS = holdS;
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

  /** Seconds the server holds each request; used from the next request on. */
  set holdSeconds(s: number) {
    this.#holdS = s;
  }
  get holdSeconds(): number {
    return this.#holdS;
  }

  /** Starts the request loop. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#failures = 0;
    void this.#loop();
  }

  /** Stops; the request in flight is aborted. */
  stop(): void {
    this.#running = false;
    if (this.#timer !== null) this.#deps.timers.clearTimeout(this.#timer);
    this.#timer = null;
    this.#abort?.abort();
    this.#abort = null;
  }

  async #loop(): Promise<void> {
    this.#timer = null;
    while (this.#running) {
      const abort = new AbortController();
      this.#abort = abort;
      this.#on.onRequest?.(this.#deps.clock());
      try {
        const url =
          `${this.#deps.base ?? ''}/api/long-poll?after=${this.#cursor}` +
          `&timeout=${this.#holdS}&clientId=${encodeURIComponent(this.#deps.clientId)}`;
        const result = await readEvents(await this.#deps.fetch(url, { signal: abort.signal }));
        if (abort.signal.aborted) return;
        this.#failures = 0;
        this.#cursor = nextCursor(this.#cursor, result);
        this.#on.onResult(result, this.#deps.clock());
      } catch (err) {
        if (abort.signal.aborted || !this.#running) return;
        this.#failures++;
        // #failures counts from 1 here; the backoff's attempts count from 0.
        const wait = backoffDelay(this.#failures - 1, this.#deps.random, LONG_POLL_BACKOFF);
        this.#on.onError(err as Error, wait);
        this.#timer = this.#deps.timers.setTimeout(() => void this.#loop(), wait);
        return;
      }
    }
  }
}
