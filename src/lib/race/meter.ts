import { quantile } from '../measure/delay.ts';
import { decodePayload } from '../wire/race.ts';

/** How a lane came through one cut. */
export interface CutRecovery {
  /** Server clock of the cut (ms). */
  at: number;
  /** From the cut to the lane's first delivery after it (ms); null if nothing came since. */
  resumeMs: number | null;
  /** Messages sent while the lane was away that still arrived (replayed or resent). */
  replayed: number;
  /** Messages sent between this cut and the next (or the end) that never arrived. */
  lost: number;
}

/** One lane's figures as the receiver measured them. */
export interface LaneFigures {
  received: number;
  /** Messages published that never arrived (so far: below the highest seq seen). */
  lost: number;
  duplicates: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  /** Requests, frames or packets sent and received by the client. */
  countUp: number;
  countDown: number;
  /** Times the lane lost and regained its connection. */
  drops: number;
  cuts: CutRecovery[];
}

/**
 * Counts one lane's stream: each payload's seq and send time give loss, duplicates and latency
 * (server send → local receive, the local time shifted onto the server's clock by the measured
 * offset). A bitmap of seqs makes every count exact for any order of arrival.
 */
export class LaneMeter {
  readonly total: number;
  readonly #seen: Uint8Array;
  /** Server-clock send and receive time of each first arrival, by seq (0: not yet). */
  readonly #sentAt: Float64Array;
  readonly #gotAt: Float64Array;
  readonly #latencies: number[] = [];
  #received = 0;
  #duplicates = 0;
  #highest = 0;
  #up = 0;
  #down = 0;
  #drops = 0;
  /** Server-clock times the lane's connection came back. */
  readonly #ups: number[] = [];
  #epoch = 0;
  #offset = 0;
  /** Arrivals before the clock is known (the first message can beat the start's answer). */
  #early: [string, number][] | null = [];

  constructor(total: number) {
    this.total = total;
    this.#seen = new Uint8Array(total + 1);
    this.#sentAt = new Float64Array(total + 1);
    this.#gotAt = new Float64Array(total + 1);
  }

  /** The race's t = 0 on the server clock, and server clock minus local clock (ms). */
  setClock(epoch: number, offset: number): void {
    this.#epoch = epoch;
    this.#offset = offset;
    const early = this.#early ?? [];
    this.#early = null;
    for (const [p, at] of early) this.message(p, at);
  }

  /** Records one payload received at local time `at`; returns its latency, or null if not one. */
  message(payload: string, at: number): number | null {
    if (this.#early) {
      this.#early.push([payload, at]);
      return null;
    }
    const d = decodePayload(payload);
    if (!d || d.seq < 1 || d.seq > this.total) return null;
    if (this.#seen[d.seq]) {
      this.#duplicates++;
      return null;
    }
    this.#seen[d.seq] = 1;
    this.#received++;
    if (d.seq > this.#highest) this.#highest = d.seq;
    const sent = this.#epoch + d.tUs / 1000;
    const got = at + this.#offset;
    this.#sentAt[d.seq] = sent;
    this.#gotAt[d.seq] = got;
    const latency = got - sent;
    this.#latencies.push(latency);
    return latency;
  }

  /** Counts requests, frames or packets. */
  count(dir: 'up' | 'down', n = 1): void {
    if (dir === 'up') this.#up += n;
    else this.#down += n;
  }

  /** Notes a connection change at local time `at`. */
  link(up: boolean, at: number): void {
    if (!up) this.#drops++;
    else this.#ups.push(at + this.#offset);
  }

  /** Latencies so far (ms), in arrival order. */
  get latencies(): readonly number[] {
    return this.#latencies;
  }

  /** Whether every message has arrived. */
  get complete(): boolean {
    return this.#received === this.total;
  }

  /** The figures now; `final` counts every missing message as lost, else only gaps. */
  figures(cuts: readonly number[], final: boolean): LaneFigures {
    const sorted = [...this.#latencies].sort((a, b) => a - b);
    const upTo = final ? this.total : this.#highest;
    let lost = 0;
    for (let s = 1; s <= upTo; s++) if (!this.#seen[s]) lost++;
    return {
      received: this.#received,
      lost,
      duplicates: this.#duplicates,
      p50: quantile(sorted, 0.5),
      p95: quantile(sorted, 0.95),
      p99: quantile(sorted, 0.99),
      max: sorted[sorted.length - 1] ?? NaN,
      countUp: this.#up,
      countDown: this.#down,
      drops: this.#drops,
      cuts: cuts.map((at) => this.#recovery(at, cuts, upTo)),
    };
  }

  #recovery(at: number, cuts: readonly number[], upTo: number): CutRecovery {
    // The first delivery after the cut, on the server's clock.
    let resumeAt = Infinity;
    for (let s = 1; s <= this.total; s++) {
      const g = this.#gotAt[s] ?? 0;
      if (this.#seen[s] && g > at && g < resumeAt) resumeAt = g;
    }
    // Sent while the lane was away (from the cut until its connection came back) yet delivered:
    // replayed from a cursor, a Last-Event-ID or a session. A lane that never lost its
    // connection (short polling between requests) replays nothing.
    const backAt = this.#ups.find((t) => t > at) ?? at;
    let replayed = 0;
    let lost = 0;
    for (let s = 1; s <= upTo; s++) {
      const sent = this.#seen[s] ? (this.#sentAt[s] ?? 0) : null;
      if (sent === null) {
        // A missing message belongs to the last cut between its received neighbours' send
        // times: the gap opened when that cut closed the connection.
        if (this.#culprit(s, cuts) === at) lost++;
        continue;
      }
      if (sent >= at && sent < backAt) replayed++;
    }
    return {
      at,
      resumeMs: Number.isFinite(resumeAt) ? resumeAt - at : null,
      replayed,
      lost,
    };
  }

  #culprit(seq: number, cuts: readonly number[]): number | null {
    let prev = -Infinity;
    for (let s = seq - 1; s >= 1; s--) {
      if (this.#seen[s]) {
        prev = this.#sentAt[s] ?? 0;
        break;
      }
    }
    let next = Infinity;
    for (let s = seq + 1; s <= this.total; s++) {
      if (this.#seen[s]) {
        next = this.#sentAt[s] ?? 0;
        break;
      }
    }
    let found: number | null = null;
    for (const c of cuts) if (c > prev && c <= next) found = c;
    return found;
  }
}
