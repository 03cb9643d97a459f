import { describe, expect, it } from 'vitest';
import { FleetStore } from '../../../src/lib/fleet/fleet-store.ts';
import { drawFleet, pickVehicle, viewFor, type Ctx2D } from '../../../src/lib/fleet/map-draw.ts';
import { RateMeter } from '../../../src/lib/fleet/rate-meter.ts';
import { VEHICLE_STATES } from '../../../src/lib/wire/fleet.ts';

/** Counts the canvas calls that cost the most: fills and strokes. */
function recorder() {
  const calls = { fill: 0, stroke: 0, shapes: 0 };
  const noop = () => {};
  const ctx: Ctx2D = {
    fillStyle: '',
    strokeStyle: '',
    lineWidth: 1,
    setLineDash: noop,
    setTransform: noop,
    clearRect: noop,
    fillRect: noop,
    beginPath: noop,
    moveTo: noop,
    lineTo: noop,
    closePath: noop,
    rect: () => calls.shapes++,
    arc: () => calls.shapes++,
    fill: () => calls.fill++,
    stroke: () => calls.stroke++,
  };
  return { ctx, calls };
}

const colours = {
  background: '#fff',
  street: '#ccc',
  geofence: '#00f',
  offline: '#999',
  selected: '#f0f',
  states: { driving: '#00f', idle: '#888', charging: '#0f0', returning: '#f80' },
};

function fleetOf(n: number): FleetStore {
  const store = new FleetStore();
  for (let id = 1; id <= n; id++) {
    store.place({
      id,
      x: (id * 37) % 2400,
      y: (id * 91) % 2400,
      heading: 0,
      state: VEHICLE_STATES[id % 4] ?? 'idle',
    });
    store.setOnline(id, id % 10 !== 0);
  }
  return store;
}

describe('the fleet map', () => {
  it('draws 1,000 vehicles with one fill per state, not one per vehicle', () => {
    const { ctx, calls } = recorder();
    const drawn = drawFleet(ctx, fleetOf(1000), { width: 600, height: 600, dpr: 2 }, colours, 5);
    expect(drawn).toBe(1000);
    expect(calls.fill).toBe(VEHICLE_STATES.length);
    // Streets, the geofence, offline crosses and the selection ring: a few strokes in all.
    expect(calls.stroke).toBeLessThanOrEqual(4);
  });

  it('leaves out vehicles it has no position for', () => {
    const store = fleetOf(3);
    store.setOnline(99, true); // online flag only, no position yet
    const { ctx } = recorder();
    expect(drawFleet(ctx, store, { width: 300, height: 300, dpr: 1 }, colours, null)).toBe(3);
  });

  it('picks the vehicle under the pointer, and none far from every vehicle', () => {
    const store = new FleetStore();
    store.place({ id: 8, x: 1200, y: 1200, heading: 0, state: 'driving' });
    store.place({ id: 9, x: 1300, y: 1200, heading: 0, state: 'idle' });
    const size = { width: 500, height: 500 };
    const view = viewFor(size.width, size.height);
    const px = view.toPx(1290, 'x');
    const py = view.toPx(1200, 'y');
    expect(pickVehicle(store, px, py, size)?.id).toBe(9);
    expect(pickVehicle(store, 2, 2, size)).toBeNull();
  });
});

describe('RateMeter', () => {
  it('reports messages and bytes per second over its window, and forgets on reset', () => {
    let now = 0;
    const meter = new RateMeter(2000, () => now);
    for (; now < 4000; now += 100) meter.add(50); // 10 msg/s, 500 B/s
    expect(meter.full()).toBe(true);
    expect(meter.rate().msgsPerS).toBeCloseTo(10, 0);
    expect(meter.rate().bytesPerS).toBeCloseTo(500, -1);
    meter.reset();
    expect(meter.full()).toBe(false);
    expect(meter.rate().bytesPerS).toBe(0);
  });
});
