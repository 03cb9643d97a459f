// The fleet simulator: N vehicles, each with its OWN MQTT connection to the broker, as real
// devices have. One shared timer drives every vehicle (not one timer per vehicle), and each
// vehicle's publish is spread over the period so the broker sees a steady stream, not a burst.
import mqtt, { type MqttClient } from 'mqtt';
import {
  FLEET_LIMITS,
  alertTopic,
  onlineTopic,
  statusTopic,
  type FleetInfo,
  type VehicleAlert,
} from '../../src/lib/wire/fleet.ts';
import { SNAPSHOT_HZ } from '../../src/lib/wire/fleet.ts';
import {
  alertsBetween,
  createVehicle,
  stepVehicle,
  toStatus,
  type Random,
  type Reading,
  type SimVehicle,
} from './sim.ts';

/** Username and password the vehicles present in CONNECT. */
export interface Credentials {
  username: string;
  password: string;
}

/** Options of a simulator. */
export interface SimulatorOptions {
  /** `mqtt://`, `mqtts://`, `ws://` or `wss://` URL of the broker. */
  brokerUrl: string;
  vehicles: number;
  rateHz: number;
  credentials: Credentials;
  random?: Random;
  /** Seconds a vehicle stays away after an unexpected disconnect before it reconnects. */
  reconnectAfterS?: number;
  /** Vehicles connecting at the same time while the fleet grows. */
  connectConcurrency?: number;
  /** Called when a vehicle's connection fails, with the reason (e.g. refused credentials). */
  onError?: (message: string) => void;
}

const TICK_MS = 50;
// Every process gets its own client ids, so two simulators on one broker do not take over each
// other's sessions ([MQTT-3.1.4-2]: a second CONNECT with the same id disconnects the first).
const RUN = Math.random().toString(36).slice(2, 8);

interface VehicleSlot {
  sim: SimVehicle;
  client: MqttClient | null;
  connected: boolean;
  connecting: boolean;
  /** Waiting in the connect queue. */
  queued: boolean;
  nextDue: number;
  lastStep: number;
  prev: Reading;
  alertSeq: number;
  /** When to reconnect after a drop (ms since epoch), or null. */
  reconnectAt: number | null;
  removed: boolean;
}

/** A running fleet; `start()` connects it, `close()` disconnects it cleanly. */
export class FleetSimulator {
  readonly #opts: Required<Omit<SimulatorOptions, 'onError'>> & Pick<SimulatorOptions, 'onError'>;
  readonly #slots = new Map<number, VehicleSlot>();
  readonly #queue: VehicleSlot[] = [];
  #rateHz: number;
  #slowdown = 1;
  #paused = false;
  #timer: ReturnType<typeof setInterval> | null = null;
  #connecting = 0;
  #closed = false;
  #lastError: string | null = null;

  constructor(opts: SimulatorOptions) {
    this.#opts = {
      random: Math.random,
      reconnectAfterS: 5,
      connectConcurrency: 50,
      ...opts,
    };
    this.#rateHz = opts.rateHz;
  }

  /** Starts the shared timer and begins connecting the vehicles (it does not wait for them). */
  start(): void {
    if (this.#timer) return;
    this.resize(this.#opts.vehicles);
    this.#timer = setInterval(() => this.#tick(), TICK_MS);
  }

  /** Current size, connections and rate. */
  info(): FleetInfo & { lastError: string | null } {
    let connected = 0;
    for (const s of this.#slots.values()) if (s.connected) connected++;
    return {
      vehicles: this.#slots.size,
      connected,
      rateHz: this.#rateHz,
      paused: this.#paused,
      snapshotHz: SNAPSHOT_HZ,
      limits: FLEET_LIMITS,
      slowdown: this.#slowdown,
      lastError: this.#lastError,
    };
  }

  /** Grows (new vehicles connect) or shrinks (the highest ids leave cleanly) the fleet. */
  resize(n: number): void {
    const now = Date.now();
    for (let id = 1; id <= n; id++) {
      if (this.#slots.has(id)) continue;
      const sim = createVehicle(id, this.#opts.random);
      const slot: VehicleSlot = {
        sim,
        client: null,
        connected: false,
        connecting: false,
        queued: true,
        // Spread first publishes over one period.
        nextDue: now + this.#opts.random() * this.#periodMs(),
        lastStep: now,
        prev: { x: sim.x, y: sim.y, speed: sim.speed, battery: sim.battery },
        alertSeq: 0,
        reconnectAt: null,
        removed: false,
      };
      this.#slots.set(id, slot);
      this.#queue.push(slot);
    }
    for (const [id, slot] of this.#slots) {
      if (id <= n) continue;
      this.#slots.delete(id);
      void this.#retire(slot);
    }
    this.#pump();
  }

  /** Changes how often every vehicle publishes its status. */
  setRate(hz: number): void {
    this.#rateHz = hz;
    const now = Date.now();
    for (const s of this.#slots.values()) s.nextDue = now + this.#opts.random() * this.#periodMs();
  }

  /** Stops (or restarts) driving and publishing; connections stay open. */
  setPaused(paused: boolean): void {
    if (this.#paused && !paused) {
      // Do not count the pause as driving time.
      const now = Date.now();
      for (const s of this.#slots.values()) s.lastStep = now;
    }
    this.#paused = paused;
  }

  /** Whether a vehicle with this id exists. */
  has(id: number): boolean {
    return this.#slots.has(id);
  }

  /** Whether this vehicle is connected right now. */
  isConnected(id: number): boolean {
    return this.#slots.get(id)?.connected ?? false;
  }

  /**
   * Cuts a vehicle's connection without DISCONNECT, as a lost radio link would: the broker then
   * publishes its will ([MQTT-3.1.2-8]). It reconnects after `reconnectAfterS` seconds.
   */
  cut(id: number, reconnectAfterS = this.#opts.reconnectAfterS): boolean {
    const slot = this.#slots.get(id);
    if (!slot?.client || !slot.connected) return false;
    slot.reconnectAt = Date.now() + reconnectAfterS * 1000;
    slot.client.stream.destroy();
    return true;
  }

  /** Makes a vehicle stop dead the next time it moves at speed: a harsh-braking alert. */
  brake(id: number): boolean {
    const slot = this.#slots.get(id);
    if (!slot) return false;
    slot.sim.brakeNow = true;
    return true;
  }

  /** Every vehicle leaves cleanly: its online flag is cleared and it sends DISCONNECT. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    const slots = [...this.#slots.values()];
    this.#slots.clear();
    await Promise.all(slots.map((s) => this.#retire(s)));
  }

  #periodMs(): number {
    return (1000 / this.#rateHz) * this.#slowdown;
  }

  /**
   * Publishes `factor` times slower than the set rate (1 = as set): the lab backs off while its
   * event loop lags, instead of queueing messages it cannot deliver.
   */
  setSlowdown(factor: number): void {
    if (factor === this.#slowdown) return;
    this.#slowdown = factor;
    const now = Date.now();
    for (const s of this.#slots.values()) s.nextDue = now + this.#opts.random() * this.#periodMs();
  }

  /** The current slowdown factor. */
  get slowdown(): number {
    return this.#slowdown;
  }

  #tick(): void {
    const now = Date.now();
    for (const slot of this.#slots.values()) {
      if (slot.reconnectAt !== null && slot.reconnectAt <= now && !slot.connected) {
        slot.reconnectAt = null;
        if (!slot.queued && !slot.connecting) {
          slot.queued = true;
          this.#queue.push(slot);
        }
      }
      if (this.#paused || slot.nextDue > now) continue;
      slot.nextDue += this.#periodMs();
      if (slot.nextDue < now) slot.nextDue = now + this.#periodMs(); // fell behind: skip, no burst
      const dtS = Math.min(5, (now - slot.lastStep) / 1000);
      slot.lastStep = now;
      stepVehicle(slot.sim, dtS, this.#opts.random);
      const next: Reading = {
        x: slot.sim.x,
        y: slot.sim.y,
        speed: slot.sim.speed,
        battery: slot.sim.battery,
      };
      const alerts = alertsBetween(slot.prev, next, dtS);
      slot.prev = next;
      const client = slot.client;
      if (!client || !slot.connected) continue; // a device out of coverage keeps driving
      const id = slot.sim.id;
      // [MQTT-4.3.1] QoS 0: at most once; a lost position is replaced by the next one.
      client.publish(statusTopic(id), JSON.stringify(toStatus(slot.sim, now)), { qos: 0 });
      for (const a of alerts) {
        const alert: VehicleAlert = {
          key: `${id}-${RUN}-${++slot.alertSeq}`,
          id,
          kind: a.kind,
          value: a.value,
          x: Math.round(slot.sim.x),
          y: Math.round(slot.sim.y),
          ts: now,
        };
        // [MQTT-4.3.2] QoS 1: at least once; receivers drop duplicates by `key`.
        client.publish(alertTopic(id), JSON.stringify(alert), { qos: 1 });
      }
    }
    this.#pump();
  }

  /** Starts queued connections, at most `connectConcurrency` at a time. */
  #pump(): void {
    while (
      !this.#closed &&
      this.#queue.length > 0 &&
      this.#connecting < this.#opts.connectConcurrency
    ) {
      const slot = this.#queue.shift() as VehicleSlot;
      slot.queued = false;
      if (slot.removed) continue;
      this.#connect(slot);
    }
  }

  #connect(slot: VehicleSlot): void {
    const id = slot.sim.id;
    slot.client?.end(true);
    slot.connecting = true;
    this.#connecting++;
    const client = mqtt.connect(this.#opts.brokerUrl, {
      clientId: `vehicle-${id}-${RUN}`,
      username: this.#opts.credentials.username,
      password: this.#opts.credentials.password,
      protocolVersion: 4,
      clean: true,
      keepalive: 60,
      connectTimeout: 10_000,
      // The simulator reconnects itself (through the shared timer), after a visible pause.
      reconnectPeriod: 0,
      // A status from while the link was down is stale: drop it rather than queue it.
      queueQoSZero: false,
      // [MQTT-3.1.2-8..17] The broker publishes this if the connection ends without DISCONNECT.
      will: { topic: onlineTopic(id), payload: Buffer.from('false'), qos: 1, retain: true },
    });
    slot.client = client;
    let settled = false;
    const settle = (): void => {
      if (settled) return;
      settled = true;
      slot.connecting = false;
      this.#connecting--;
      this.#pump();
    };
    client.on('connect', () => {
      settle();
      // Retired (or the fleet closed: every slot retired) while its CONNACK was on the way, so
      // the slot no longer holds this client, which is ending: mqtt.js throws on a publish from
      // an ended client, and that would take the lab down with it.
      if (client !== slot.client || client.disconnecting) return;
      slot.connected = true;
      // [MQTT-3.3.1-5] Retained: a dashboard that subscribes later still learns it is online.
      client.publish(onlineTopic(id), 'true', { qos: 1, retain: true });
    });
    client.on('error', (err) => {
      this.#lastError = `vehicle ${id}: ${err.message}`;
      this.#opts.onError?.(this.#lastError);
    });
    client.on('close', () => {
      settle();
      slot.connected = false;
      if (slot.removed || this.#closed || client !== slot.client) return;
      slot.reconnectAt ??= Date.now() + this.#opts.reconnectAfterS * 1000;
    });
  }

  /** A vehicle leaving the fleet for good: clear its retained flag, then DISCONNECT. */
  async #retire(slot: VehicleSlot): Promise<void> {
    slot.removed = true;
    const client = slot.client;
    slot.client = null;
    if (!client) return;
    if (slot.connected) {
      // [MQTT-3.3.1-10] An empty retained payload removes the retained message.
      await new Promise<void>((resolve) => {
        client.publish(onlineTopic(slot.sim.id), '', { qos: 1, retain: true }, () => resolve());
        setTimeout(resolve, 1000).unref();
      });
    }
    // A normal DISCONNECT: the broker discards the will ([MQTT-3.14.4-3]).
    await new Promise<void>((resolve) => {
      client.end(false, {}, () => resolve());
      setTimeout(() => {
        client.end(true);
        resolve();
      }, 1000).unref();
    });
  }
}

/** Connects once to check that the broker is there and accepts the credentials. */
export async function probeBroker(
  brokerUrl: string,
  credentials: Credentials,
  timeoutMs = 5000,
): Promise<void> {
  const client = mqtt.connect(brokerUrl, {
    clientId: `fleet-probe-${RUN}`,
    ...credentials,
    protocolVersion: 4,
    reconnectPeriod: 0,
    connectTimeout: timeoutMs,
  });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no answer within ${timeoutMs} ms`)),
        timeoutMs,
      );
      client.once('connect', () => {
        clearTimeout(timer);
        resolve();
      });
      client.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      client.once('close', () => {
        clearTimeout(timer);
        reject(new Error('connection closed'));
      });
    });
  } finally {
    client.end(true);
  }
}
