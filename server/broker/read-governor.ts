/** What the governor needs from the clock and the event loop (injected in tests). */
export interface GovernorTimers {
  now(): number;
  /** Runs `fn` after the event loop's next poll for I/O (`setImmediate`). */
  later(fn: () => void): void;
}

const realTimers: GovernorTimers = {
  now: () => performance.now(),
  later: (fn) => void setImmediate(fn),
};

/**
 * Shares the event loop fairly between publishing connections, so that one flooding client
 * slows itself and nobody else.
 *
 * Node reads every readable socket once per turn of the event loop, and before this each
 * chunk read (up to 64 KiB, about 600 small PUBLISH packets) was handled whole. With fifty
 * publishers offering more than the broker can take, one turn took 0.4-0.8 s: `/api/health`
 * answered in 776 ms at p99, and another client's messages waited behind the backlog, which
 * by then sat in the publishers' kernel buffers and took minutes to drain.
 *
 * Here a connection hands over at most `quantum` PUBLISH packets from what it read, then
 * stops reading (`hold`) and joins the back of a queue. Once per turn, after Node has polled
 * for I/O (so HTTP requests and light clients are served in between), the queue is served
 * oldest first, a quantum each, for at most `budgetMs`. A stopped connection's socket fills
 * and TCP pushes back on its publisher; nothing it sent is dropped or reordered.
 */
export class ReadGovernor {
  /** PUBLISH packets one connection hands over before it yields. */
  readonly quantum: number;
  readonly #budgetMs: number;
  readonly #timers: GovernorTimers;
  // Held connections, oldest first: an array read from a moving head, compacted as it empties.
  #queue: (() => void)[] = [];
  #head = 0;
  #scheduled = false;
  #yields = 0;

  constructor(quantum = 64, budgetMs = 8, timers: GovernorTimers = realTimers) {
    this.quantum = quantum;
    this.#budgetMs = budgetMs;
    this.#timers = timers;
  }

  /** Connections waiting for their turn now. */
  get waiting(): number {
    return this.#queue.length - this.#head;
  }

  /** How many times a connection yielded after its quantum (for `$SYS/lab/stats`). */
  get yields(): number {
    return this.#yields;
  }

  /** Puts a connection at the back of the queue; `resume` is called on its turn. */
  hold(resume: () => void): void {
    this.#yields++;
    this.#queue.push(resume);
    this.#schedule();
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    this.#timers.later(() => this.#serve());
  }

  #serve(): void {
    this.#scheduled = false;
    const start = this.#timers.now();
    // Only those waiting now: a connection that yields again goes behind them, to a later turn.
    const end = this.#queue.length;
    while (this.#head < end) {
      const resume = this.#queue[this.#head]!;
      this.#head++;
      resume();
      if (this.#timers.now() - start >= this.#budgetMs) break;
    }
    if (this.#head === this.#queue.length) {
      this.#queue = [];
      this.#head = 0;
    } else if (this.#head > 1024) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    if (this.waiting > 0) this.#schedule();
  }

  /** Forgets every held connection (the broker is closing). */
  close(): void {
    this.#queue = [];
    this.#head = 0;
  }
}
