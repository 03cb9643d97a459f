// Whether the deployment's shared store (Redis, `--redis-url`) answers, as a demo page needs to
// know it: several demos stop delivering without any error of their own while Redis is away
// (a poll simply gets nothing new, an MQTT subscriber simply hears nothing), so the page asks
// `/api/health`, sparingly, and says so in its own words.
import type { HealthResponse } from '../wire/health.ts';
import { realTimers, type Timers } from '../platform.ts';
import { backoffDelay, type BackoffOptions } from '../backoff.ts';

/** Bounds of a delay that doubles from `minMs` to `maxMs`. */
export type DelayBounds = BackoffOptions;

/** What is known of the shared store: no answer yet, no store (one instance), up, or down. */
export type StoreState = 'unknown' | 'single' | 'up' | 'down';

/** How often the watch asks, each bound in ms. */
export interface StoreWatchOptions {
  timers?: Timers;
  random?: () => number;
  /** Whether the page is seen; a hidden page skips the checks made while the store is up. */
  isVisible?: () => boolean;
  /** Told whenever the state changes. */
  onChange?: (state: StoreState) => void;
  /** Wait before the first check, so it never competes with the page's own start. */
  firstDelayMs?: number;
  /** Between checks while the store is up (demos that cannot see an outage rely on these). */
  upEveryMs?: number;
  /** Between checks while it is down: a short backoff, so the notice goes soon after it is back. */
  down?: DelayBounds;
  /** Between checks while the lab itself does not answer. */
  unreachable?: DelayBounds;
  /** Reports closer together than this are one check. */
  reportGapMs?: number;
}

/**
 * Watches the shared store for the demos of one page. A lab without `--redis-url` is found out by
 * the first check, and no other check follows; with Redis, it checks every `upEveryMs` while the
 * page is visible, at once when a demo reports a request refused for the store's sake, and with a
 * short backoff while the store is down.
 */
export class StoreWatch {
  #state: StoreState = 'unknown';
  readonly #onChange: (state: StoreState) => void;

  readonly #check: () => Promise<HealthResponse>;
  readonly #timers: Timers;
  readonly #random: () => number;
  readonly #isVisible: () => boolean;
  readonly #first: number;
  readonly #upEvery: number;
  readonly #down: DelayBounds;
  readonly #unreachable: DelayBounds;
  readonly #reportGap: number;
  #users = 0;
  #timer: unknown = null;
  #busy = false;
  #attempt = 0;
  #lastCheck = -Infinity;

  constructor(check: () => Promise<HealthResponse>, opts: StoreWatchOptions = {}) {
    this.#check = check;
    this.#onChange = opts.onChange ?? (() => {});
    this.#timers = opts.timers ?? realTimers;
    this.#random = opts.random ?? Math.random;
    this.#isVisible = opts.isVisible ?? (() => true);
    this.#first = opts.firstDelayMs ?? 1500;
    this.#upEvery = opts.upEveryMs ?? 15_000;
    this.#down = opts.down ?? { minMs: 500, maxMs: 4000 };
    this.#unreachable = opts.unreachable ?? { minMs: 1000, maxMs: 30_000 };
    this.#reportGap = opts.reportGapMs ?? 1000;
  }

  /** What is known of the shared store now. */
  get state(): StoreState {
    return this.#state;
  }

  /** Whether the page should say that the shared store is away. */
  get down(): boolean {
    return this.#state === 'down';
  }

  #set(state: StoreState): void {
    if (state === this.#state) return;
    this.#state = state;
    this.#onChange(state);
  }

  /** One more notice on the page watches; the first schedules the first check. */
  start(): void {
    this.#users++;
    if (this.#users === 1 && this.#state !== 'single') this.#schedule(this.#first);
  }

  /** One notice fewer; with none left, no more checks. */
  stop(): void {
    this.#users = Math.max(0, this.#users - 1);
    if (this.#users === 0) this.#clear();
  }

  /** A demo's request was refused because the shared store is away: check now (at most once a `reportGapMs`). */
  report(): void {
    if (this.#users === 0 || this.#busy || this.#state === 'single') return;
    this.#schedule(Math.max(0, this.#lastCheck + this.#reportGap - Date.now()));
  }

  #clear(): void {
    if (this.#timer !== null) this.#timers.clearTimeout(this.#timer);
    this.#timer = null;
  }

  #schedule(ms: number): void {
    this.#clear();
    this.#timer = this.#timers.setTimeout(() => {
      this.#timer = null;
      void this.#run();
    }, ms);
  }

  // Doubles per attempt up to the bound, jittered so that a room of pages that saw the outage
  // together does not ask in step (backoff.ts).
  #delay(bounds: DelayBounds): number {
    return backoffDelay(this.#attempt++, this.#random, bounds);
  }

  async #run(): Promise<void> {
    if (this.#users === 0) return;
    // While the store is up a hidden page has nothing to tell: look again later.
    if (this.#state === 'up' && !this.#isVisible()) return this.#schedule(this.#upEvery);
    this.#busy = true;
    this.#lastCheck = Date.now();
    let next: number | null;
    try {
      const health = await this.#check();
      if (health.redis === undefined) {
        this.#set('single');
        next = null;
      } else if (health.redis === 'down') {
        this.#set('down');
        next = this.#delay(this.#down);
      } else {
        this.#set('up');
        this.#attempt = 0;
        next = this.#upEvery;
      }
    } catch {
      // The lab itself is away (the page's own connections say so): keep what was known.
      next = this.#delay(this.#unreachable);
    } finally {
      this.#busy = false;
    }
    if (next !== null && this.#users > 0) this.#schedule(next);
  }
}
