// The lab backs off instead of queueing: when its event loop runs late (the machine cannot keep
// up with the fleet), the vehicles publish more slowly until it catches up again.

/** Tuning of the backoff. */
export interface BackoffOptions {
  /** A sample later than this doubles the slowdown. */
  highLagMs: number;
  /** This many samples in a row under `lowLagMs` halve it again. */
  lowLagMs: number;
  calmSamples: number;
  maxSlowdown: number;
}

/** The defaults: react to 100 ms of lag, recover after 4 s of calm (16 samples of 250 ms). */
export const BACKOFF_DEFAULTS: BackoffOptions = {
  highLagMs: 100,
  lowLagMs: 20,
  calmSamples: 16,
  maxSlowdown: 32,
};

/** Turns event-loop lag samples into a slowdown factor (1, 2, 4, …). */
export class Backoff {
  readonly #o: BackoffOptions;
  #slowdown = 1;
  #calm = 0;

  constructor(opts: Partial<BackoffOptions> = {}) {
    this.#o = { ...BACKOFF_DEFAULTS, ...opts };
  }

  /** The factor now. */
  get slowdown(): number {
    return this.#slowdown;
  }

  /** Takes one lag sample; returns the new factor. */
  sample(lagMs: number): number {
    if (lagMs > this.#o.highLagMs) {
      this.#slowdown = Math.min(this.#o.maxSlowdown, this.#slowdown * 2);
      this.#calm = 0;
    } else if (lagMs < this.#o.lowLagMs) {
      if (++this.#calm >= this.#o.calmSamples && this.#slowdown > 1) {
        this.#slowdown /= 2;
        this.#calm = 0;
      }
    } else {
      this.#calm = 0;
    }
    return this.#slowdown;
  }
}

/** Samples event-loop lag every `everyMs` (a timer's lateness) and calls `onLag`; returns stop. */
export function watchLag(onLag: (lagMs: number) => void, everyMs = 250): () => void {
  let expected = performance.now() + everyMs;
  const timer = setInterval(() => {
    const now = performance.now();
    onLag(Math.max(0, now - expected));
    expected = now + everyMs;
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
