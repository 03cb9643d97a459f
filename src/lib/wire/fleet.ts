// The vehicle fleet's wire formats, shared by the simulator, the aggregator and the dashboard.
// Topics follow MQTT's "/"-separated levels; payloads are small JSON except `fleet/snapshot`,
// which is binary because it carries every vehicle several times a second.

/** Side of one city block, in metres. Streets run along every multiple of this. */
export const BLOCK_M = 100;
/** Blocks per side of the synthetic city: the map is `GRID_BLOCKS * BLOCK_M` metres square. */
export const GRID_BLOCKS = 24;
/** Side of the map in metres. */
export const GRID_SIZE_M = GRID_BLOCKS * BLOCK_M;
/** The service area: leaving it raises a geofence alert. Two blocks inside every edge. */
export const GEOFENCE = { min: 2 * BLOCK_M, max: GRID_SIZE_M - 2 * BLOCK_M } as const;

/** Hard limits of the simulator, enforced by the CLI, the server flags and the control API. */
export const FLEET_LIMITS = {
  maxVehicles: 5000,
  minRateHz: 0.2,
  maxRateHz: 10,
} as const;

/** How often the aggregator publishes `fleet/snapshot` (the issue asks for 2-4 Hz). */
export const SNAPSHOT_HZ = 2;

/** What a vehicle is doing; the map colours (and shapes) vehicles by this. */
export type VehicleState = 'driving' | 'idle' | 'charging' | 'returning';
/** Every state, in the order the snapshot encodes them. */
export const VEHICLE_STATES: readonly VehicleState[] = ['driving', 'idle', 'charging', 'returning'];

/** Streets only run north-south or east-west, so a heading is one of four. Degrees: 0 = north. */
export type Heading = 0 | 90 | 180 | 270;

/** Body of `vehicle/<id>/status` (QoS 0, at the fleet rate). */
export interface VehicleStatus {
  id: number;
  /** Metres from the west edge. */
  x: number;
  /** Metres from the north edge. */
  y: number;
  heading: Heading;
  /** km/h */
  speed: number;
  /** percent, 0-100 */
  battery: number;
  state: VehicleState;
  /** km driven since the simulator started this vehicle. */
  odometer: number;
  /** Unix time in ms when the vehicle measured this. */
  ts: number;
}

/** Kinds of `vehicle/<id>/alert`. */
export type AlertKind = 'low-battery' | 'harsh-braking' | 'geofence-exit';
/** Every alert kind. */
export const ALERT_KINDS: readonly AlertKind[] = ['low-battery', 'harsh-braking', 'geofence-exit'];

/** Body of `vehicle/<id>/alert` (QoS 1: at least once, so receivers drop duplicates by `key`). */
export interface VehicleAlert {
  /** Unique per alert: `<vehicle>-<boot>-<seq>`; a duplicate delivery carries the same key. */
  key: string;
  id: number;
  kind: AlertKind;
  /** The measured value behind the alert: battery %, deceleration m/s², or the position. */
  value: number;
  x: number;
  y: number;
  ts: number;
}

/** Body of `fleet/stats` (JSON, about once a second). */
export interface FleetStats {
  ts: number;
  /** Vehicles the aggregator has heard of (online or not). */
  known: number;
  online: number;
  offline: number;
  byState: Record<VehicleState, number>;
  /** `vehicle/+/status` messages the aggregator received in the last second. */
  statusPerS: number;
  /** Alerts received since the aggregator started. */
  alertsTotal: number;
  avgBattery: number;
  avgSpeed: number;
  /** Size of the last snapshot in bytes. */
  snapshotBytes: number;
}

/** One vehicle in a snapshot: enough to draw it on the overview map. */
export interface SnapshotVehicle {
  id: number;
  /** Whole metres. */
  x: number;
  y: number;
  heading: Heading;
  state: VehicleState;
}

/** A decoded `fleet/snapshot`. */
export interface FleetSnapshot {
  ts: number;
  vehicles: SnapshotVehicle[];
}

/**
 * Default of `--fleet-capacity`: status messages per second the whole fleet may publish, and
 * vehicles it may run, on one laptop that also serves the site, the broker and the other demos.
 */
export const FLEET_CAPACITY_DEFAULT = 2000;

/** State of the simulator as `GET /api/fleet` reports it. */
export interface FleetInfo {
  /** Vehicles the simulator runs (0 when this server runs none). */
  vehicles: number;
  /** Vehicles connected to the broker right now. */
  connected: number;
  rateHz: number;
  paused: boolean;
  snapshotHz: number;
  limits: typeof FLEET_LIMITS;
  /** This lab's cap: vehicles × rateHz, and vehicles, at most this (`--fleet-capacity`). */
  capacity?: number;
  /** 1 normally; 2, 4, … while the lab is overloaded and the vehicles publish that much slower. */
  slowdown?: number;
}

/** Body of `PATCH /api/fleet`: any subset. */
export interface FleetPatch {
  vehicles?: number;
  rateHz?: number;
  paused?: boolean;
}

// --- topics -------------------------------------------------------------------------------

/** `vehicle/<id>/status` */
export const statusTopic = (id: number): string => `vehicle/${id}/status`;
/** `vehicle/<id>/alert` */
export const alertTopic = (id: number): string => `vehicle/${id}/alert`;
/** `vehicle/<id>/online`: retained `true` / `false` (the last will). */
export const onlineTopic = (id: number): string => `vehicle/${id}/online`;
/** The aggregator's compact overview of every online vehicle. */
export const SNAPSHOT_TOPIC = 'fleet/snapshot';
/** The aggregator's fleet totals. */
export const STATS_TOPIC = 'fleet/stats';
/** `+` matches exactly one level ([MQTT-4.7.1-3]): every vehicle's status, the naive overview. */
export const ALL_STATUS = 'vehicle/+/status';
/** Every vehicle's alerts. */
export const ALL_ALERTS = 'vehicle/+/alert';
/** Every vehicle's retained online flag. */
export const ALL_ONLINE = 'vehicle/+/online';

/** Splits `vehicle/<id>/<kind>`; null for any other topic. */
export function parseVehicleTopic(
  topic: string,
): { id: number; kind: 'status' | 'alert' | 'online' } | null {
  const m = /^vehicle\/([1-9]\d{0,4})\/(status|alert|online)$/.exec(topic);
  if (!m) return null;
  return { id: Number(m[1]), kind: m[2] as 'status' | 'alert' | 'online' };
}

// --- payloads -----------------------------------------------------------------------------

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Parses a status payload; null when it is not one (malformed JSON or missing fields). */
export function parseStatus(payload: string | Uint8Array): VehicleStatus | null {
  const v = parseJson(payload) as Partial<VehicleStatus> | null;
  if (!v || typeof v !== 'object') return null;
  if (!isNum(v.id) || !isNum(v.x) || !isNum(v.y) || !isNum(v.speed) || !isNum(v.battery))
    return null;
  if (!VEHICLE_STATES.includes(v.state as VehicleState)) return null;
  return {
    id: v.id,
    x: v.x,
    y: v.y,
    heading: toHeading(v.heading),
    speed: v.speed,
    battery: v.battery,
    state: v.state as VehicleState,
    odometer: isNum(v.odometer) ? v.odometer : 0,
    ts: isNum(v.ts) ? v.ts : 0,
  };
}

/** Parses an alert payload; null when it is not one. */
export function parseAlert(payload: string | Uint8Array): VehicleAlert | null {
  const v = parseJson(payload) as Partial<VehicleAlert> | null;
  if (!v || typeof v !== 'object') return null;
  if (typeof v.key !== 'string' || !isNum(v.id) || !ALERT_KINDS.includes(v.kind as AlertKind))
    return null;
  return {
    key: v.key,
    id: v.id,
    kind: v.kind as AlertKind,
    value: isNum(v.value) ? v.value : 0,
    x: isNum(v.x) ? v.x : 0,
    y: isNum(v.y) ? v.y : 0,
    ts: isNum(v.ts) ? v.ts : 0,
  };
}

/** Parses a `fleet/stats` payload; null when it is not one. */
export function parseStats(payload: string | Uint8Array): FleetStats | null {
  const v = parseJson(payload) as Partial<FleetStats> | null;
  if (!v || typeof v !== 'object' || !isNum(v.online) || !isNum(v.known)) return null;
  return v as FleetStats;
}

/** `true` / `false` from a retained online flag; null for an empty (cleared) retained message. */
export function parseOnline(payload: string | Uint8Array): boolean | null {
  const text = typeof payload === 'string' ? payload : new TextDecoder().decode(payload);
  if (text === 'true') return true;
  if (text === 'false') return false;
  return null;
}

function parseJson(payload: string | Uint8Array): unknown {
  try {
    return JSON.parse(typeof payload === 'string' ? payload : new TextDecoder().decode(payload));
  } catch {
    return null;
  }
}

function toHeading(v: unknown): Heading {
  const n = isNum(v) ? ((Math.round(v / 90) % 4) + 4) % 4 : 0;
  return (n * 90) as Heading;
}

// --- binary snapshot ----------------------------------------------------------------------
// Layout (big-endian, as DataView reads by default):
//   u8 version (1) | u16 count | f64 timestamp ms | count × vehicle
//   vehicle: varint (id - previous id) | 3 bytes: x (12 bits) y (12 bits), whole metres |
//            u8: bits 0-1 heading / 90, bits 2-3 state index
// Ids are sorted, so the delta is usually 1 and the id costs one byte: 5 bytes per vehicle,
// against about 150 bytes for one `vehicle/<id>/status` message.

const SNAPSHOT_VERSION = 1;
const HEADER_BYTES = 11;
const MAX_COORD = 4095;

/** Encodes a snapshot; vehicles are sorted by id on the way. */
export function encodeSnapshot(snapshot: FleetSnapshot): Uint8Array {
  const vehicles = [...snapshot.vehicles].sort((a, b) => a.id - b.id);
  const buf = new Uint8Array(HEADER_BYTES + vehicles.length * 7);
  const view = new DataView(buf.buffer);
  view.setUint8(0, SNAPSHOT_VERSION);
  view.setUint16(1, vehicles.length);
  view.setFloat64(3, snapshot.ts);
  let o = HEADER_BYTES;
  let prev = 0;
  for (const v of vehicles) {
    let delta = v.id - prev;
    prev = v.id;
    // LEB128-style varint: 7 bits per byte, high bit set on every byte but the last.
    while (delta >= 0x80) {
      buf[o++] = (delta & 0x7f) | 0x80;
      delta >>>= 7;
    }
    buf[o++] = delta;
    const x = clampCoord(v.x);
    const y = clampCoord(v.y);
    buf[o++] = x >> 4;
    buf[o++] = ((x & 0x0f) << 4) | (y >> 8);
    buf[o++] = y & 0xff;
    const state = Math.max(0, VEHICLE_STATES.indexOf(v.state));
    buf[o++] = ((v.heading / 90) & 3) | (state << 2);
  }
  return buf.subarray(0, o);
}

/** Decodes a snapshot; throws on a truncated or unknown-version buffer. */
export function decodeSnapshot(bytes: Uint8Array): FleetSnapshot {
  if (bytes.length < HEADER_BYTES) throw new Error('snapshot too short');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint8(0) !== SNAPSHOT_VERSION) throw new Error('unknown snapshot version');
  const count = view.getUint16(1);
  const ts = view.getFloat64(3);
  const vehicles: SnapshotVehicle[] = new Array<SnapshotVehicle>(count);
  let o = HEADER_BYTES;
  let id = 0;
  for (let i = 0; i < count; i++) {
    let delta = 0;
    let shift = 0;
    for (;;) {
      if (o >= bytes.length) throw new Error('snapshot truncated');
      const b = bytes[o++] as number;
      delta += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if (b < 0x80) break;
    }
    if (o + 4 > bytes.length) throw new Error('snapshot truncated');
    id += delta;
    const b0 = bytes[o++] as number;
    const b1 = bytes[o++] as number;
    const b2 = bytes[o++] as number;
    const flags = bytes[o++] as number;
    vehicles[i] = {
      id,
      x: (b0 << 4) | (b1 >> 4),
      y: ((b1 & 0x0f) << 8) | b2,
      heading: ((flags & 3) * 90) as Heading,
      state: VEHICLE_STATES[(flags >> 2) & 3] as VehicleState,
    };
  }
  return { ts, vehicles };
}

function clampCoord(v: number): number {
  return Math.min(MAX_COORD, Math.max(0, Math.round(v)));
}
