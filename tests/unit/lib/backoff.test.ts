import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../../src/lib/backoff.ts';

describe('backoffDelay', () => {
  it('doubles its window from 0.5-1 s up to 15-30 s', () => {
    const low = Array.from({ length: 9 }, (_, n) => backoffDelay(n, () => 0));
    const high = Array.from({ length: 9 }, (_, n) => backoffDelay(n, () => 1));
    expect(low).toEqual([500, 1000, 2000, 4000, 8000, 15000, 15000, 15000, 15000]);
    expect(high).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000, 30000]);
  });

  it('never leaves 0.5-30 s, however many attempts failed', () => {
    let seed = 7;
    const random = (): number => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    for (let n = 0; n < 60; n++) {
      const d = backoffDelay(n, random);
      expect(d).toBeGreaterThanOrEqual(500);
      expect(d).toBeLessThanOrEqual(30000);
    }
  });

  it('spreads clients that failed the same number of times (jitter)', () => {
    const delays = new Set([0, 0.25, 0.5, 0.75].map((r) => backoffDelay(3, () => r)));
    expect(delays.size).toBe(4);
  });
});
