import { describe, expect, it } from 'vitest';
import { Aedes } from 'aedes';
import { guardDispatchRecursion } from '../../../../server/broker/crash-guard.ts';
import { waitFor } from '../../../helpers/lab.ts';

/**
 * Rebuilds, without sockets, the state that killed stock Aedes: every dispatch slot held by a
 * slow delivery, thousands of publishes queued behind them, then every subscriber gone at once.
 * Releasing the slots drains the queue; each queued publish now matches nobody and finishes
 * synchronously, which without the guard nests one call chain per queued publish.
 */
async function drainBacklog(guard: boolean, backlog: number): Promise<number> {
  const aedes = await Aedes.createBroker({ concurrency: 100 });
  if (guard) guardDispatchRecursion(aedes);
  const held: (() => void)[] = [];
  const slow = (_packet: unknown, cb: () => void): void => void held.push(cb);
  await new Promise<void>((r) => aedes.subscribe('lab/backlog', slow, () => r()));
  let completed = 0;
  for (let i = 0; i < backlog; i++) {
    aedes.publish(
      {
        cmd: 'publish',
        topic: 'lab/backlog',
        payload: Buffer.from('x'),
        qos: 0,
        retain: false,
        dup: false,
      },
      () => completed++,
    );
  }
  // Let every publish reach the emitter: the first 100 take the slots, the rest queue.
  await new Promise((r) => setTimeout(r, 50));
  expect(held.length).toBe(100);
  // The "mass disconnect": the only subscription goes away, then the slow deliveries finish.
  await new Promise<void>((r) => aedes.unsubscribe('lab/backlog', slow, () => r()));
  try {
    for (const cb of held.splice(0)) cb();
    // Unguarded, the throw above happens before this; guarded, the queue drains in slices.
    await waitFor(() => completed === backlog, 'the backlog to drain', 20_000);
    return completed;
  } finally {
    await new Promise<void>((r) => aedes.close(() => r()));
  }
}

describe('the dispatch recursion guard', () => {
  it('stock Aedes overflows the stack draining a backlog with no subscribers left', async () => {
    // The control: proves the scenario below really is the crash.
    await expect(drainBacklog(false, 20_000)).rejects.toThrow(RangeError);
  });

  it('with the guard, the same backlog drains completely and nothing throws', async () => {
    expect(await drainBacklog(true, 20_000)).toBe(20_000);
  });
});
