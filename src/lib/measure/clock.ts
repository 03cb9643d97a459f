/** One NTP-style exchange: client send, server receive, server send, client receive (ms). */
export interface ClockSample {
  t0: number;
  t1: number;
  t2: number;
  t3: number;
}

/** What one exchange tells: the server clock minus ours, and the time on the wire. */
export interface OffsetEstimate {
  /** Add to a local time to get server time (ms). */
  offset: number;
  /** Round trip without the server's own processing time (ms). */
  rtt: number;
}

/**
 * RFC 5905 §8: offset θ = ((t1 − t0) + (t2 − t3)) / 2 and delay δ = (t3 − t0) − (t2 − t1).
 * The estimate is exact when both directions take equally long; its error is at most δ / 2.
 */
export function offsetFromSample(s: ClockSample): OffsetEstimate {
  return {
    offset: (s.t1 - s.t0 + (s.t2 - s.t3)) / 2,
    rtt: s.t3 - s.t0 - (s.t2 - s.t1),
  };
}

/**
 * The best estimate from several exchanges: the one with the shortest round trip, as NTP's
 * clock filter prefers (RFC 5905 §10), because queueing delay is what makes paths asymmetric.
 */
export function bestOffset(samples: readonly ClockSample[]): OffsetEstimate | null {
  let best: OffsetEstimate | null = null;
  for (const s of samples) {
    const e = offsetFromSample(s);
    if (e.rtt < 0) continue; // a clock stepped during the exchange: useless
    if (!best || e.rtt < best.rtt) best = e;
  }
  return best;
}

/** A clock in ms since the epoch, with sub-millisecond precision where available. */
export type Clock = () => number;

/** The server's two timestamps for one exchange. */
export type TimeProbe = () => Promise<{ received: number; sent: number }>;

/** Runs `count` exchanges one after another and returns the best estimate (null if all failed). */
export async function measureOffset(
  probe: TimeProbe,
  clock: Clock,
  count = 5,
): Promise<OffsetEstimate | null> {
  const samples: ClockSample[] = [];
  for (let i = 0; i < count; i++) {
    const t0 = clock();
    try {
      const { received, sent } = await probe();
      samples.push({ t0, t1: received, t2: sent, t3: clock() });
    } catch {
      // A lost exchange only means one sample fewer.
    }
  }
  return bestOffset(samples);
}

/** The wall clock with the precision of `performance.now()`. */
export function preciseClock(perf: { timeOrigin: number; now(): number }): Clock {
  return () => perf.timeOrigin + perf.now();
}
