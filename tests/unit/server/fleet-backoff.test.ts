// The fleet backs off instead of queueing when the lab's event loop runs late.
import { describe, expect, it } from 'vitest';
import { Backoff } from '../../../server/fleet/backoff.ts';

describe('Backoff', () => {
  it('doubles the slowdown on each late sample, up to a ceiling', () => {
    const b = new Backoff({ maxSlowdown: 8 });
    expect([150, 150, 150, 150, 150].map((lag) => b.sample(lag))).toEqual([2, 4, 8, 8, 8]);
  });

  it('halves it again only after a calm spell, and a middling sample restarts the count', () => {
    const b = new Backoff({ calmSamples: 3 });
    b.sample(500);
    b.sample(500); // 4
    expect([5, 5, 50, 5, 5].map((lag) => b.sample(lag))).toEqual([4, 4, 4, 4, 4]);
    expect(b.sample(5)).toBe(2);
    expect([5, 5, 5, 5, 5, 5].map((lag) => b.sample(lag)).at(-1)).toBe(1);
  });
});
