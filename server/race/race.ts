import { performance } from 'node:perf_hooks';
import type { Scenario } from '../../src/lib/wire/race.ts';
import { dueAtMs, encodePayload, messageCount } from '../../src/lib/wire/race.ts';

/** Where a race is in its life. */
export type RaceState = 'ready' | 'running' | 'finished';

/** Called once per published message, in the same tick for every lane. */
export type PublishListener = (seq: number, payload: string) => void;

/**
 * One visitor's race: a private stream of `total` numbered messages, published on a schedule.
 * Only the send times are stored (8 bytes a message): a payload is rebuilt from its seq and send
 * time whenever a lane replays it, so a race holds no payload bytes however large they are.
 */
export class Race {
  readonly id: string;
  readonly visitor: string;
  readonly scenario: Scenario;
  readonly total: number;
  readonly createdAt = Date.now();
  state: RaceState = 'ready';
  /** Messages published so far (the highest seq). */
  published = 0;
  /** Server wall clock at t = 0 (ms since the epoch, sub-ms), once started. */
  epoch: number | null = null;
  /** Server wall clock of each cut. */
  readonly cuts: number[] = [];
  readonly #sentUs: Float64Array;
  readonly #listeners = new Set<PublishListener>();
  readonly #lastListeners = new Set<PublishListener>();
  readonly #finishListeners = new Set<() => void>();
  #t0 = 0;
  #timer: ReturnType<typeof setTimeout> | null = null;

  constructor(id: string, visitor: string, scenario: Scenario) {
    this.id = id;
    this.visitor = visitor;
    this.scenario = scenario;
    this.total = messageCount(scenario);
    this.#sentUs = new Float64Array(this.total + 1);
  }

  /** 1 while the publishing timer is armed, else 0 (the cleanup tests check it). */
  get timers(): number {
    return this.#timer ? 1 : 0;
  }

  /**
   * Subscribes to published messages; returns the unsubscribe function. `last`: after every
   * other listener (long polls, whose answers cost a whole HTTP response each).
   */
  onPublish(fn: PublishListener, order: 'first' | 'last' = 'first'): () => void {
    const set = order === 'last' ? this.#lastListeners : this.#listeners;
    set.add(fn);
    return () => set.delete(fn);
  }

  /** Called once when the last message has been published. */
  onFinish(fn: () => void): void {
    this.#finishListeners.add(fn);
  }

  /** The payload of an already published message. */
  payload(seq: number): string {
    return encodePayload(seq, this.#sentUs[seq] ?? 0, this.scenario.size);
  }

  /** Starts publishing; message 1 goes out at once. */
  start(): void {
    if (this.state !== 'ready') return;
    this.state = 'running';
    this.#t0 = performance.now();
    this.epoch = performance.timeOrigin + this.#t0;
    this.#tick();
  }

  /** Stops the timer for good (the race is being freed). */
  stop(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#listeners.clear();
    this.#lastListeners.clear();
    this.#finishListeners.clear();
  }

  #tick(): void {
    this.#timer = null;
    const elapsed = performance.now() - this.#t0;
    // Every message already due goes out now: a late timer never drops or bunches the schedule
    // beyond the delay itself, and each message carries its own real send time.
    while (this.published < this.total && dueAtMs(this.scenario, this.published + 1) <= elapsed) {
      const seq = this.published + 1;
      const tUs = Math.round((performance.now() - this.#t0) * 1000);
      this.#sentUs[seq] = tUs;
      this.published = seq;
      const payload = encodePayload(seq, tUs, this.scenario.size);
      for (const fn of this.#listeners) fn(seq, payload);
      for (const fn of this.#lastListeners) fn(seq, payload);
    }
    if (this.published >= this.total) {
      this.state = 'finished';
      for (const fn of this.#finishListeners) fn();
      return;
    }
    const wait = dueAtMs(this.scenario, this.published + 1) - (performance.now() - this.#t0);
    this.#timer = setTimeout(() => this.#tick(), Math.max(0, wait));
  }
}
