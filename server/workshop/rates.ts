// Messages per second per transport, for the trainer's chart: running totals read once a second.
import type { RateKey } from '../../src/lib/wire/workshop.ts';

/** A running total of messages sent over one transport. */
export type Counter = () => number;

/** Samples counters once a second while someone watches, and reports the last rates. */
export class RateSampler {
  readonly #counters: Record<RateKey, Counter>;
  readonly #now: () => number;
  #last: Record<RateKey, number> | null = null;
  #lastAt = 0;
  #rates: Record<RateKey, number>;
  #timer: ReturnType<typeof setInterval> | null = null;
  #watchedUntil = 0;

  constructor(counters: Record<RateKey, Counter>, now: () => number = () => performance.now()) {
    this.#counters = counters;
    this.#now = now;
    this.#rates = zero(counters);
  }

  /** The rates over the last sampled second; starts sampling for the next minute. */
  read(): Record<RateKey, number> {
    this.#watchedUntil = this.#now() + 60_000;
    if (!this.#timer) {
      this.#sample();
      this.#timer = setInterval(() => this.#sample(), 1000);
      this.#timer.unref();
    }
    return { ...this.#rates };
  }

  /** Stops sampling. */
  close(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  #sample(): void {
    const now = this.#now();
    const totals = Object.fromEntries(
      Object.entries(this.#counters).map(([k, read]) => [k, read()]),
    ) as Record<RateKey, number>;
    if (this.#last) {
      const secs = Math.max((now - this.#lastAt) / 1000, 0.001);
      for (const k of Object.keys(totals) as RateKey[]) {
        this.#rates[k] = Math.max(0, Math.round((totals[k] - this.#last[k]) / secs));
      }
    }
    this.#last = totals;
    this.#lastAt = now;
    // Nobody has looked for a minute (the trainer page closed): stop until the next read.
    if (now > this.#watchedUntil) {
      this.close();
      this.#last = null;
    }
  }
}

function zero(counters: Record<RateKey, Counter>): Record<RateKey, number> {
  return Object.fromEntries(Object.keys(counters).map((k) => [k, 0])) as Record<RateKey, number>;
}
