import type { Aedes } from 'aedes';
import type { BrokerLimitCounts } from '../../src/lib/wire/mqtt-stats.ts';

/** The mqemitter 7 internals the guard reads and wraps. */
interface Emitter {
  length: number;
  emit(message: Message, cb?: (err?: Error) => void): unknown;
}

interface Message {
  qos?: number;
  retain?: boolean;
  clientId?: string;
}

/**
 * Keeps the broker's delivery queue (mqemitter's, behind its `concurrency` of 100 dispatches
 * at once) bounded when publishers outrun delivery.
 *
 * Unchecked, that queue grew to 702,000 messages and took 14 minutes to drain (each release
 * shifts the head of the array). Here, once `max` messages wait:
 * - a client's QoS 0 message that is not retained is dropped ("at most once", §4.3.1), and
 *   counted as shed: by the framer before Aedes sees it (`shed()`), or here for a message
 *   that came another way; the publisher keeps being read, so no backlog builds up behind it;
 * - a connection about to hand over a QoS 1/2 or retained PUBLISH stops being read
 *   (`hold`) and is resumed once the queue is down to half, oldest first. Its socket fills
 *   and TCP pushes back on the publisher; nothing it sent is dropped.
 * Messages already queued are delivered as before. The queue can pass `max` by the QoS 1/2
 * messages other connections already had in progress (each connection stops at `max`).
 */
export class OverloadGuard {
  readonly #mq: Emitter;
  readonly #max: number;
  readonly #counts: BrokerLimitCounts;
  // Paused connections, oldest first: each resumes itself (and may pause again).
  #held: (() => void)[] = [];
  #timer: ReturnType<typeof setTimeout> | null = null;

  constructor(aedes: Aedes, max: number, counts: BrokerLimitCounts) {
    const mq = (aedes as unknown as { mq: Emitter }).mq;
    if (typeof mq.emit !== 'function' || typeof mq.length !== 'number') {
      throw new Error('mqemitter has no emit() or length: update server/broker/overload.ts');
    }
    this.#mq = mq;
    this.#max = max;
    this.#counts = counts;
    const emit = mq.emit.bind(mq);
    mq.emit = (message, cb) => {
      // Only clients' messages: the broker's own ($SYS, client takeovers) always go through.
      if (
        message.clientId !== undefined &&
        !message.qos &&
        !message.retain &&
        mq.length >= this.#max
      ) {
        this.#counts.shed++;
        cb?.();
        return mq;
      }
      return emit(message, cb);
    };
  }

  /** Counts one QoS 0 message dropped before Aedes saw it, when the queue is full. */
  shed(): boolean {
    if (this.#mq.length < this.#max) return false;
    this.#counts.shed++;
    return true;
  }

  /** Messages waiting for delivery now. */
  get length(): number {
    return this.#mq.length;
  }

  /**
   * Whether a PUBLISH that cannot be shed must wait before it is handed over, given the
   * messages its connection has on their way to the queue.
   */
  busy(onTheWay = 0): boolean {
    return this.#mq.length + onTheWay >= this.#max;
  }

  /**
   * Registers a paused connection; `resume` is called once the queue has room again. `again`:
   * the same connection paused again on resuming (counted once).
   */
  hold(resume: () => void, again = false): void {
    if (!again) this.#counts.paused++;
    this.#held.push(resume);
    // Checked every millisecond only while something is paused.
    if (!this.#timer) this.#timer = setTimeout(() => this.#check(), 1).unref();
  }

  #check(): void {
    this.#timer = null;
    if (this.#mq.length <= this.#max / 2) {
      const held = this.#held;
      this.#held = [];
      for (let i = 0; i < held.length; i++) {
        // A connection resumed here may fill the queue again: the rest wait their turn.
        if (this.busy()) {
          this.#held = held.slice(i).concat(this.#held);
          break;
        }
        held[i]!();
      }
    }
    if (this.#held.length > 0) this.#timer = setTimeout(() => this.#check(), 1).unref();
  }

  /** Stops checking (the broker is closing). */
  close(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#held = [];
  }
}
