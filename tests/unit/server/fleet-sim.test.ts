import { describe, expect, it } from 'vitest';
import {
  HARSH_BRAKING_MS2,
  LOW_BATTERY,
  alertsBetween,
  createVehicle,
  planRoute,
  randomNode,
  seededRandom,
  stepVehicle,
  type Node,
} from '../../../server/fleet/sim.ts';
import { BLOCK_M, GEOFENCE, GRID_BLOCKS, GRID_SIZE_M } from '../../../src/lib/wire/fleet.ts';

const onStreet = (x: number, y: number): boolean =>
  Math.abs(x - Math.round(x / BLOCK_M) * BLOCK_M) < 1e-6 ||
  Math.abs(y - Math.round(y / BLOCK_M) * BLOCK_M) < 1e-6;

describe('routes on the city grid', () => {
  it('go from start to destination one block at a time, inside the map', () => {
    const rand = seededRandom(1);
    for (let k = 0; k < 500; k++) {
      const from = randomNode(rand, 0.3);
      const to = randomNode(rand, 0.3);
      const route = planRoute(from, to, rand);
      expect(route[0]).toEqual(from);
      expect(route.at(-1)).toEqual(to);
      for (const n of route) {
        expect(n.i).toBeGreaterThanOrEqual(0);
        expect(n.i).toBeLessThanOrEqual(GRID_BLOCKS);
        expect(n.j).toBeGreaterThanOrEqual(0);
        expect(n.j).toBeLessThanOrEqual(GRID_BLOCKS);
      }
      for (let s = 1; s < route.length; s++) {
        const a = route[s - 1] as Node;
        const b = route[s] as Node;
        expect(Math.abs(a.i - b.i) + Math.abs(a.j - b.j)).toBe(1);
      }
    }
  });

  it('keeps driving vehicles on streets and inside the map for a simulated hour', () => {
    const rand = seededRandom(7);
    const fleet = Array.from({ length: 30 }, (_, k) => createVehicle(k + 1, rand));
    let moved = 0;
    const problems: string[] = [];
    for (let t = 0; t < 3600; t++) {
      for (const v of fleet) {
        const before = v.x + v.y;
        stepVehicle(v, 1, rand);
        if (v.x + v.y !== before) moved++;
        const inside = v.x >= 0 && v.x <= GRID_SIZE_M && v.y >= 0 && v.y <= GRID_SIZE_M;
        if (!onStreet(v.x, v.y) || !inside) problems.push(`${v.id} at ${v.x},${v.y} (t=${t})`);
        if (v.battery < 0 || v.battery > 100) problems.push(`${v.id} battery ${v.battery}`);
      }
    }
    expect(problems).toEqual([]);
    expect(moved).toBeGreaterThan(30 * 1000); // they really drive
    // Over an hour, vehicles run low, drive to a charger and charge.
    expect(fleet.some((v) => v.state === 'charging' || v.state === 'returning')).toBe(true);
  });

  it('never brakes harshly on its own, at any publish rate', () => {
    for (const dt of [0.1, 1, 5]) {
      const rand = seededRandom(3);
      const fleet = Array.from({ length: 30 }, (_, k) => createVehicle(k + 1, rand));
      const harsh: string[] = [];
      for (let t = 0; t < 600 / dt; t++) {
        for (const v of fleet) {
          const prev = { x: v.x, y: v.y, speed: v.speed, battery: v.battery };
          stepVehicle(v, dt, rand);
          for (const a of alertsBetween(prev, v, dt))
            if (a.kind === 'harsh-braking') harsh.push(`${v.id} at t=${t}: ${a.value} m/s²`);
        }
      }
      expect(harsh, `dt ${dt}`).toEqual([]);
    }
  });

  it('stops dead when the trainer asks it to brake, which the rules flag as harsh', () => {
    const rand = seededRandom(11);
    const v = createVehicle(1, rand);
    v.brakeNow = true;
    let alert = null;
    for (let t = 0; t < 120 && !alert; t++) {
      const prev = { x: v.x, y: v.y, speed: v.speed, battery: v.battery };
      stepVehicle(v, 1, rand);
      alert = alertsBetween(prev, v, 1).find((a) => a.kind === 'harsh-braking') ?? null;
    }
    expect(alert).not.toBeNull();
    expect(v.speed).toBe(0);
  });

  it('keeps the brake for a step short enough to be harsh when the simulator runs late', () => {
    // Long steps, as on a loaded machine: 25 km/h to 0 over 2.5 s is only 2.8 m/s².
    for (const dt of [1.6, 2.5]) {
      const rand = seededRandom(5);
      const v = createVehicle(1, rand);
      v.brakeNow = true;
      let stopped = false;
      for (let t = 0; t < 400 && !stopped; t++) {
        const prev = { x: v.x, y: v.y, speed: v.speed, battery: v.battery };
        stepVehicle(v, dt, rand);
        if (!v.brakeNow) {
          stopped = true;
          expect(alertsBetween(prev, v, dt).map((a) => a.kind)).toContain('harsh-braking');
        }
      }
      expect(stopped, `dt ${dt}`).toBe(true);
    }
  });
});

describe('alert rules', () => {
  const base = { x: 1000, y: 1000, speed: 40, battery: 50 };

  it('raise low battery once, when the charge crosses the threshold', () => {
    expect(alertsBetween({ ...base, battery: 20.2 }, { ...base, battery: 19.9 }, 1)).toEqual([
      { kind: 'low-battery', value: 19.9 },
    ]);
    expect(alertsBetween({ ...base, battery: 19.9 }, { ...base, battery: 19.5 }, 1)).toEqual([]);
    expect(alertsBetween({ ...base, battery: LOW_BATTERY }, { ...base, battery: 21 }, 1)).toEqual(
      [],
    );
  });

  it('raise harsh braking above the deceleration threshold only', () => {
    // 40 km/h to 0 in 1 s is 11.1 m/s²; 40 to 30 km/h in 1 s is 2.8 m/s².
    expect(alertsBetween(base, { ...base, speed: 0 }, 1)).toEqual([
      { kind: 'harsh-braking', value: 11.1 },
    ]);
    expect(alertsBetween(base, { ...base, speed: 30 }, 1)).toEqual([]);
    const justOver = 40 - (HARSH_BRAKING_MS2 + 0.1) * 3.6;
    expect(alertsBetween(base, { ...base, speed: justOver }, 1).map((a) => a.kind)).toEqual([
      'harsh-braking',
    ]);
    // The same speed drop spread over 5 s is ordinary braking.
    expect(alertsBetween(base, { ...base, speed: 0 }, 5)).toEqual([]);
  });

  it('raise geofence exit when leaving the service area, not when coming back', () => {
    const edge = GEOFENCE.max;
    expect(alertsBetween({ ...base, x: edge }, { ...base, x: edge + 5 }, 1)).toEqual([
      { kind: 'geofence-exit', value: 0 },
    ]);
    expect(alertsBetween({ ...base, x: edge + 5 }, { ...base, x: edge + 15 }, 1)).toEqual([]);
    expect(alertsBetween({ ...base, x: edge + 5 }, { ...base, x: edge }, 1)).toEqual([]);
  });
});
