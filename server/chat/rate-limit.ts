/**
 * A token bucket: `capacity` frames at once, refilled at `perSecond`. Each connection gets one,
 * so a flood from one tab cannot slow the room down for everyone else.
 */
export class TokenBucket {
  readonly #capacity: number;
  readonly #perMs: number;
  readonly #now: () => number;
  #tokens: number;
  #at: number;

  constructor(perSecond: number, now: () => number = () => performance.now()) {
    this.#capacity = perSecond;
    this.#perMs = perSecond / 1000;
    this.#now = now;
    this.#tokens = perSecond;
    this.#at = now();
  }

  /** Takes one token if there is one; false means "over the limit, drop this frame". */
  take(): boolean {
    const now = this.#now();
    this.#tokens = Math.min(this.#capacity, this.#tokens + (now - this.#at) * this.#perMs);
    this.#at = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
