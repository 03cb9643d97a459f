import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushSync } from 'svelte';
import { ServerStatus } from '../../../src/lib/status/server-status.svelte.ts';
import type { HealthResponse } from '../../../src/lib/wire/health.ts';

const health = (version: string): HealthResponse => ({
  status: 'ok',
  name: 'realtime-lab',
  version,
  uptimeS: 1,
  startedAt: '2026-01-01T00:00:00.000Z',
  broker: { mode: 'embedded', wsUrl: null, tcpUrl: null },
  connections: {},
});

afterEach(() => vi.useRealTimers());

describe('ServerStatus', () => {
  it('goes from checking to connected, then to unreachable when the server stops answering', async () => {
    vi.useFakeTimers();
    let up = true;
    const status = new ServerStatus(async () => {
      if (!up) throw new Error('Failed to fetch');
      return health('1.0.0');
    }, 1000);
    const seen: string[] = [];
    const stopEffect = $effect.root(() => {
      $effect(() => {
        seen.push(status.state);
      });
    });
    flushSync();
    status.start();
    await vi.advanceTimersByTimeAsync(0);
    flushSync();
    expect(status.state).toBe('connected');
    expect(status.health?.version).toBe('1.0.0');

    up = false;
    await vi.advanceTimersByTimeAsync(1000);
    flushSync();
    expect(status.state).toBe('unreachable');
    expect(status.error).toBe('Failed to fetch');
    expect(seen).toEqual(['checking', 'connected', 'unreachable']);

    up = true;
    await vi.advanceTimersByTimeAsync(1000);
    flushSync();
    expect(status.state).toBe('connected');
    status.stop();
    stopEffect();
  });

  it('stops polling when stopped', async () => {
    vi.useFakeTimers();
    const check = vi.fn(async () => health('1'));
    const status = new ServerStatus(check, 1000);
    status.start();
    await vi.advanceTimersByTimeAsync(0);
    status.stop();
    await vi.advanceTimersByTimeAsync(5000);
    expect(check).toHaveBeenCalledTimes(1);
  });
});
