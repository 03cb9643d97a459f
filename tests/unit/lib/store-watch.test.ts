import { afterEach, describe, expect, it, vi } from 'vitest';
import { StoreWatch } from '../../../src/lib/status/store-watch.ts';
import type { HealthResponse } from '../../../src/lib/wire/health.ts';

const health = (redis?: 'up' | 'down'): HealthResponse => ({
  status: 'ok',
  name: 'realtime-lab',
  version: '1.0.0',
  uptimeS: 1,
  startedAt: '2026-01-01T00:00:00.000Z',
  broker: { mode: 'embedded', wsUrl: null, tcpUrl: null },
  connections: {},
  ...(redis ? { redis } : {}),
});

afterEach(() => vi.useRealTimers());

/** A watch over a fake `/api/health` whose Redis state the test sets; counts the checks. */
function fakeLab(redis: 'up' | 'down' | undefined) {
  const lab = { redis, checks: 0, visible: true };
  const watch = new StoreWatch(
    async () => {
      lab.checks++;
      return health(lab.redis);
    },
    {
      firstDelayMs: 100,
      upEveryMs: 10_000,
      down: { minMs: 500, maxMs: 2000 },
      random: () => 1,
      isVisible: () => lab.visible,
    },
  );
  return { lab, watch };
}

describe('StoreWatch', () => {
  it('asks once on a lab without Redis, and never again', async () => {
    vi.useFakeTimers();
    const { lab, watch } = fakeLab(undefined);
    watch.start();
    await vi.advanceTimersByTimeAsync(100);
    expect(watch.state).toBe('single');
    watch.report();
    await vi.advanceTimersByTimeAsync(600_000);
    expect(lab.checks).toBe(1);
    expect(watch.down).toBe(false);
  });

  it('says down while Redis is, checks often only then, and clears once it is back', async () => {
    vi.useFakeTimers();
    const { lab, watch } = fakeLab('up');
    watch.start();
    watch.start(); // a second notice on the page shares the same checks
    await vi.advanceTimersByTimeAsync(100);
    expect(watch.state).toBe('up');
    // Up: one check per upEveryMs, none while the page is hidden.
    await vi.advanceTimersByTimeAsync(30_000);
    expect(lab.checks).toBe(4);
    lab.visible = false;
    await vi.advanceTimersByTimeAsync(30_000);
    expect(lab.checks).toBe(4);
    lab.visible = true;

    // A demo's request refused for the store's sake: checked at once, not at the next round.
    lab.redis = 'down';
    watch.report();
    await vi.advanceTimersByTimeAsync(0);
    expect(watch.down).toBe(true);
    expect(lab.checks).toBe(5);
    // Down: a backoff from 1 s to at most 2 s between checks.
    await vi.advanceTimersByTimeAsync(1000);
    expect(lab.checks).toBe(6);
    await vi.advanceTimersByTimeAsync(2000);
    await vi.advanceTimersByTimeAsync(2000);
    expect(lab.checks).toBe(8);

    lab.redis = 'up';
    await vi.advanceTimersByTimeAsync(2000);
    expect(watch.down).toBe(false);
    expect(watch.state).toBe('up');

    // Once no notice watches, nothing is asked.
    watch.stop();
    watch.stop();
    const before = lab.checks;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(lab.checks).toBe(before);
  });

  it('keeps what it knew while the lab itself does not answer', async () => {
    vi.useFakeTimers();
    let reachable = true;
    const watch = new StoreWatch(
      async () => {
        if (!reachable) throw new Error('Failed to fetch');
        return health('down');
      },
      { firstDelayMs: 0, random: () => 1 },
    );
    watch.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(watch.down).toBe(true);
    reachable = false;
    await vi.advanceTimersByTimeAsync(5000);
    expect(watch.down).toBe(true);
    watch.stop();
  });
});
