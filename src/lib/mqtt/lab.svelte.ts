// Reactive state of the MQTT lab: two mqtt.js clients, the packet log, the experiments.
import type { IClientOptions, MqttClient, Packet } from 'mqtt';
import type { PacketLog, PacketRow } from './packet-log.ts';
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
import type {
  ExperimentEnv,
  QosReport,
  RetainedReport,
  SessionReport,
  WillReport,
} from './experiments.ts';
import type { TakeoverReport } from './takeover.ts';
import { checkTopicFilter, topicMatches, type TopicCheck } from '../wire/mqtt-topic.ts';
import { readSuback, refusalReason, type RefusalReason, type SubackResult } from './suback.ts';
import { SYS_STATS_TOPIC, parseBrokerStats, type BrokerStats } from '../wire/mqtt-stats.ts';
import type { Pausable, PauseReason } from '../lifecycle/page-lifecycle.ts';
import { resolveBrokerWsUrl, type ConfigResponse, type MqttVersion } from '../wire/health.ts';
import type { FetchLike } from '../platform.ts';

type Connect = (url: string, opts: IClientOptions) => MqttClient;
type Tools = typeof import('./lab-tools.ts');

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

/** How often, at most, the packet diagram is redrawn while packets stream in (ms). */
const DRAW_EVERY_MS = 150;

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
  error: string | null = $state(null);
  // Experiment 5.
  filter = $state('lab/+/temp');
  topics = $state('lab/kitchen/temp\nlab/kitchen/fridge/temp\n$SYS/lab/stats');
  answer: BrokerAnswer | null = $state(null);
  /** Why the page lifecycle has the panels' clients closed (hidden, offline, cached), or null. */
  paused: PauseReason | null = $state(null);

  #drawPending = false;
  /** Panels that were connected when the page paused: they reconnect when it comes back. */
  #wake: Role[] = [];
  #wakeStats = false;
  readonly #load: () => Promise<Connect>;
  readonly #pageUrl: () => string;
  /** The packet log, from the first use of mqtt.js on (it comes with the lazily loaded tools). */
  #log: PacketLog | null = null;
  #connect: Connect | null = null;
  #tools: Tools | null = null;
  #statsClient: MqttClient | null = null;

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

  /** Adds the likely cause to a refusal; `anonymous` is whether the client logged in. */
  #view(result: SubackResult, anonymous: boolean): SubackView {
    if (result.kind !== 'refused') return { ...result, reason: null };
    const reason = refusalReason(result.filter, result.code, {
      protocolVersion: this.settings.protocolVersion,
      embeddedBroker: this.embedded && this.settings.preset === 'this-server',
      anonymous,
    });
    return { ...result, reason };
  }

  /** mqtt.js and the lab's tools, loaded together the first time a client is needed. */
  async #mqtt(): Promise<{ connect: Connect; tools: Tools }> {
    if (!this.#connect || !this.#tools) {
      const [connect, tools] = await Promise.all([this.#load(), import('./lab-tools.ts')]);
      this.#connect = connect;
      this.#tools = tools;
      this.#log ??= new tools.PacketLog();
    }
    return { connect: this.#connect, tools: this.#tools };
  }

  #options(role: Role, extra: IClientOptions = {}): IClientOptions {
    const s = this.settings;
    const opts: IClientOptions = {
      protocolVersion: s.protocolVersion,
      clientId: role === 'subscriber' ? s.clientId : `${s.clientId}-pub`,
      clean: s.clean,
      keepalive: s.keepalive,
      reconnectPeriod: s.reconnectPeriod,
      connectTimeout: 8000,
      ...extra,
    };
    if (s.username) opts.username = s.username;
    if (s.password) opts.password = s.password;
    if (s.protocolVersion === 5) opts.properties = { sessionExpiryInterval: s.sessionExpiry };
    if (role === 'publisher' && s.willTopic) {
      opts.will = {
        topic: s.willTopic,
        payload: new TextEncoder().encode(s.willPayload) as Buffer,
        qos: s.willQos,
        retain: s.willRetain,
      };
    }
    return opts;
  }

  /** Opens a client whose packets go into the diagram. */
  #open(connect: Connect, url: string, role: string, opts: IClientOptions): MqttClient {
    // mqtt.js writes CONNECT inside connect(); start by hand so the diagram sees it too.
    const c = connect(url, { ...opts, manualConnect: true });
    c.on('packetsend', (p: Packet) => this.#record(role, 'out', p));
    c.on('packetreceive', (p: Packet) => this.#record(role, 'in', p));
    c.on('error', () => {});
    c.connect();
    return c;
  }

  #record(role: string, dir: 'out' | 'in', p: Packet): void {
    if (!this.#log) return;
    this.#log.add(role, dir, p);
    this.#draw();
  }

  #draw(): void {
    // An experiment moves hundreds of packets a second; redrawing the 400-row diagram for each
    // one kept the page busy for 40 s at QoS 2 and starved the clients' own message handling.
    // Every packet is logged at once; the diagram catches up a few times a second.
    if (this.#drawPending) return;
    this.#drawPending = true;
    setTimeout(() => {
      this.#drawPending = false;
      this.rows = [...(this.#log?.rows ?? [])];
    }, DRAW_EVERY_MS);
  }

  /** Clears the diagram. */
  clearLog(): void {
    this.#log = this.#tools ? new this.#tools.PacketLog() : null;
    this.#drawPending = false;
    this.rows = [];
  }

  /** Connects one panel's client with the current settings. */
  async connect(role: Role): Promise<void> {
    const panel = this[role];
    const url = this.url;
    if (!url || !this.canConnect(role)) return;
    const { connect, tools } = await this.#mqtt();
    panel.client?.end(true);
    panel.status = 'connecting';
    panel.diagnosis = null;
    let opened = false;
    let code: number | undefined;
    let message: string | undefined;
    const c = this.#open(connect, url, role, this.#options(role));
    panel.client = c;
    c.stream?.on?.('connect', () => (opened = true));
    c.on('packetreceive', (p: Packet) => {
      if (p.cmd === 'connack') {
        opened = true;
        const rc =
          (p as { returnCode?: number; reasonCode?: number }).returnCode ??
          (p as { reasonCode?: number }).reasonCode;
        if (rc) code = rc;
      }
    });
    c.on('error', (err: Error & { code?: number | string }) => {
      message = err.message;
      if (typeof err.code === 'number') code = err.code;
    });
    c.on('connect', () => {
      panel.status = 'connected';
      panel.diagnosis = null;
    });
    c.on('message', (topic, payload, packet) => {
      panel.messages = [
        ...panel.messages.slice(-49),
        {
          topic,
          payload: new TextDecoder().decode(payload),
          qos: packet.qos,
          retain: packet.retain,
        },
      ];
    });
    c.on('close', () => {
      if (panel.client !== c) return;
      if (panel.status === 'connecting' || code !== undefined) {
        panel.status = 'failed';
        panel.diagnosis = tools.diagnose({
          url,
          pageProtocol: this.#pageUrl().startsWith('https:') ? 'https:' : 'http:',
          protocolVersion: this.settings.protocolVersion,
          code,
          message,
          opened,
        });
      } else if (panel.status === 'connected' && this.settings.reconnectPeriod === 0) {
        panel.status = 'closed';
      }
    });
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
    // A client exists only once the tools are loaded (see #mqtt).
    this.#tools?.kill(c);
  }

  /** Subscribes the panel's client; shows what the SUBACK granted or refused. */
  async subscribe(role: Role, filter: string, qos: 0 | 1 | 2): Promise<void> {
    const c = this[role].client;
    if (!c) return;
    const asked = [{ topic: filter, qos }];
    const [result] = await new Promise<SubackResult[]>((resolve) =>
      c.subscribe(filter, { qos }, (err, _requested, suback) =>
        resolve(readSuback(asked, err, suback)),
      ),
    );
    if (!result) return;
    const shown = this.#view(result, !this.settings.username);
    this[role].subacks = [...this[role].subacks.filter((g) => g.filter !== filter), shown];
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
    if (!this.embedded || !this.thisServerUrl || this.#statsClient) return;
    const { connect } = await this.#mqtt();
    const c = connect(this.thisServerUrl, { reconnectPeriod: 5000, protocolVersion: 4 });
    c.on('error', () => {});
    c.on('connect', () => c.subscribe(SYS_STATS_TOPIC));
    c.on('message', (_t, p) => (this.stats = parseBrokerStats(new TextDecoder().decode(p))));
    this.#statsClient = c;
  }

  async #env(): Promise<{ env: ExperimentEnv; tools: Tools }> {
    const { connect, tools } = await this.#mqtt();
    const url = this.url;
    if (!url) throw new Error('no broker URL');
    const id = Math.floor(Math.random() * 0xffffff).toString(16);
    const env: ExperimentEnv = {
      open: (role, opts) => this.#open(connect, url, role, opts),
      closed: (role) => {
        this.#log?.closed(role);
        this.#draw();
      },
      prefix: `lab/exp-${id}`,
      id,
      protocolVersion: this.settings.protocolVersion,
    };
    return { env, tools };
  }

  async #run(
    name: string,
    body: (env: ExperimentEnv, tools: Tools) => Promise<void>,
  ): Promise<void> {
    if (this.running) return;
    this.running = name;
    this.error = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      // A scenario waits on the network; report a stall instead of spinning for ever.
      const stalled = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${name}: no result within 60 s`)), 60_000);
      });
      const { env, tools } = await this.#env();
      await Promise.race([body(env, tools), stalled]);
    } catch (err) {
      this.error = (err as Error).message;
    } finally {
      clearTimeout(timer);
      this.running = null;
    }
  }

  /** Experiment 1 for one QoS level. */
  runQos(qos: 0 | 1 | 2): Promise<void> {
    return this.#run(`qos${qos}`, async (env, tools) => {
      const r = await tools.runQosExperiment(env, qos);
      this.qos = [...this.qos.filter((q) => q.qos !== qos), r].sort((a, b) => a.qos - b.qos);
    });
  }

  /** Experiment 2. */
  runRetained(): Promise<void> {
    return this.#run('retained', async (env, tools) => {
      this.retained = await tools.runRetainedExperiment(env);
    });
  }

  /** Experiment 3. */
  runWill(): Promise<void> {
    return this.#run('will', async (env, tools) => {
      this.will = await tools.runWillExperiment(env, 2);
    });
  }

  /** Experiment 4, persistent then clean. */
  runSession(): Promise<void> {
    return this.#run('session', async (env, tools) => {
      const kept = await tools.runSessionExperiment(env, false);
      const lost = await tools.runSessionExperiment(env, true);
      this.sessions = [kept, lost];
    });
  }

  /** Experiment 6: two clients with one client id. */
  runTakeover(): Promise<void> {
    return this.#run('takeover', async (env) => {
      const { runTakeoverExperiment } = await import('./takeover.ts');
      this.takeover = await runTakeoverExperiment(env);
    });
  }

  /** Experiment 5: asks the broker — SUBACK for the filter, then which topics it delivers. */
  askBroker(): Promise<void> {
    return this.#run('wildcards', async (env) => {
      const filter = this.filter;
      const topics = this.matches.map((m) => m.topic).filter((t) => !t.startsWith('$'));
      const sub = env.open('subscriber', {
        protocolVersion: env.protocolVersion ?? 4,
        reconnectPeriod: 0,
      });
      const pub = env.open('publisher', {
        protocolVersion: env.protocolVersion ?? 4,
        reconnectPeriod: 0,
      });
      try {
        await Promise.all([
          sub.connected ? null : new Promise((r) => sub.once('connect', r)),
          pub.connected ? null : new Promise((r) => pub.once('connect', r)),
        ]);
        const delivered: string[] = [];
        sub.on('message', (t) => delivered.push(t));
        const asked = [{ topic: filter, qos: 1 }];
        const result = await new Promise<SubackResult | null>((resolve) => {
          const timer = setTimeout(() => resolve(null), 3000);
          sub.once('close', () => resolve(null));
          sub.subscribe(filter, { qos: 1 }, (err, _requested, suback) => {
            clearTimeout(timer);
            resolve(readSuback(asked, err, suback)[0] ?? null);
          });
        });
        if (result?.kind === 'granted') {
          for (const t of topics) await pub.publishAsync(t, 'x', { qos: 1 }).catch(() => {});
          await new Promise((r) => setTimeout(r, 500));
        }
        // These clients never log in: the broker sees an anonymous client.
        const suback = result && result.kind !== 'not-sent' ? this.#view(result, true) : null;
        this.answer = { suback, delivered };
      } finally {
        sub.end(true);
        pub.end(true);
      }
    });
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
    if (this.#statsClient) {
      this.#statsClient.end(true);
      this.#statsClient = null;
      this.#wakeStats = true;
    }
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
    this.#statsClient?.end(true);
  }
}
