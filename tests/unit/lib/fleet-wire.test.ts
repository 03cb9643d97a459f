import { describe, expect, it } from 'vitest';
import {
  decodeSnapshot,
  encodeSnapshot,
  parseAlert,
  parseOnline,
  parseStatus,
  parseVehicleTopic,
  statusTopic,
  type SnapshotVehicle,
} from '../../../src/lib/wire/fleet.ts';

describe('the fleet snapshot', () => {
  it('round-trips every vehicle, sorted by id, with whole-metre positions', () => {
    const vehicles: SnapshotVehicle[] = [
      { id: 4999, x: 2400, y: 0, heading: 270, state: 'returning' },
      { id: 1, x: 0, y: 2400, heading: 0, state: 'driving' },
      { id: 2, x: 1234.4, y: 99.6, heading: 90, state: 'idle' },
      { id: 300, x: 700, y: 1650, heading: 180, state: 'charging' },
    ];
    const decoded = decodeSnapshot(encodeSnapshot({ ts: 1_700_000_000_123, vehicles }));
    expect(decoded.ts).toBe(1_700_000_000_123);
    expect(decoded.vehicles).toEqual([
      { id: 1, x: 0, y: 2400, heading: 0, state: 'driving' },
      { id: 2, x: 1234, y: 100, heading: 90, state: 'idle' },
      { id: 300, x: 700, y: 1650, heading: 180, state: 'charging' },
      { id: 4999, x: 2400, y: 0, heading: 270, state: 'returning' },
    ]);
  });

  it('round-trips a full fleet of 5,000 in about 5 bytes per vehicle', () => {
    const vehicles: SnapshotVehicle[] = Array.from({ length: 5000 }, (_, k) => ({
      id: k + 1,
      x: (k * 37) % 2401,
      y: (k * 91) % 2401,
      heading: ((k % 4) * 90) as SnapshotVehicle['heading'],
      state: (['driving', 'idle', 'charging', 'returning'] as const)[k % 4] ?? 'idle',
    }));
    const bytes = encodeSnapshot({ ts: 1, vehicles });
    expect(bytes.length).toBeLessThanOrEqual(11 + 5 * 5000);
    expect(decodeSnapshot(bytes).vehicles).toEqual(vehicles);
  });

  it('round-trips an empty fleet', () => {
    expect(decodeSnapshot(encodeSnapshot({ ts: 5, vehicles: [] }))).toEqual({
      ts: 5,
      vehicles: [],
    });
  });

  it('refuses a truncated or foreign buffer instead of inventing vehicles', () => {
    const bytes = encodeSnapshot({
      ts: 1,
      vehicles: [{ id: 1, x: 1, y: 1, heading: 0, state: 'idle' }],
    });
    expect(() => decodeSnapshot(bytes.subarray(0, bytes.length - 1))).toThrow(/truncated/);
    expect(() => decodeSnapshot(new Uint8Array([9, 0, 0]))).toThrow();
    expect(() => decodeSnapshot(new TextEncoder().encode('{"not":"binary"}'))).toThrow();
  });
});

describe('fleet topics and payloads', () => {
  it('parses vehicle topics and nothing else', () => {
    expect(parseVehicleTopic(statusTopic(42))).toEqual({ id: 42, kind: 'status' });
    expect(parseVehicleTopic('vehicle/7/online')).toEqual({ id: 7, kind: 'online' });
    expect(parseVehicleTopic('vehicle/7/alert')).toEqual({ id: 7, kind: 'alert' });
    for (const t of ['vehicle/0/status', 'vehicle/x/status', 'vehicle/7/other', 'fleet/stats'])
      expect(parseVehicleTopic(t)).toBeNull();
  });

  it('rejects malformed status and alert payloads', () => {
    expect(parseStatus('{')).toBeNull();
    expect(parseStatus('{"id":1}')).toBeNull();
    expect(parseStatus('{"id":1,"x":1,"y":2,"speed":3,"battery":4,"state":"flying"}')).toBeNull();
    expect(
      parseStatus('{"id":1,"x":1,"y":2,"speed":3,"battery":4,"state":"idle","heading":95}'),
    ).toMatchObject({ id: 1, heading: 90, state: 'idle' });
    expect(parseAlert('{"key":"k","id":1,"kind":"explosion"}')).toBeNull();
    expect(parseAlert('{"key":"k","id":1,"kind":"low-battery","value":19}')).toMatchObject({
      kind: 'low-battery',
      value: 19,
    });
    expect(parseOnline('true')).toBe(true);
    expect(parseOnline(new TextEncoder().encode('false'))).toBe(false);
    expect(parseOnline('')).toBeNull();
  });
});
