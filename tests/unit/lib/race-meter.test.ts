import { describe, expect, it } from 'vitest';
import { LaneMeter } from '../../../src/lib/race/meter.ts';
import {
  MAX_PAYLOAD_BYTES_PER_S,
  PRESETS,
  SCENARIO_BOUNDS,
  decodePayload,
  encodePayload,
  messageCount,
  scenarioError,
  scenarioFromQuery,
  scenarioToQuery,
} from '../../../src/lib/wire/race.ts';

describe('race payload and scenario', () => {
  it('builds payloads of exactly the asked size that carry their seq and send time', () => {
    // The largest seq and time a valid race can reach still fit the smallest payload.
    const maxSeq = SCENARIO_BOUNDS.rate.max * SCENARIO_BOUNDS.durationS.max;
    for (const [seq, tUs, size] of [
      [1, 0, 16],
      [maxSeq, 130_000_000, 16],
      [42, 1234, 120],
      [7, 99, 65_536],
    ] as const) {
      const p = encodePayload(seq, tUs, size);
      expect(p.length).toBe(size);
      expect(new TextEncoder().encode(p).length).toBe(size);
      expect(decodePayload(p)).toEqual({ seq, tUs });
    }
    expect(() => encodePayload(123_456_789, 1_000_000_000_000, 16)).toThrow(RangeError);
    expect(decodePayload('hello')).toBeNull();
  });

  it('accepts every preset and rejects out-of-range fields by name', () => {
    for (const p of Object.values(PRESETS)) expect(scenarioError(p)).toBeNull();
    const ok = { rate: 10, size: 120, durationS: 20, pollIntervalS: 1 };
    expect(scenarioError({ ...ok, durationS: 4 })?.field).toBe('durationS');
    expect(scenarioError({ ...ok, size: 15 })?.field).toBe('size');
    expect(scenarioError({ ...ok, size: 100.5 })?.field).toBe('size');
    expect(scenarioError({ ...ok, pollIntervalS: 0.1 })?.field).toBe('pollIntervalS');
    expect(scenarioError({ ...ok, rate: Number.NaN })?.field).toBe('rate');
    expect(scenarioError({ ...ok, rate: 500, size: 1024 })?.field).toBe('rate');
    expect(500 * 256).toBeLessThanOrEqual(MAX_PAYLOAD_BYTES_PER_S);
  });

  it('counts messages from t = 0 up to, not including, the end', () => {
    expect(messageCount({ rate: 20, size: 16, durationS: 5, pollIntervalS: 1 })).toBe(100);
    expect(messageCount(PRESETS.sensor)).toBe(4);
    expect(messageCount({ ...PRESETS.sensor, durationS: 5 })).toBe(1);
  });

  it('round-trips a scenario through a share URL, and ignores a broken one', () => {
    for (const p of Object.values(PRESETS)) {
      const back = scenarioFromQuery(`?${scenarioToQuery(p)}`);
      expect(back?.size).toBe(p.size);
      expect(back?.durationS).toBe(p.durationS);
      expect(back?.pollIntervalS).toBe(p.pollIntervalS);
      expect(Math.abs((back?.rate ?? 0) - p.rate)).toBeLessThan(1e-4);
    }
    expect(scenarioFromQuery('')).toBeNull();
    expect(scenarioFromQuery('?rate=9999')).toBeNull();
    expect(scenarioFromQuery('?size=64')).toMatchObject({ size: 64, rate: 10 });
  });
});

describe('LaneMeter', () => {
  const at = (epoch: number, tUs: number, latency: number) => epoch + tUs / 1000 + latency;

  it('counts loss, duplicates and latency quantiles exactly, in any order', () => {
    const m = new LaneMeter(10);
    m.setClock(1000, 0);
    const got = [3, 1, 2, 2, 5, 4, 7, 10, 9];
    for (const seq of got) m.message(encodePayload(seq, seq * 1000, 32), at(1000, seq * 1000, seq));
    const f = m.figures([], false);
    expect(f).toMatchObject({ received: 8, duplicates: 1, lost: 2 });
    expect(f.p50).toBeCloseTo(4); // nearest rank: the 4th of 8
    expect(f.max).toBeCloseTo(10);
    // Only the final count treats what has not come yet as lost.
    m.message(encodePayload(6, 6000, 32), at(1000, 6000, 1));
    expect(m.figures([], false).lost).toBe(1);
    expect(m.figures([], true).lost).toBe(1);
    m.message(encodePayload(8, 8000, 32), at(1000, 8000, 1));
    expect(m.complete).toBe(true);
  });

  it('holds messages that beat the start answer until the clock is known', () => {
    const m = new LaneMeter(1);
    expect(m.message(encodePayload(1, 2000, 16), 10_000 + 2 + 5)).toBeNull();
    m.setClock(10_000, 0);
    expect(m.figures([], true)).toMatchObject({ received: 1, p50: 5 });
  });

  it('shifts local receive times by the clock offset', () => {
    const m = new LaneMeter(1);
    m.setClock(5000, 250);
    expect(m.message(encodePayload(1, 0, 16), 5000 - 250 + 3)).toBeCloseTo(3);
  });

  it('puts each gap on the cut that opened it, and times the recovery', () => {
    const m = new LaneMeter(10);
    m.setClock(0, 0);
    // One message every 100 ms; cut at 250 ms: 4-5 never arrive, 6 is the first after it.
    for (const seq of [1, 2, 3, 6, 7, 8, 9, 10]) {
      const tUs = (seq - 1) * 100_000;
      m.message(encodePayload(seq, tUs, 32), tUs / 1000 + 1);
    }
    const [cut] = m.figures([250], true).cuts;
    expect(cut).toEqual({ at: 250, resumeMs: 251, replayed: 0, lost: 2 });
  });

  it('counts messages sent during an outage that arrive later as replayed', () => {
    const m = new LaneMeter(5);
    m.setClock(0, 0);
    for (const seq of [1, 2])
      m.message(encodePayload(seq, (seq - 1) * 100_000, 32), (seq - 1) * 100 + 1);
    // Cut at 150 ms; back at 410 ms; 3, 4 and 5 (sent at 200, 300, 400 ms) come at 420 ms.
    m.link(false, 150);
    m.link(true, 410);
    for (const seq of [3, 4, 5]) m.message(encodePayload(seq, (seq - 1) * 100_000, 32), 420);
    const [cut] = m.figures([150], true).cuts;
    expect(cut?.resumeMs).toBe(270);
    expect(cut?.lost).toBe(0);
    expect(cut?.replayed).toBe(3);
  });
});
