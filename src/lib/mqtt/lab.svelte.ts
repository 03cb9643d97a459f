// Reactive state of the MQTT lab: two mqtt.js clients, the packet log, the experiments. What
// talks to the broker lives in lab-session.ts, loaded with mqtt.js on first use.
import type { IClientOptions, MqttClient } from 'mqtt';
import type { PacketRow } from './packet-log.ts';
import type { Diagnosis } from './doctor.ts';
import {
  brokerUrl,
  defaultSettings,
  loadSettings,
  saveSettings,
  toSearchParams,
  validateSettings,
  type LabSettings,
  type SettingProblem,
  type SettingsStores,
} from './settings.ts';
import type { QosReport, RetainedReport, SessionReport, WillReport } from './experiments.ts';
import type { TakeoverReport } from './takeover.ts';
import type { V5Experiment, V5Reports } from './v5-experiments.ts';
import { checkTopicFilter, topicMatches, type TopicCheck } from '../wire/mqtt-topic.ts';
import type { RefusalReason, SubackResult } from './suback.ts';
import type { BrokerStats } from '../wire/mqtt-stats.ts';
import type { LabSession } from './lab-session.ts';
import type { Pausable, PauseReason } from '../lifecycle/page-lifecycle.ts';
import { resolveBrokerWsUrl, type ConfigResponse, type MqttVersion } from '../wire/health.ts';
import type { FetchLike } from '../platform.ts';

/** mqtt.js's `connect`. */
export type Connect = (url: string, opts: IClientOptions) => MqttClient;

/** One of the two clients on the page. */
export type Role = 'publisher' | 'subscriber';

/** The broker's answer to one filter, as the lab shows it: a refusal comes with its likely cause. */
export type SubackView = SubackResult & { reason: RefusalReason | null };

/** The fields of a panel's subscribe and publish forms. */
export interface PanelForm {
  filter: string;
  qos: 0 | 1 | 2;
  topic: string;
  payload: string;
  pubQos: 0 | 1 | 2;
  retain: boolean;
}

/** What a panel shows about its client. */
export class ClientPanel {
  status: 'idle' | 'connecting' | 'connected' | 'closed' | 'failed' = $state('idle');
  diagnosis: Diagnosis | null = $state(null);
  /** The broker's last answer per filter, read from the SUBACK packet (not mqtt.js's request). */
  subacks: SubackView[] = $state([]);
  messages: { topic: string; payload: string; qos: number; retain: boolean }[] = $state([]);
  /** What the reader typed in the panel's forms. */
  form: PanelForm;
  client: MqttClient | null = null;

  constructor(form: PanelForm) {
    this.form = $state(form);
  }

  /** Connecting again is pointless while a connection is open or being opened. */
  get busy(): boolean {
    return this.status === 'connected' || this.status === 'connecting';
  }
}

/** The result of asking the broker about a filter (experiment 5). */
export interface BrokerAnswer {
  /** What the SUBACK said; null when none came in time. */
  suback: SubackView | null;
  delivered: string[];
}

/** The lab's whole state. */
export class MqttLab implements Pausable {
  settings: LabSettings = $state(defaultSettings());
  thisServerUrl: string | null = $state(null);
  embedded = $state(true);
  /** The MQTT versions this server's broker speaks, as `/api/config` lists them; null if unknown. */
  versions: MqttVersion[] | null = $state(null);
  problems: SettingProblem[] = $derived(validateSettings(this.settings, this.thisServerUrl));
  publisher = new ClientPanel({
    filter: 'lab/demo/#',
    qos: 1,
    topic: 'lab/demo/temp',
    payload: '21.5',
    pubQos: 1,
    retain: false,
  });
  subscriber = new ClientPanel({
    filter: 'lab/demo/#',
    qos: 2,
    topic: 'lab/demo/temp',
    payload: 'hi',
    pubQos: 0,
    retain: false,
  });
  /** A link that opens the lab with these settings (no password), once asked for. */
  shareUrl: string | null = $state(null);
  // Replaced whole, never changed in place: no deep proxy over hundreds of rows.
  rows: PacketRow[] = $state.raw([]);
  stats: BrokerStats | null = $state(null);
  running: string | null = $state(null);
  qos: QosReport[] = $state([]);
  retained: RetainedReport | null = $state(null);
  will: WillReport | null = $state(null);
  sessions: SessionReport[] = $state([]);
  takeover: TakeoverReport | null = $state(null);
  /** Reports of the MQTT 5.0 experiments' last runs, by experiment. */
  v5: Partial<V5Reports> = $state({});
  error: string | null = $state(null);
  // Experiment 5.
  filter = $state('lab/+/temp');
  topics = $state('lab/kitchen/temp\nlab/kitchen/fridge/temp\n$SYS/lab/stats');
  answer: BrokerAnswer | null = $state(null);
  /** Why the page lifecycle has the panels' clients closed (hidden, offline, cached), or null. */
  paused: PauseReason | null = $state(null);

  /** Panels that were connected when the page paused: they reconnect when it comes back. */
  #wake: Role[] = [];
  #wakeStats = false;
  readonly #load: () => Promise<Connect>;
  readonly #pageUrl: () => string;
  /** The clients' side, from the first use of mqtt.js on. */
  #session: LabSession | null = null;

  constructor(load: () => Promise<Connect>, pageUrl: () => string) {
    this.#load = load;
    this.#pageUrl = pageUrl;
  }

  /**
   * Shared settings (local storage), this tab's own client id (session storage), then those of
   * a shared link (`search`), over the defaults. See `loadSettings`.
   */
  restore(stores: SettingsStores, search: string): void {
    // Read once and dropped: nothing here needs to react to it.
    // eslint-disable-next-line svelte/prefer-svelte-reactivity
    this.settings = loadSettings(this.settings, stores, new URLSearchParams(search));
  }

  /** Stores the settings for the next visit: the client id for this tab only, never the password. */
  save(stores: SettingsStores): void {
    saveSettings(this.settings, stores);
  }

  /** Asks the server which broker "this server" means, then follows its statistics. */
  async loadConfig(fetchFn: FetchLike): Promise<void> {
    try {
      const config = (await (await fetchFn('/api/config')).json()) as ConfigResponse;
      this.thisServerUrl = resolveBrokerWsUrl(config.broker, this.#pageUrl());
      this.embedded = config.broker.mode === 'embedded';
      this.versions = config.broker.versions ?? null;
    } catch {
      // No answer: "this server" stays unknown and the Connect buttons stay disabled.
      return;
    }
    await this.watchStats();
  }

  /** Builds the share link for the current settings (the page address, no password). */
  share(): void {
    const here = this.#pageUrl().split('#')[0]!.split('?')[0]!;
    this.shareUrl = `${here}?${toSearchParams(this.settings).toString()}#demo`;
  }

  /** Whether a panel's Connect button can be used now: valid settings, and not already connected. */
  canConnect(role: Role): boolean {
    return this.problems.length === 0 && Boolean(this.url) && !this[role].busy;
  }

  /** The first problem with one setting, if any. */
  problemFor(field: keyof LabSettings): SettingProblem | undefined {
    return this.problems.find((p) => p.field === field);
  }

  /** The filter's problem, if any, for the playground. */
  get filterCheck(): TopicCheck | null {
    return checkTopicFilter(this.filter);
  }

  /** Each playground topic and whether the filter matches it. */
  get matches(): { topic: string; match: boolean }[] {
    const bad = this.filterCheck !== null;
    return this.topics
      .split('\n')
      .map((t) => t.trim())
      .filter(Boolean)
      .map((topic) => ({ topic, match: !bad && topicMatches(this.filter, topic) }));
  }

  /** The broker URL in use. */
  get url(): string | null {
    return brokerUrl(this.settings, this.thisServerUrl);
  }

  /**
   * Whether the broker in use speaks MQTT 5.0: known for "this server" from the versions its
   * `/api/config` lists; null (unknown) for any other broker, or when the server did not say.
   */
  get speaks5(): boolean | null {
    if (this.settings.preset !== 'this-server' || this.versions === null) return null;
    return this.versions.includes('5.0');
  }

  /** 5.0 chosen against this server's broker, which says it speaks 3.1.1 only (Aedes). */
  get v5Unsupported(): boolean {
    return this.settings.protocolVersion === 5 && this.speaks5 === false;
  }

  /** mqtt.js and the lab's session, loaded together the first time a client is needed. */
  async #open(): Promise<LabSession> {
    if (!this.#session) {
      const [connect, { LabSession }] = await Promise.all([
        this.#load(),
        import('./lab-session.ts'),
      ]);
      this.#session ??= new LabSession(this, connect, this.#pageUrl);
    }
    return this.#session;
  }

  /** Clears the diagram. */
  clearLog(): void {
    this.#session?.clearLog();
    this.rows = [];
  }

  /** Connects one panel's client with the current settings. */
  async connect(role: Role): Promise<void> {
    const url = this.url;
    if (!url || !this.canConnect(role)) return;
    (await this.#open()).connect(role, url);
  }

  /** Sends DISCONNECT and closes: the broker discards the will [MQTT-3.14.4-3]. */
  async disconnect(role: Role): Promise<void> {
    const c = this[role].client;
    if (!c) return;
    this[role].status = 'closed';
    await c.endAsync().catch(() => {});
  }

  /** Destroys the socket without DISCONNECT, as a power cut would: the broker sends the will. */
  kill(role: Role): void {
    const c = this[role].client;
    if (!c) return;
    this[role].status = 'closed';
    // A client exists only once the session does (see #open).
    this.#session?.kill(c);
  }

  /** Subscribes the panel's client; shows what the SUBACK granted or refused. */
  async subscribe(role: Role, filter: string, qos: 0 | 1 | 2): Promise<void> {
    const c = this[role].client;
    if (!c) return;
    await (await this.#open()).subscribe(role, c, filter, qos);
  }

  /** Unsubscribes the panel's client. */
  async unsubscribe(role: Role, filter: string): Promise<void> {
    const c = this[role].client;
    if (!c) return;
    await c.unsubscribeAsync(filter).catch(() => {});
    this[role].subacks = this[role].subacks.filter((g) => g.filter !== filter);
  }

  /** Publishes from the panel's client. */
  async publish(
    role: Role,
    topic: string,
    payload: string,
    qos: 0 | 1 | 2,
    retain: boolean,
  ): Promise<void> {
    const c = this[role].client;
    if (!c) return;
    await c
      .publishAsync(topic, payload, { qos, retain })
      .catch((e: Error) => (this.error = e.message));
  }

  /** Follows the embedded broker's $SYS statistics (not drawn in the diagram). */
  async watchStats(): Promise<void> {
    const url = this.thisServerUrl;
    if (!this.embedded || !url) return;
    (await this.#open()).watchStats(url);
  }

  async #run(name: string, body: (session: LabSession) => Promise<void>): Promise<void> {
    if (this.running) return;
    this.running = name;
    this.error = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      // A scenario waits on the network; report a stall instead of spinning for ever.
      const stalled = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${name}: no result within 60 s`)), 60_000);
      });
      const session = await this.#open();
      await Promise.race([body(session), stalled]);
    } catch (err) {
      this.error = (err as Error).message;
    } finally {
      clearTimeout(timer);
      this.running = null;
    }
  }

  /** Experiment 1 for one QoS level. */
  runQos(qos: 0 | 1 | 2): Promise<void> {
    return this.#run(`qos${qos}`, (s) => s.runQos(qos));
  }

  /** Experiment 2. */
  runRetained(): Promise<void> {
    return this.#run('retained', (s) => s.runRetained());
  }

  /** Experiment 3. */
  runWill(): Promise<void> {
    return this.#run('will', (s) => s.runWill());
  }

  /** Experiment 4, persistent then clean. */
  runSession(): Promise<void> {
    return this.#run('session', (s) => s.runSession());
  }

  /** Experiment 6: two clients with one client id. */
  runTakeover(): Promise<void> {
    return this.#run('takeover', (s) => s.runTakeover());
  }

  /**
   * The MQTT 5.0 experiments can run: the broker in use is not known to speak 3.1.1 only, and
   * there is a broker URL. Each opens its own 5.0 clients, whatever the protocol chosen above.
   */
  get v5Runnable(): boolean {
    return this.speaks5 !== false && this.url !== null;
  }

  /** Runs one MQTT 5.0 experiment and keeps its report. */
  runV5(name: V5Experiment): Promise<void> {
    return this.#run(name, (s) => s.runV5(name));
  }

  /** Experiment 5: asks the broker — SUBACK for the filter, then which topics it delivers. */
  askBroker(): Promise<void> {
    return this.#run('wildcards', (s) => s.askBroker());
  }

  /**
   * The page went hidden, offline or into the cache: each connected panel sends DISCONNECT (a
   * tab in the background is no crash, so no will [MQTT-3.14.4-3]). With CleanSession 0 the
   * broker keeps the session and queues QoS 1 and 2 messages for it meanwhile [MQTT-3.1.2-5].
   */
  pause(reason: PauseReason): void {
    const first = this.paused === null;
    this.paused = reason;
    if (!first) return;
    this.#wake = [];
    for (const role of ['publisher', 'subscriber'] as const) {
      const panel = this[role];
      if (!panel.client || (panel.status !== 'connected' && panel.status !== 'connecting'))
        continue;
      this.#wake.push(role);
      const c = panel.client;
      panel.client = null;
      panel.status = 'closed';
      c.end();
    }
    if (this.#session?.stopStats()) this.#wakeStats = true;
  }

  /** The page is back: the panels that were connected connect again, with the same settings. */
  resume(_restored: boolean): void {
    if (this.paused === null) return;
    this.paused = null;
    const wake = this.#wake;
    this.#wake = [];
    for (const role of wake) void this.connect(role);
    if (this.#wakeStats) void this.watchStats();
    this.#wakeStats = false;
  }

  /** Stops every client. */
  destroy(): void {
    this.publisher.client?.end(true);
    this.subscriber.client?.end(true);
    this.#session?.stopStats();
  }
}
