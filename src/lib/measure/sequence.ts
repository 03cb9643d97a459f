/** Counts of a numbered stream as one receiver saw it. */
export interface SequenceCounts {
  received: number;
  /** Numbers skipped: events that never arrived. */
  missed: number;
  /** Numbers that arrived twice (or older than the newest). */
  duplicates: number;
  /** Highest number received (the resume cursor). */
  last: number;
}

/**
 * Finds lost and repeated events from their sequence numbers: after the cursor `last`, the next
 * event must be `last + 1`; anything higher leaves a gap, anything lower or equal is a repeat.
 */
export class SequenceTracker {
  #c: SequenceCounts;

  constructor(start = 0) {
    this.#c = { received: 0, missed: 0, duplicates: 0, last: start };
  }

  /** Counts one event; returns how many events were skipped right before it. */
  accept(seq: number): number {
    if (seq <= this.#c.last) {
      this.#c.duplicates++;
      return 0;
    }
    const gap = seq - this.#c.last - 1;
    this.#c.missed += gap;
    this.#c.received++;
    this.#c.last = seq;
    return gap;
  }

  /** Moves the cursor without counting a gap (the server said it restarted). */
  rewind(to: number): void {
    this.#c.last = to;
  }

  /** Sets the cursor where the stream starts, when nothing was received yet. */
  startAt(seq: number): void {
    if (this.#c.received === 0) this.#c.last = seq;
  }

  /** The resume cursor: the highest seq received. */
  get last(): number {
    return this.#c.last;
  }

  /** A copy of the counts. */
  get counts(): SequenceCounts {
    return { ...this.#c };
  }
}
