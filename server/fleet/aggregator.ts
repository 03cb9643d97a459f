// The aggregator: what a broker's rule engine does in production. It subscribes ONCE to every
// vehicle, keeps the latest reading of each, and publishes a compact overview (`fleet/snapshot`,
// binary, a few times a second) and totals (`fleet/stats`). Browsers subscribe to those two
// topics instead of to every vehicle's status.
import mqtt, { type MqttClient } from 'mqtt';
import {
  ALL_ALERTS,
  ALL_ONLINE,
  ALL_STATUS,
  SNAPSHOT_HZ,
  SNAPSHOT_TOPIC,
  STATS_TOPIC,
  VEHICLE_STATES,
  encodeSnapshot,
  parseOnline,
  parseStatus,
  parseVehicleTopic,
  type FleetStats,
  type VehicleState,
  type VehicleStatus,
} from '../../src/lib/wire/fleet.ts';
import type { Credentials } from './simulator.ts';

/** Options of the aggregator. */
export interface AggregatorOptions {
  brokerUrl: string;
  credentials: Credentials;
  snapshotHz?: number;
}

interface Entry {
  online: boolean;
  status: VehicleStatus | null;
}

/** Subscribes to the whole fleet and republishes it in compact form. */
export class FleetAggregator {
  readonly #opts: AggregatorOptions;
  readonly #vehicles = new Map<number, Entry>();
  #client: MqttClient | null = null;
  #timer: ReturnType<typeof setInterval> | null = null;
  #statusCount = 0;
  #alertsTotal = 0;
  #ticks = 0;
  #lastSnapshotBytes = 0;

  constructor(opts: AggregatorOptions) {
    this.#opts = opts;
  }

  /** Connects, subscribes and starts publishing; resolves once the subscriptions are granted. */
  async start(): Promise<void> {
    const client = await mqtt.connectAsync(this.#opts.brokerUrl, {
      clientId: `fleet-aggregator-${Math.random().toString(36).slice(2, 8)}`,
      ...this.#opts.credentials,
      protocolVersion: 4,
      clean: true,
      reconnectPeriod: 2000,
      connectTimeout: 10_000,
      queueQoSZero: false,
    });
    this.#client = client;
    client.on('error', () => {}); // reconnects by itself; an error must not crash the server
    client.on('message', (topic, payload) => this.#onMessage(topic, payload));
    // After a reconnect (clean session) the subscriptions are gone: subscribe again.
    client.on('connect', () => void this.#subscribe(client).catch(() => {}));
    await this.#subscribe(client);
    const hz = this.#opts.snapshotHz ?? SNAPSHOT_HZ;
    this.#timer = setInterval(() => this.#publish(hz), 1000 / hz);
  }

  /** The latest snapshot's content, for tests and the stats. */
  onlineIds(): number[] {
    const ids: number[] = [];
    for (const [id, e] of this.#vehicles) if (e.online && e.status) ids.push(id);
    return ids.sort((a, b) => a - b);
  }

  async close(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#client?.endAsync().catch(() => {});
    this.#client = null;
  }

  async #subscribe(client: MqttClient): Promise<void> {
    await client.subscribeAsync({
      [ALL_STATUS]: { qos: 0 },
      [ALL_ONLINE]: { qos: 1 },
      [ALL_ALERTS]: { qos: 1 },
    });
  }

  #onMessage(topic: string, payload: Buffer): void {
    const t = parseVehicleTopic(topic);
    if (!t) return;
    if (t.kind === 'alert') {
      this.#alertsTotal++;
      return;
    }
    if (t.kind === 'online') {
      const online = parseOnline(payload);
      if (online === null)
        this.#vehicles.delete(t.id); // cleared: the vehicle left the fleet
      else this.#entry(t.id).online = online;
      return;
    }
    const status = parseStatus(payload);
    if (!status || status.id !== t.id) return;
    this.#statusCount++;
    this.#entry(t.id).status = status;
  }

  #entry(id: number): Entry {
    let e = this.#vehicles.get(id);
    if (!e) {
      e = { online: false, status: null };
      this.#vehicles.set(id, e);
    }
    return e;
  }

  #publish(hz: number): void {
    const client = this.#client;
    if (!client?.connected) return;
    const now = Date.now();
    const vehicles = [];
    for (const [id, e] of this.#vehicles) {
      if (!e.online || !e.status) continue;
      const s = e.status;
      vehicles.push({ id, x: s.x, y: s.y, heading: s.heading, state: s.state });
    }
    const bytes = encodeSnapshot({ ts: now, vehicles });
    this.#lastSnapshotBytes = bytes.length;
    // Retained, so a page that opens now draws the fleet at once ([MQTT-3.3.1-6]).
    client.publish(SNAPSHOT_TOPIC, Buffer.from(bytes), { qos: 0, retain: true });
    if (++this.#ticks % Math.max(1, Math.round(hz)) === 0) {
      client.publish(STATS_TOPIC, JSON.stringify(this.#stats(now)), { qos: 0, retain: true });
      this.#statusCount = 0;
    }
  }

  #stats(now: number): FleetStats {
    const byState = Object.fromEntries(VEHICLE_STATES.map((s) => [s, 0])) as Record<
      VehicleState,
      number
    >;
    let online = 0;
    let battery = 0;
    let speed = 0;
    let withStatus = 0;
    for (const e of this.#vehicles.values()) {
      if (e.online) online++;
      if (!e.online || !e.status) continue;
      withStatus++;
      byState[e.status.state]++;
      battery += e.status.battery;
      speed += e.status.speed;
    }
    return {
      ts: now,
      known: this.#vehicles.size,
      online,
      offline: this.#vehicles.size - online,
      byState,
      statusPerS: this.#statusCount,
      alertsTotal: this.#alertsTotal,
      avgBattery: withStatus ? Math.round((battery / withStatus) * 10) / 10 : 0,
      avgSpeed: withStatus ? Math.round((speed / withStatus) * 10) / 10 : 0,
      snapshotBytes: this.#lastSnapshotBytes,
    };
  }
}
