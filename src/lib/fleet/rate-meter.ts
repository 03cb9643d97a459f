/** Messages and bytes per second over a sliding window. */
export interface Rate {
  msgsPerS: number;
  bytesPerS: number;
}

/** Counts received messages in small buckets and reports the rate over the last `windowMs`. */
export class RateMeter {
  readonly #windowMs: number;
  readonly #bucketMs: number;
  readonly #now: () => number;
  #buckets: { t: number; msgs: number; bytes: number }[] = [];
  #since: number;

  constructor(windowMs = 4000, now: () => number = Date.now, bucketMs = 250) {
    this.#windowMs = windowMs;
    this.#bucketMs = bucketMs;
    this.#now = now;
    this.#since = now();
  }

  /** Records one message of `bytes` bytes. */
  add(bytes: number): void {
    const t = Math.floor(this.#now() / this.#bucketMs) * this.#bucketMs;
    const last = this.#buckets.at(-1);
    if (last && last.t === t) {
      last.msgs++;
      last.bytes += bytes;
    } else {
      this.#buckets.push({ t, msgs: 1, bytes });
      this.#trim();
    }
  }

  /** Forgets everything, e.g. when the subscriptions change. */
  reset(): void {
    this.#buckets = [];
    this.#since = this.#now();
  }

  /** True once a whole window has passed since the last reset, so the rate is steady. */
  full(): boolean {
    return this.#now() - this.#since >= this.#windowMs;
  }

  /** The rate over the window (or over the time since the reset, if shorter). */
  rate(): Rate {
    this.#trim();
    const span = Math.min(this.#windowMs, Math.max(this.#bucketMs, this.#now() - this.#since));
    let msgs = 0;
    let bytes = 0;
    for (const b of this.#buckets) {
      msgs += b.msgs;
      bytes += b.bytes;
    }
    return { msgsPerS: (msgs * 1000) / span, bytesPerS: (bytes * 1000) / span };
  }

  #trim(): void {
    const oldest = this.#now() - this.#windowMs;
    while (this.#buckets.length > 0 && (this.#buckets[0]?.t ?? 0) < oldest) this.#buckets.shift();
  }
}
