// One simulated fleet for a deployment of several lab instances: the holder of the fleet lock
// runs the simulator and the aggregator (whose snapshot, a retained MQTT message on the shared
// broker, reaches dashboards on every instance). The trainer's settings and commands go through
// Redis, so any instance takes them, and a new holder starts from the same settings.
import type { FleetInfo, FleetPatch } from '../../src/lib/wire/fleet.ts';
import { RedisLock, type SharedRedis } from './index.ts';

const LOCK = 'lab:fleet:lock';
const SETTINGS = 'lab:fleet:settings';
const WANTED = 'lab:fleet:wanted';
const INFO = 'lab:fleet:info';
const COMMANDS = 'lab:fleet:commands';

/** A trainer's command for one vehicle, carried out by whichever instance runs the fleet. */
export type FleetCommand =
  { kind: 'disconnect'; id: number; reconnectAfterS: number } | { kind: 'brake'; id: number };

/** This instance's part in running the deployment's one fleet. */
export interface FleetShare {
  /** Whether this instance runs the fleet now. */
  readonly holder: boolean;
  /** Called when this instance starts or stops running the fleet. */
  onHolder: (held: boolean) => void;
  /** Starts contending for the fleet lock. */
  start(): Promise<void>;
  /** Someone opened the case study: whoever holds the lock starts the fleet. */
  want(): Promise<void>;
  wanted(): Promise<boolean>;
  /** The trainer's settings so far (any subset). */
  settings(): Promise<FleetPatch>;
  saveSettings(patch: FleetPatch): Promise<void>;
  /** The holder's description of the fleet, for the other instances' `GET /api/fleet`. */
  publishInfo(info: FleetInfo): Promise<void>;
  info(): Promise<FleetInfo | null>;
  command(cmd: FleetCommand): Promise<void>;
  /** The commands waiting, oldest first (the holder takes them). */
  takeCommands(): Promise<FleetCommand[]>;
  close(): Promise<void>;
}

/** This instance's handle on the deployment's fleet. */
export function shareFleet(redis: SharedRedis, leaseMs: number): FleetShare {
  const { client } = redis;
  const share: FleetShare = {
    get holder() {
      return lock.held;
    },
    onHolder: () => {},
    start: () => lock.start(),
    async want() {
      await client.set(WANTED, '1');
    },
    async wanted() {
      return (await client.get(WANTED)) === '1';
    },
    async settings() {
      const raw = await client.hgetall(SETTINGS);
      const patch: FleetPatch = {};
      if (raw['vehicles'] !== undefined) patch.vehicles = Number(raw['vehicles']);
      if (raw['rateHz'] !== undefined) patch.rateHz = Number(raw['rateHz']);
      if (raw['paused'] !== undefined) patch.paused = raw['paused'] === '1';
      return patch;
    },
    async saveSettings(patch) {
      const fields: Record<string, string> = {};
      if (patch.vehicles !== undefined) fields['vehicles'] = String(patch.vehicles);
      if (patch.rateHz !== undefined) fields['rateHz'] = String(patch.rateHz);
      if (patch.paused !== undefined) fields['paused'] = patch.paused ? '1' : '0';
      if (Object.keys(fields).length > 0) await client.hset(SETTINGS, fields);
    },
    async publishInfo(info) {
      // Outlives a dead holder only briefly: then the others report no fleet, not a stale one.
      await client.set(INFO, JSON.stringify(info), 'PX', leaseMs * 2);
    },
    async info() {
      const raw = await client.get(INFO);
      return raw === null ? null : (JSON.parse(raw) as FleetInfo);
    },
    async command(cmd) {
      await client.rpush(COMMANDS, JSON.stringify(cmd));
      // Bounded: a trainer's clicks, never more than a few hundred waiting.
      await client.ltrim(COMMANDS, -500, -1);
    },
    async takeCommands() {
      const raw = await client.lpop(COMMANDS, 500);
      return (raw ?? []).map((r) => JSON.parse(r) as FleetCommand);
    },
    async close() {
      await lock.close();
    },
  };
  const lock = new RedisLock(redis, LOCK, leaseMs, (held) => share.onHolder(held));
  return share;
}
