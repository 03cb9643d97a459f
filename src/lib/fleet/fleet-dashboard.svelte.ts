// Reactive state of the fleet dashboard. Positions go to a plain FleetStore (the canvas reads
// it); only what the page shows as text is reactive, refreshed about once a second.
import { loadTrainer } from '../trainer/status.ts';
import type { Pausable, PauseReason } from '../lifecycle/page-lifecycle.ts';
import { isNeedsTrainer } from '../wire/trainer.ts';
import {
  ALL_ALERTS,
  ALL_ONLINE,
  ALL_STATUS,
  SNAPSHOT_TOPIC,
  STATS_TOPIC,
  alertTopic,
  decodeSnapshot,
  parseAlert,
  parseOnline,
  parseStats,
  parseStatus,
  parseVehicleTopic,
  statusTopic,
  type FleetInfo,
  type FleetPatch,
  type FleetStats,
  type VehicleAlert,
  type VehicleState,
  type VehicleStatus,
} from '../wire/fleet.ts';
import { resolveBrokerWsUrl, type ConfigResponse } from '../wire/health.ts';
import { FleetStore } from './fleet-store.ts';
import { RateMeter, type Rate } from './rate-meter.ts';
import { watchStore } from '../status/store-report.ts';

/** How the page subscribes: the aggregated overview plus one vehicle, or every vehicle's status. */
export type Mode = 'overview' | 'naive';
/** The page's MQTT connection. */
export type ConnState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'error';

/** The parts of an mqtt.js client the dashboard uses (tests pass a fake). */
export interface FleetMqttClient {
  on(event: 'message', cb: (topic: string, payload: Uint8Array) => void): unknown;
  on(event: 'packetreceive', cb: (packet: { cmd: string; length?: number }) => void): unknown;
  on(event: 'connect' | 'offline', cb: () => void): unknown;
  on(event: 'error', cb: (err: Error) => void): unknown;
  subscribe(topics: Record<string, { qos: 0 | 1 }>, cb?: (err?: Error | null) => void): unknown;
  unsubscribe(topics: string[], cb?: (err?: Error | null) => void): unknown;
  end(force?: boolean): unknown;
}

/** Opens an MQTT-over-WebSocket connection. */
export type ConnectFn = (url: string) => FleetMqttClient;

/** A minimal fetch. */
export type FleetFetch = (
  input: string,
  init?: { method?: string; headers?: Record<string, string>; body?: string },
) => Promise<Response>;

/** What the dashboard needs from the page. */
export interface FleetDeps {
  /** Loads mqtt.js lazily and returns its connect. */
  loadMqtt: () => Promise<ConnectFn>;
  fetch: FleetFetch;
  /** The page URL, read when connecting (there is none while rendering on the server). */
  pageUrl: () => string;
  now?: () => number;
}

/** One row of the keyboard-reachable vehicle list. */
export interface ListedVehicle {
  id: number;
  state: VehicleState;
  online: boolean | null;
}

/** One point of the per-second history charts. */
export interface RatePoint {
  t: number;
  bytesPerS: number;
  msgsPerS: number;
  mode: Mode;
}

const MAX_ALERTS = 50;
const HISTORY_S = 60;

/** Size of an MQTT packet on the wire: fixed header byte, remaining-length varint, body. */
export function packetBytes(remaining: number): number {
  const lenBytes = remaining < 128 ? 1 : remaining < 16384 ? 2 : remaining < 2097152 ? 3 : 4;
  return 1 + lenBytes + remaining;
}

/** State of the fleet dashboard island. */
export class FleetDashboard implements Pausable {
  conn: ConnState = $state('idle');
  /** Why the page lifecycle has the dashboard disconnected (hidden, offline, cached), or null. */
  paused: PauseReason | null = $state(null);
  error: string | null = $state(null);
  mode: Mode = $state('overview');
  selected: number | null = $state(null);
  detail: VehicleStatus | null = $state.raw(null);
  alerts: VehicleAlert[] = $state.raw([]);
  stats: FleetStats | null = $state.raw(null);
  info: FleetInfo | null = $state.raw(null);
  list: ListedVehicle[] = $state.raw([]);
  /** Live rate in the current mode. */
  rate: Rate = $state.raw({ msgsPerS: 0, bytesPerS: 0 });
  /** Last steady rate measured in each mode (null until a full window was measured). */
  measured: Record<Mode, Rate | null> = $state.raw({ overview: null, naive: null });
  controlError: string | null = $state(null);
  /** Whether this browser may use the fleet's controls: false shows them disabled, with why. */
  trainer: boolean | null = $state(null);
  busy = $state(false);
  /** Bumped once a second; charts redraw when it changes. */
  tick = $state(0);

  /** Positions for the canvas (not reactive on purpose). */
  readonly store = new FleetStore();
  /** Per-second received rates, newest last. */
  readonly history: RatePoint[] = [];
  /** Speed and battery of the selected vehicle, newest last. */
  readonly detailHistory: { t: number; speed: number; battery: number }[] = [];

  readonly #deps: FleetDeps;
  readonly #now: () => number;
  readonly #meter: RateMeter;
  // Only for de-duplication, never rendered: a plain Set, not a reactive one.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly #seenAlerts = new Set<string>();
  #client: FleetMqttClient | null = null;
  #timer: ReturnType<typeof setInterval> | null = null;
  #infoEvery = 0;
  #stopped = false;
  #wakeUp = false;
  // Bumped on each mode switch; a switch is settled once the broker acknowledged it.
  #switch = 0;
  #settling = false;

  constructor(deps: FleetDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
    this.#meter = new RateMeter(4000, this.#now);
  }

  /** The measured reduction from the naive mode to the overview, once both are known. */
  get ratio(): number | null {
    const n = this.measured.naive;
    const o = this.measured.overview;
    return n && o && o.bytesPerS > 0 ? n.bytesPerS / o.bytesPerS : null;
  }

  /** Fetches the broker URL, starts the fleet (first request) and connects over WebSocket. */
  async start(): Promise<void> {
    if (this.conn !== 'idle' && this.conn !== 'error') return;
    this.#stopped = false;
    this.conn = 'connecting';
    watchStore();
    this.error = null;
    try {
      const cfgRes = await this.#deps.fetch('/api/config');
      if (!cfgRes.ok) throw new Error(`/api/config answered ${cfgRes.status}`);
      const cfg = (await cfgRes.json()) as ConfigResponse;
      const trainer = loadTrainer((url) => this.#deps.fetch(url));
      await this.refreshInfo();
      this.trainer = await trainer;
      const connect = await this.#deps.loadMqtt();
      if (this.#stopped) return;
      const client = connect(resolveBrokerWsUrl(cfg.broker, this.#deps.pageUrl()));
      this.#client = client;
      client.on('connect', () => {
        this.conn = 'connected';
        this.error = null;
        // Clean session: after a reconnect nothing is subscribed any more ([MQTT-3.1.2-6]).
        this.#subscribe(this.#baseTopics());
        // A switch cut short by the disconnect is never acknowledged: measure afresh.
        this.#switch++;
        this.#settling = false;
        this.#meter.reset();
      });
      client.on('offline', () => {
        if (!this.#stopped) this.conn = 'reconnecting';
      });
      client.on('error', (err) => {
        this.error = err.message;
      });
      client.on('packetreceive', (packet) => {
        if (packet.cmd === 'publish') this.#meter.add(packetBytes(packet.length ?? 0));
      });
      client.on('message', (topic, payload) => this.#onMessage(topic, payload));
      this.#timer = setInterval(() => this.#everySecond(), 1000);
    } catch (err) {
      this.conn = 'error';
      this.error = (err as Error).message;
    }
  }

  /** Closes the connection and stops the timers. */
  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.#client?.end(true);
    this.#client = null;
    this.conn = 'idle';
  }

  /**
   * The page went hidden, offline or into the cache: nobody is looking at the map, so the
   * dashboard stops receiving hundreds of messages a second. It remembers to come back.
   */
  pause(reason: PauseReason): void {
    const first = this.paused === null;
    this.paused = reason;
    if (!first || this.conn === 'idle') return;
    this.#wakeUp = true;
    this.stop();
  }

  /** The page is back: connect again; retained messages redraw the fleet at once. */
  resume(_restored: boolean): void {
    if (this.paused === null) return;
    this.paused = null;
    if (!this.#wakeUp) return;
    this.#wakeUp = false;
    void this.start();
  }

  /** Switches between the aggregated overview and the naive every-vehicle subscription. */
  setMode(mode: Mode): void {
    if (mode === this.mode) return;
    const before = this.#modeTopics(this.mode, this.selected);
    this.mode = mode;
    const after = this.#modeTopics(mode, this.selected);
    const gone = Object.keys(before).filter((t) => !(t in after));
    this.#meter.reset();
    const client = this.#client;
    if (!client) return;
    // Publishes of the old mode already on their way still arrive until the UNSUBACK, which the
    // broker sends after them on the same stream ([MQTT-3.10.4-2], [MQTT-3.10.4-3]). The new mode
    // is measured from the moment both acknowledgements are in, so neither mode's figure holds the
    // other's traffic.
    const id = ++this.#switch;
    this.#settling = true;
    let pending = gone.length > 0 ? 2 : 1;
    const acked = () => {
      if (--pending > 0 || id !== this.#switch) return;
      this.#settling = false;
      this.#meter.reset();
    };
    if (gone.length > 0) client.unsubscribe(gone, acked);
    this.#subscribe(after, acked);
  }

  /** Selects a vehicle (or none): subscribes to that one vehicle's status and alerts. */
  select(id: number | null): void {
    if (id === this.selected) return;
    const before = this.#modeTopics(this.mode, this.selected);
    this.selected = id;
    this.detailHistory.length = 0;
    this.detail = null;
    const after = this.#modeTopics(this.mode, id);
    const gone = Object.keys(before).filter((t) => !(t in after));
    if (gone.length > 0) this.#client?.unsubscribe(gone);
    this.#subscribe(after);
  }

  /** How many times more slowly the lab runs the fleet because its machine is overloaded (1 = not). */
  get slowdown(): number {
    return this.info?.slowdown ?? 1;
  }

  /** Alerts of the selected vehicle, newest first. */
  get selectedAlerts(): VehicleAlert[] {
    return this.alerts.filter((a) => a.id === this.selected);
  }

  /** `GET /api/fleet`. */
  async refreshInfo(): Promise<void> {
    const res = await this.#deps.fetch('/api/fleet');
    if (res.ok) this.info = (await res.json()) as FleetInfo;
  }

  /** Trainer: change size, rate or pause. */
  async patch(body: FleetPatch): Promise<boolean> {
    return this.#control('/api/fleet', 'PATCH', body);
  }

  /** Trainer: cut a vehicle's connection so the broker publishes its will. */
  async cut(id: number): Promise<boolean> {
    return this.#control(`/api/fleet/vehicles/${id}/disconnect`, 'POST', {});
  }

  /** Trainer: make a vehicle brake hard (a harsh-braking alert). */
  async brake(id: number): Promise<boolean> {
    return this.#control(`/api/fleet/vehicles/${id}/brake`, 'POST', {});
  }

  async #control(path: string, method: string, body: object): Promise<boolean> {
    this.busy = true;
    this.controlError = null;
    try {
      const res = await this.#deps.fetch(path, {
        method,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const json = (await res.json().catch(() => ({}))) as Partial<FleetInfo> & {
        error?: string;
      };
      if (!res.ok) {
        // The lab says these are the trainer's controls: show them as such, not as a failure.
        if (isNeedsTrainer(json)) this.trainer = false;
        else this.controlError = json.error ?? `HTTP ${res.status}`;
        return false;
      }
      if (path === '/api/fleet') this.info = json as FleetInfo;
      return true;
    } catch (err) {
      this.controlError = (err as Error).message;
      return false;
    } finally {
      this.busy = false;
    }
  }

  #baseTopics(): Record<string, { qos: 0 | 1 }> {
    return {
      // Retained: on subscribing, the broker sends every vehicle's last flag ([MQTT-3.3.1-6]).
      [ALL_ONLINE]: { qos: 1 },
      // Alerts are rare, so the fleet-wide feed is cheap; QoS 1 so none is lost.
      [ALL_ALERTS]: { qos: 1 },
      [STATS_TOPIC]: { qos: 0 },
      ...this.#modeTopics(this.mode, this.selected),
    };
  }

  #modeTopics(mode: Mode, selected: number | null): Record<string, { qos: 0 | 1 }> {
    if (mode === 'naive') {
      // The whole fleet's status already includes the selected vehicle's; a second, overlapping
      // subscription would deliver it twice ([MQTT-3.3.5-1] allows one copy per match).
      return { [ALL_STATUS]: { qos: 0 } };
    }
    const topics: Record<string, { qos: 0 | 1 }> = { [SNAPSHOT_TOPIC]: { qos: 0 } };
    if (selected !== null) {
      topics[statusTopic(selected)] = { qos: 0 };
      topics[alertTopic(selected)] = { qos: 1 };
    }
    return topics;
  }

  #subscribe(topics: Record<string, { qos: 0 | 1 }>, done?: () => void): void {
    if (Object.keys(topics).length === 0) {
      done?.();
      return;
    }
    this.#client?.subscribe(topics, (err) => {
      if (err) this.error = err.message;
      done?.();
    });
  }

  #onMessage(topic: string, payload: Uint8Array): void {
    if (topic === SNAPSHOT_TOPIC) {
      if (this.mode !== 'overview') return; // a late one after switching
      try {
        this.store.applySnapshot(decodeSnapshot(payload).vehicles);
      } catch {
        // A malformed snapshot is skipped; the next one comes within half a second.
      }
      return;
    }
    if (topic === STATS_TOPIC) {
      this.stats = parseStats(payload);
      return;
    }
    const t = parseVehicleTopic(topic);
    if (!t) return;
    if (t.kind === 'online') {
      this.store.setOnline(t.id, parseOnline(payload));
      return;
    }
    if (t.kind === 'alert') {
      const alert = parseAlert(payload);
      // QoS 1 is at least once, and two matching subscriptions may each deliver a copy:
      // show every alert once, by its key.
      if (!alert || this.#seenAlerts.has(alert.key)) return;
      this.#seenAlerts.add(alert.key);
      if (this.#seenAlerts.size > 5000) this.#seenAlerts.clear();
      this.alerts = [alert, ...this.alerts].slice(0, MAX_ALERTS);
      return;
    }
    const status = parseStatus(payload);
    if (!status || status.id !== t.id) return;
    if (this.mode === 'naive') this.store.place(status);
    if (status.id === this.selected) {
      this.detail = status;
      this.detailHistory.push({ t: status.ts, speed: status.speed, battery: status.battery });
      if (this.detailHistory.length > 120) this.detailHistory.shift();
    }
  }

  #everySecond(): void {
    const r = this.#meter.rate();
    this.rate = r;
    if (this.#meter.full() && !this.#settling) this.measured = { ...this.measured, [this.mode]: r };
    this.history.push({ t: this.#now(), ...r, mode: this.mode });
    if (this.history.length > HISTORY_S) this.history.shift();
    const list: ListedVehicle[] = [];
    for (const v of this.store.vehicles.values()) {
      list.push({ id: v.id, state: v.state, online: v.online });
    }
    list.sort((a, b) => a.id - b.id);
    this.list = list;
    if (++this.#infoEvery % 5 === 0) void this.refreshInfo().catch(() => {});
    this.tick++;
  }
}
