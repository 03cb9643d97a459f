import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import { keptUnderCap, runQueueLimitExperiment } from '../../../../src/lib/mqtt/queue-limit.ts';
import { SESSION_QUEUE_CAP } from '../../../../src/lib/wire/broker-limits.ts';
import { DEFAULT_LIMITS } from '../../../../server/broker/limits.ts';
import type { Lab } from '../../../../server/app.ts';
import { startTestLab } from '../../../helpers/lab.ts';

// The broker's rule, written out message by message (server/broker/quotas.ts, admit()).
function simulate(count: number, size: number, cap: { messages: number; bytes: number }): number {
  let n = 0;
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    if (n === 0 || (n < cap.messages && bytes + size <= cap.bytes)) {
      n++;
      bytes += size;
    }
  }
  return n;
}

describe('keptUnderCap', () => {
  it('agrees with the broker’s rule for every small case', () => {
    const wrong: string[] = [];
    for (let messages = 1; messages <= 6; messages++) {
      for (let capBytes = 1; capBytes <= 40; capBytes++) {
        for (let size = 1; size <= 45; size++) {
          for (let count = 0; count <= 12; count++) {
            const cap = { messages, bytes: capBytes };
            const got = keptUnderCap(count, size, cap);
            const want = simulate(count, size, cap);
            if (got !== want)
              wrong.push(`${JSON.stringify({ count, size, cap })}: ${got} ≠ ${want}`);
          }
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('predicts the chapter’s numbers: 40 of 48 messages of 200 KiB on a 17-byte topic', () => {
    expect(SESSION_QUEUE_CAP.bytes).toBe(DEFAULT_LIMITS.maxQueuedBytesPerSession);
    expect(SESSION_QUEUE_CAP.messages).toBe(DEFAULT_LIMITS.maxQueuedPerSession);
    expect('lab/qlimit-abc123'.length).toBe(17);
    expect(keptUnderCap(48, 17 + 204_800)).toBe(40);
    expect(40 * 204_817).toBe(8_192_680);
    expect(41 * 204_817).toBeGreaterThan(8 * 1024 * 1024);
    // The exercise: 200 messages of 64 KiB on a 7-byte topic.
    expect(keptUnderCap(200, 7 + 65_536)).toBe(127);
  });
});

describe('the queue-limit experiment against the embedded broker', () => {
  let lab: Lab;
  let ticker: ReturnType<typeof setInterval>;
  const cap = { messages: 1000, bytes: 100_000 };

  beforeAll(async () => {
    lab = await startTestLab({
      broker: {
        mode: 'embedded',
        mqttPort: 0,
        limits: { maxQueuedBytesPerSession: cap.bytes, maxQueuedPerSession: cap.messages },
      },
    });
    // Statistics every 100 ms instead of 2 s, so the test waits on events, not on the clock.
    ticker = setInterval(() => lab.broker?.stats.publish(), 100);
  });
  afterAll(async () => {
    clearInterval(ticker);
    await lab.close();
  });

  it('gets back only what fits under the cap, in order, and sees the refusals counted', async () => {
    const url = `mqtt://127.0.0.1:${lab.mqttPort}`;
    const r = await runQueueLimitExperiment({
      open: (_role, opts) => mqtt.connect(url, opts),
      id: 'abc123',
      count: 15,
      payloadBytes: 10_000,
      cap,
    });
    // 10,017 bytes a message: 9 fit in 100,000 (90,153), a 10th would make 100,170.
    expect(r.messageBytes).toBe(10_017);
    expect(r.expected).toBe(9);
    expect(r.received).toBe(9);
    expect([r.first, r.last, r.inOrder]).toEqual([1, 9, true]);
    // 90 KB queued never trips the 1 MiB slow-reader cap: no cut, no resend.
    expect([r.cuts, r.duplicates]).toEqual([0, 0]);
    expect(r.counterBefore).not.toBeNull();
    expect((r.counterAfter ?? 0) - (r.counterBefore ?? 0)).toBe(6);
  }, 30_000);
});
