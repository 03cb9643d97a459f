import type { EventOrigin, TickerEvent } from '../../src/lib/wire/http-demos.ts';
import {
  RATE_DEFAULT,
  RATE_MAX,
  RATE_MIN,
  TICKER_LOG_LINES,
  TICKER_MANUAL_TEXT,
  TICKER_SENSORS,
} from '../../src/lib/wire/http-demos.ts';

/** A fixed-size buffer of the newest events, addressed by seq (1, 2, 3, … without gaps). */
export class RingBuffer<T extends { seq: number }> {
  readonly capacity: number;
  readonly #items: (T | undefined)[];
  #latest = 0;
  /** Lowest seq that can be held: above 1 once `accept` skipped a gap. */
  #floor = 1;

  constructor(capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError('capacity >= 1');
    this.capacity = capacity;
    this.#items = new Array<T | undefined>(capacity);
  }

  /** Highest seq stored so far (0 when nothing was pushed). */
  get latest(): number {
    return this.#latest;
  }

  /** Lowest seq still held; `latest + 1` when empty. */
  get oldest(): number {
    return Math.max(this.#floor, this.#latest - this.capacity + 1);
  }

  /** Number of items held. */
  get size(): number {
    return this.#latest - this.oldest + 1;
  }

  /** Stores the next item; its seq must be `latest + 1`. */
  push(item: T): void {
    if (item.seq !== this.#latest + 1) {
      throw new RangeError(`expected seq ${this.#latest + 1}, got ${item.seq}`);
    }
    this.#items[(item.seq - 1) % this.capacity] = item;
    this.#latest = item.seq;
  }

  /**
   * Stores an item that may skip ahead (a copy of a shared stream that missed some): older or
   * repeated seqs are ignored, and after a gap the missing ones count as gone.
   */
  accept(item: T): void {
    if (item.seq <= this.#latest) return;
    if (item.seq > this.#latest + 1) {
      this.#items.fill(undefined);
      this.#floor = item.seq;
      this.#latest = item.seq - 1;
    }
    this.push(item);
  }

  /**
   * Items after the cursor `after` (seq > after), oldest first, and how many of those are already
   * overwritten. A cursor ahead of `latest` (a client of a previous server run) is reported as
   * `ahead` with nothing to return.
   */
  after(after: number): { items: T[]; gone: number; ahead: boolean } {
    if (after > this.#latest) return { items: [], gone: 0, ahead: true };
    const from = Math.max(after + 1, this.oldest);
    const gone = from - (after + 1);
    const items: T[] = [];
    for (let seq = from; seq <= this.#latest; seq++) {
      items.push(this.#items[(seq - 1) % this.capacity] as T);
    }
    return { items, gone, ahead: false };
  }
}

/** A listener for new events. */
export type TickerListener = (ev: TickerEvent) => void;

/** Options of the ticker. */
export interface TickerOptions {
  /** Events kept for resuming clients. */
  capacity?: number;
  /** Events per second of the timer. */
  rate?: number;
  /** Start the timer at once (tests drive the ticker by hand with `false`). */
  autostart?: boolean;
  /** Clock, for tests. */
  now?: () => number;
  /** The deployment's shared stream, when several lab instances serve one ticker. */
  store?: TickerStore;
}

/** Where the events of a ticker shared by several lab instances are appended (server/redis). */
export interface TickerStore {
  /** Appends an event made at `ts` by `origin` after `latest` at least; resolves with its seq. */
  append(ts: number, origin: EventOrigin, latest: number): Promise<number>;
}

/**
 * The one stream of numbered events every HTTP demo reads: a timer at `rate` events/s plus events
 * a visitor asks for, kept in a ring buffer so that clients can resume from their cursor.
 */
export class Ticker {
  readonly buffer: RingBuffer<TickerEvent>;
  readonly #listeners = new Set<TickerListener>();
  readonly #now: () => number;
  readonly #store: TickerStore | null;
  #rate: number;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #running = false;
  /** When the next timed event is due (performance.now() time), or null when not scheduled. */
  #dueAt: number | null = null;

  constructor(opts: TickerOptions = {}) {
    this.buffer = new RingBuffer(opts.capacity ?? 1000);
    this.#rate = clampRate(opts.rate ?? RATE_DEFAULT);
    this.#now = opts.now ?? Date.now;
    this.#store = opts.store ?? null;
    if (opts.autostart ?? true) this.start();
  }

  /** Events per second of the timer. */
  get rate(): number {
    return this.#rate;
  }

  /** Listeners currently attached (the cleanup tests check it returns to 0). */
  get listenerCount(): number {
    return this.#listeners.size;
  }

  /** Whether the timer runs (false after `stop()`, e.g. the trainer's pause). */
  get running(): boolean {
    return this.#running;
  }

  /** Whether the timer is armed. */
  get timerArmed(): boolean {
    return this.#timer !== null;
  }

  /** Changes the rate; the next event comes one new interval from now. */
  setRate(rate: number): void {
    this.#rate = clampRate(rate);
    this.#dueAt = null;
    if (this.#running) this.#arm();
  }

  /** Starts the timer. */
  start(): void {
    this.#running = true;
    this.#dueAt = null;
    this.#arm();
  }

  /** Stops the timer (events can still be emitted by hand). */
  stop(): void {
    this.#running = false;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#dueAt = null;
  }

  /** Calls `fn` for every new event until the returned function is called. */
  subscribe(fn: TickerListener): () => void {
    this.#listeners.add(fn);
    return () => {
      this.#listeners.delete(fn);
    };
  }

  /** Creates, stores and announces the next event. */
  emit(origin: EventOrigin = 'ticker'): TickerEvent {
    const seq = this.buffer.latest + 1;
    const ev = makeEvent(seq, this.#now(), origin);
    this.buffer.push(ev);
    for (const fn of this.#listeners) fn(ev);
    return ev;
  }

  /**
   * Emits an event for every visitor: here, or with a shared store appended there first and
   * received back like every other instance's (`receive`).
   */
  async publish(origin: EventOrigin): Promise<TickerEvent> {
    if (!this.#store) return this.emit(origin);
    const ts = this.#now();
    const seq = await this.#store.append(ts, origin, this.buffer.latest);
    return makeEvent(seq, ts, origin);
  }

  /** Takes in an event of the shared stream (any instance's), in order, and announces it. */
  receive(seq: number, ts: number, origin: EventOrigin): void {
    if (seq <= this.buffer.latest) return;
    const ev = makeEvent(seq, ts, origin);
    this.buffer.accept(ev);
    for (const fn of this.#listeners) fn(ev);
  }

  /**
   * Resolves once this copy holds `seq` (at most `waitMs`): a client that saw `seq` on another
   * instance may arrive here a moment before the shared stream does.
   */
  async catchUp(seq: number, waitMs = 1000): Promise<void> {
    if (!this.#store || seq <= this.buffer.latest) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        off();
        resolve();
      };
      const off = this.subscribe((ev) => {
        if (ev.seq >= seq) done();
      });
      const timer = setTimeout(done, waitMs);
    });
  }

  #arm(): void {
    if (this.#timer) clearTimeout(this.#timer);
    const interval = 1000 / this.#rate;
    const now = performance.now();
    // Scheduled against absolute times, so a late timer does not slow the rate down; after a
    // long stall (a busy machine) the schedule restarts instead of firing a burst to catch up.
    if (this.#dueAt === null || this.#dueAt < now - 1000) this.#dueAt = now + interval;
    this.#timer = setTimeout(
      () => {
        this.#timer = null;
        this.#dueAt = (this.#dueAt ?? performance.now()) + 1000 / this.#rate;
        // A shared ticker's event comes back through `receive`; a failed append (Redis away)
        // is a missed tick, which the numbering does not show as a gap.
        if (this.#store) this.publish('ticker').catch(() => {});
        else this.emit('ticker');
        if (this.#running) this.#arm();
      },
      Math.max(0, this.#dueAt - now),
    );
  }
}

function clampRate(rate: number): number {
  if (!Number.isFinite(rate)) return RATE_DEFAULT;
  return Math.min(RATE_MAX, Math.max(RATE_MIN, rate));
}

/** A deterministic but varied payload (shared tickers rebuild it from seq, time and origin): every third event is a log line, the rest sensor readings. */
export function makeEvent(seq: number, ts: number, source: EventOrigin): TickerEvent {
  if (source === 'manual') {
    return { seq, ts, kind: 'log', level: 'info', source, text: TICKER_MANUAL_TEXT };
  }
  if (seq % 3 === 0) {
    const line = TICKER_LOG_LINES[(seq / 3) % TICKER_LOG_LINES.length] ?? TICKER_LOG_LINES[0];
    return { seq, ts, kind: 'log', level: line.level, source, text: line.text };
  }
  const sensor = TICKER_SENSORS[seq % TICKER_SENSORS.length] ?? 'lab';
  // A slow wave plus a little wobble, so the readings look alive but stay reproducible.
  const value = Math.round((21 + 3 * Math.sin(seq / 20) + ((seq * 7) % 5) / 10) * 10) / 10;
  return {
    seq,
    ts,
    kind: 'reading',
    level: value > 23.5 ? 'warn' : 'info',
    source,
    text: `${sensor} ${value.toFixed(1)} °C`,
    value,
  };
}
