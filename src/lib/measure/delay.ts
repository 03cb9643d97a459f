/** Summary of delays so far (ms). */
export interface DelaySummary {
  count: number;
  mean: number;
  p50: number;
  p99: number;
  min: number;
  max: number;
}

/** The value below which `q` (0..1) of the sorted values fall (nearest rank). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] ?? NaN;
}

/** Summarises a list of delays; NaN fields when empty. */
export function summarize(values: readonly number[]): DelaySummary {
  const sorted = [...values].sort((a, b) => a - b);
  const sum = sorted.reduce((a, b) => a + b, 0);
  return {
    count: sorted.length,
    mean: sorted.length ? sum / sorted.length : NaN,
    p50: quantile(sorted, 0.5),
    p99: quantile(sorted, 0.99),
    min: sorted[0] ?? NaN,
    max: sorted[sorted.length - 1] ?? NaN,
  };
}

/** One delivered event's delay, for charts. */
export interface DelayPoint {
  seq: number;
  delay: number;
}

/**
 * Delivery delays of a stream: receipt time minus the sender's timestamp, both on the server's
 * clock (the local receipt time is shifted by the measured offset). Keeps a bounded window.
 */
export class DelayRecorder {
  readonly #window: number;
  #points: DelayPoint[] = [];
  #offset = 0;

  constructor(window = 500) {
    this.#window = window;
  }

  /** Server clock minus local clock (ms), from `measureOffset`. */
  set offset(ms: number) {
    this.#offset = ms;
  }
  get offset(): number {
    return this.#offset;
  }

  /** Records one event sent at `sentAt` (server clock) and received at `receivedAt` (local). */
  record(seq: number, sentAt: number, receivedAt: number): number {
    const delay = receivedAt + this.#offset - sentAt;
    this.#points.push({ seq, delay });
    if (this.#points.length > this.#window)
      this.#points.splice(0, this.#points.length - this.#window);
    return delay;
  }

  /** The recent points, oldest first. */
  get points(): readonly DelayPoint[] {
    return this.#points;
  }

  /** Summary of the recent window. */
  summary(): DelaySummary {
    return summarize(this.#points.map((p) => p.delay));
  }

  /** Forgets every point (the offset stays). */
  clear(): void {
    this.#points = [];
  }
}
