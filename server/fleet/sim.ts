// The fleet's physics, without sockets: routes on the city grid, one step of a vehicle, and the
// rules that turn two consecutive readings into alerts. Pure functions, so tests can drive them.
import {
  BLOCK_M,
  GEOFENCE,
  GRID_BLOCKS,
  type AlertKind,
  type Heading,
  type VehicleState,
  type VehicleStatus,
} from '../../src/lib/wire/fleet.ts';

/** A source of numbers in [0, 1); `Math.random` or a seeded one in tests. */
export type Random = () => number;

/** A small seeded generator (mulberry32), so a test can replay the same city. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An intersection of the grid, in block units (0…GRID_BLOCKS on each axis). */
export interface Node {
  i: number;
  j: number;
}

/** Battery % below which a vehicle raises a low-battery alert and drives to a charger. */
export const LOW_BATTERY = 20;
/** Deceleration (m/s²) above which braking counts as harsh; about 0.35 g. */
export const HARSH_BRAKING_MS2 = 3.5;
/** Chargers sit at the four corners of the service area. */
export const CHARGERS: readonly Node[] = [
  { i: 2, j: 2 },
  { i: GRID_BLOCKS - 2, j: 2 },
  { i: 2, j: GRID_BLOCKS - 2 },
  { i: GRID_BLOCKS - 2, j: GRID_BLOCKS - 2 },
];

const randInt = (rand: Random, lo: number, hi: number): number =>
  lo + Math.floor(rand() * (hi - lo + 1));

/** A random intersection; mostly inside the geofence, now and then in the outer ring. */
export function randomNode(rand: Random, outsideChance = 0.05): Node {
  if (rand() < outsideChance) {
    // One of the two outermost streets on a random side.
    const edge =
      randInt(rand, 0, 1) === 0 ? randInt(rand, 0, 1) : GRID_BLOCKS - randInt(rand, 0, 1);
    const along = randInt(rand, 0, GRID_BLOCKS);
    return rand() < 0.5 ? { i: edge, j: along } : { i: along, j: edge };
  }
  const lo = GEOFENCE.min / BLOCK_M;
  const hi = GEOFENCE.max / BLOCK_M;
  return { i: randInt(rand, lo, hi), j: randInt(rand, lo, hi) };
}

/**
 * A Manhattan route from `from` to `to`: a list of intersections where each one is a single
 * block away from the previous, along one axis. Randomly goes east-west or north-south first.
 */
export function planRoute(from: Node, to: Node, rand: Random): Node[] {
  const route: Node[] = [{ ...from }];
  let { i, j } = from;
  const stepI = (): void => {
    while (i !== to.i) {
      i += Math.sign(to.i - i);
      route.push({ i, j });
    }
  };
  const stepJ = (): void => {
    while (j !== to.j) {
      j += Math.sign(to.j - j);
      route.push({ i, j });
    }
  };
  if (rand() < 0.5) {
    stepI();
    stepJ();
  } else {
    stepJ();
    stepI();
  }
  return route;
}

/** A simulated vehicle's mutable state. */
export interface SimVehicle {
  id: number;
  x: number;
  y: number;
  heading: Heading;
  /** km/h */
  speed: number;
  battery: number;
  state: VehicleState;
  odometer: number;
  /** Remaining intersections to drive through; the first is the next one. */
  route: Node[];
  /** Cruising speed on this trip, km/h. */
  cruise: number;
  /** Seconds left standing still (idle at a stop). */
  waitS: number;
  /** Set by the trainer ("brake hard"): the next step stops dead. */
  brakeNow: boolean;
}

/** A new vehicle at a random intersection, with a random charge and a first trip. */
export function createVehicle(id: number, rand: Random): SimVehicle {
  const start = randomNode(rand, 0);
  const v: SimVehicle = {
    id,
    x: start.i * BLOCK_M,
    y: start.j * BLOCK_M,
    heading: 0,
    speed: 0,
    battery: Math.round(25 + rand() * 75),
    state: 'idle',
    odometer: 0,
    route: [],
    cruise: 40,
    waitS: rand() * 3,
    brakeNow: false,
  };
  return v;
}

const nodeOf = (v: SimVehicle): Node => ({
  i: Math.round(v.x / BLOCK_M),
  j: Math.round(v.y / BLOCK_M),
});

function nearestCharger(v: SimVehicle): Node {
  let best = CHARGERS[0] as Node;
  let bestD = Infinity;
  for (const c of CHARGERS) {
    const d = Math.abs(c.i * BLOCK_M - v.x) + Math.abs(c.j * BLOCK_M - v.y);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best;
}

// Battery used per km driven, in %: a full charge lasts about 25 km, which makes low batteries
// show up within minutes in a workshop.
const DRAIN_PER_KM = 4;
const CHARGE_PER_S = 2;
const ACCEL_KMH_PER_S = 10;
// Ordinary braking, 2 m/s², well under the harsh-braking threshold.
const DECEL_KMH_PER_S = 7.2;
const DECEL_MS2 = DECEL_KMH_PER_S / 3.6;

/** Advances one vehicle by `dtS` seconds. Returns the vehicle (mutated) for convenience. */
export function stepVehicle(v: SimVehicle, dtS: number, rand: Random): SimVehicle {
  // A trainer's "brake hard" waits until the vehicle is moving fast enough for it to matter, and
  // until stopping within this step is clearly harsh: on a loaded machine a step can last longer
  // than a second, and a stop spread over a long step would raise no alert at all.
  if (v.brakeNow && v.speed >= 20 && dtS > 0 && v.speed / 3.6 / dtS > HARSH_BRAKING_MS2 * 1.25) {
    v.brakeNow = false;
    v.speed = 0;
    v.waitS = Math.max(v.waitS, 2);
    if (v.state === 'driving') v.state = 'idle';
    return v;
  }
  if (v.state === 'charging') {
    v.speed = Math.max(0, v.speed - DECEL_KMH_PER_S * dtS);
    v.battery = Math.min(100, v.battery + CHARGE_PER_S * dtS);
    if (v.battery >= 90) {
      v.state = 'idle';
      v.waitS = 1;
    }
    return v;
  }
  if (v.waitS > 0) {
    v.waitS -= dtS;
    v.speed = Math.max(0, v.speed - DECEL_KMH_PER_S * dtS);
    return v;
  }
  if (v.route.length === 0) {
    if (v.state === 'returning') {
      v.state = 'charging';
      return v;
    }
    // New trip: a charger when the battery is low, else anywhere.
    const dest = v.battery < LOW_BATTERY ? nearestCharger(v) : randomNode(rand);
    v.route = planRoute(nodeOf(v), dest, rand).slice(1);
    v.state = v.battery < LOW_BATTERY ? 'returning' : 'driving';
    v.cruise = 30 + rand() * 25;
    if (v.route.length === 0) {
      v.waitS = 1 + rand() * 3;
      v.state = v.state === 'returning' ? 'charging' : 'idle';
      return v;
    }
  }
  if (v.state === 'idle') v.state = 'driving';
  // Speed up towards cruising speed, but no faster than allows a gentle stop at the end of the
  // route (v² = 2ad); then move along the route through as many nodes as fit.
  const stopKmh = Math.sqrt(2 * DECEL_MS2 * remainingM(v)) * 3.6;
  v.speed = Math.max(
    Math.max(0, v.speed - DECEL_KMH_PER_S * dtS),
    Math.min(v.cruise, v.speed + ACCEL_KMH_PER_S * dtS, stopKmh),
  );
  let left = (v.speed / 3.6) * dtS;
  const travelled = left;
  while (left > 0 && v.route.length > 0) {
    const next = v.route[0] as Node;
    const tx = next.i * BLOCK_M;
    const ty = next.j * BLOCK_M;
    const dx = tx - v.x;
    const dy = ty - v.y;
    const dist = Math.abs(dx) + Math.abs(dy); // one of dx, dy is 0: streets are straight
    if (dist > 0) v.heading = headingOf(dx, dy);
    if (dist <= left) {
      v.x = tx;
      v.y = ty;
      left -= dist;
      v.route.shift();
    } else {
      v.x += Math.sign(dx) * left;
      v.y += Math.sign(dy) * left;
      left = 0;
    }
  }
  const km = (travelled - left) / 1000;
  v.odometer += km;
  v.battery = Math.max(0, v.battery - km * DRAIN_PER_KM);
  if (v.route.length === 0) {
    // Arrived: wait a moment (a pickup), or plug in at the charger; the speed left over from
    // the approach (a few km/h) decays gently while waiting.
    if (v.state === 'returning') v.state = 'charging';
    else {
      v.state = 'idle';
      v.waitS = 2 + rand() * 6;
    }
  } else if (v.battery < LOW_BATTERY && v.state === 'driving') {
    // Head for a charger from the next intersection: a car cannot turn in the middle of a block.
    const next = v.route[0] as Node;
    v.route = [next, ...planRoute(next, nearestCharger(v), rand).slice(1)];
    v.state = 'returning';
  }
  return v;
}

function remainingM(v: SimVehicle): number {
  let d = 0;
  let x = v.x;
  let y = v.y;
  for (const n of v.route) {
    d += Math.abs(n.i * BLOCK_M - x) + Math.abs(n.j * BLOCK_M - y);
    x = n.i * BLOCK_M;
    y = n.j * BLOCK_M;
  }
  return d;
}

function headingOf(dx: number, dy: number): Heading {
  // y grows southwards on the map, so north is negative dy.
  if (dx > 0) return 90;
  if (dx < 0) return 270;
  return dy > 0 ? 180 : 0;
}

/** The wire form of a vehicle's state. Rounded: nobody needs micrometres. */
export function toStatus(v: SimVehicle, ts: number): VehicleStatus {
  return {
    id: v.id,
    x: Math.round(v.x * 10) / 10,
    y: Math.round(v.y * 10) / 10,
    heading: v.heading,
    speed: Math.round(v.speed * 10) / 10,
    battery: Math.round(v.battery * 10) / 10,
    state: v.state,
    odometer: Math.round(v.odometer * 100) / 100,
    ts,
  };
}

/** The part of a reading the alert rules look at. */
export interface Reading {
  x: number;
  y: number;
  speed: number;
  battery: number;
}

/** An alert raised by `alertsBetween`, before it gets a key and a timestamp. */
export interface RaisedAlert {
  kind: AlertKind;
  value: number;
}

export const insideGeofence = (x: number, y: number): boolean =>
  x >= GEOFENCE.min && x <= GEOFENCE.max && y >= GEOFENCE.min && y <= GEOFENCE.max;

/**
 * The alert rules, applied to two consecutive readings `dtS` seconds apart. Each fires on the
 * transition only, so a vehicle that stays low on battery or outside the fence alerts once.
 */
export function alertsBetween(prev: Reading, next: Reading, dtS: number): RaisedAlert[] {
  const out: RaisedAlert[] = [];
  if (prev.battery >= LOW_BATTERY && next.battery < LOW_BATTERY) {
    out.push({ kind: 'low-battery', value: Math.round(next.battery * 10) / 10 });
  }
  if (dtS > 0) {
    const decel = (prev.speed - next.speed) / 3.6 / dtS;
    if (decel > HARSH_BRAKING_MS2) {
      out.push({ kind: 'harsh-braking', value: Math.round(decel * 10) / 10 });
    }
  }
  if (insideGeofence(prev.x, prev.y) && !insideGeofence(next.x, next.y)) {
    out.push({ kind: 'geofence-exit', value: 0 });
  }
  return out;
}
