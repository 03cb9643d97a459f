import { describe, expect, it } from 'vitest';
import {
  DelayRecorder,
  RateMeter,
  SequenceTracker,
  addBytes,
  bestOffset,
  formatBytes,
  measureOffset,
  offsetFromSample,
  quantile,
  summarize,
  utf8Length,
} from '../../../src/lib/measure/index.ts';

describe('clock offset (RFC 5905 §8)', () => {
  it('finds the offset exactly when both directions take as long', () => {
    // Server is 500 ms ahead; 10 ms each way; server spends 2 ms.
    const s = { t0: 1000, t1: 1510, t2: 1512, t3: 1022 };
    expect(offsetFromSample(s)).toEqual({ offset: 500, rtt: 20 });
  });

  it('is off by at most half the round trip when the paths differ', () => {
    // True offset −200; 30 ms out, 2 ms back.
    const s = { t0: 0, t1: -170, t2: -170, t3: 32 };
    const e = offsetFromSample(s);
    expect(Math.abs(e.offset - -200)).toBeLessThanOrEqual(e.rtt / 2);
  });

  it('prefers the sample with the shortest round trip and skips impossible ones', () => {
    const best = bestOffset([
      { t0: 0, t1: 160, t2: 160, t3: 100 }, // rtt 100
      { t0: 0, t1: 105, t2: 105, t3: 10 }, // rtt 10, offset 100
      { t0: 0, t1: 5, t2: 5, t3: -5 }, // clock stepped back: negative rtt
    ]);
    expect(best).toEqual({ offset: 100, rtt: 10 });
    expect(bestOffset([])).toBeNull();
  });

  it('measures against a probe with a given clock, surviving failed exchanges', async () => {
    let local = 0;
    let n = 0;
    const clock = () => local;
    const probe = async () => {
      n++;
      if (n === 2) throw new Error('lost');
      local += n === 3 ? 2 : 20; // third exchange is the fast one
      const server = local + 1000 - (n === 3 ? 1 : 10);
      return { received: server, sent: server };
    };
    const est = await measureOffset(probe, clock, 4);
    expect(est?.rtt).toBe(2);
    expect(est?.offset).toBeCloseTo(1000, 5);
  });
});

describe('delay statistics', () => {
  it('uses nearest-rank quantiles', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(quantile(sorted, 0.5)).toBe(50);
    expect(quantile(sorted, 0.99)).toBe(99);
    expect(quantile([], 0.5)).toBeNaN();
    expect(summarize([3, 1, 2])).toMatchObject({ count: 3, mean: 2, p50: 2, min: 1, max: 3 });
  });

  it('corrects receipt times by the clock offset and keeps a bounded window', () => {
    const d = new DelayRecorder(3);
    d.offset = 1000; // the server clock is 1 s ahead of ours
    expect(d.record(1, 5000, 4010)).toBe(10);
    d.record(2, 5000, 4020);
    d.record(3, 5000, 4030);
    d.record(4, 5000, 4040);
    expect(d.points.map((p) => p.seq)).toEqual([2, 3, 4]);
    expect(d.summary().p50).toBe(30);
  });
});

describe('SequenceTracker', () => {
  it('counts gaps as missed and repeats as duplicates', () => {
    const s = new SequenceTracker();
    for (const n of [1, 2, 4, 4, 3, 7]) s.accept(n);
    expect(s.counts).toEqual({ received: 4, missed: 3, duplicates: 2, last: 7 });
  });

  it('starts at the server’s present without counting the past as missed', () => {
    const s = new SequenceTracker();
    s.startAt(100);
    s.accept(101);
    expect(s.counts.missed).toBe(0);
    s.startAt(500); // ignored once events arrived
    expect(s.last).toBe(101);
    s.rewind(0);
    s.accept(1);
    expect(s.counts).toMatchObject({ missed: 0, received: 2 });
  });
});

describe('bytes', () => {
  it('adds, measures UTF-8 and formats', () => {
    expect(addBytes({ bytesIn: 1, bytesOut: 2 }, { bytesIn: 3, bytesOut: 4 })).toEqual({
      bytesIn: 4,
      bytesOut: 6,
    });
    expect(utf8Length('a°€😀')).toBe(1 + 2 + 3 + 4);
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(3 * 1024 * 1024)).toBe('3.0 MiB');
  });

  it('measures a rate over a sliding window', () => {
    const m = new RateMeter(1000);
    m.add(100, 0);
    m.add(100, 500);
    expect(m.perSecond(900)).toBe(200);
    expect(m.perSecond(1200)).toBe(100);
  });
});
