// The MQTT lab's work with a broker: the panels' clients, the packet log behind the diagram,
// subscribing and publishing, the broker's statistics and the experiments. The lab
// (lab.svelte.ts) loads this module together with mqtt.js the first time it needs a client, so
// a page pays for none of it before then; results go into the lab's reactive state.
import type { IClientOptions, MqttClient, Packet } from 'mqtt';
import { PacketLog } from './packet-log.ts';
import { diagnose } from './doctor.ts';
import {
  kill as killClient,
  runQosExperiment,
  runRetainedExperiment,
  runSessionExperiment,
  runWillExperiment,
  type ExperimentEnv,
} from './experiments.ts';
import { readSuback, refusalReason, type SubackResult } from './suback.ts';
import { SYS_STATS_TOPIC, parseBrokerStats } from '../wire/mqtt-stats.ts';
import type { Connect, MqttLab, Role, SubackView } from './lab.svelte.ts';
import type { V5Experiment } from './v5-experiments.ts';

/** How often, at most, the packet diagram is redrawn while packets stream in (ms). */
const DRAW_EVERY_MS = 150;

/** The lab's clients on one page, writing what they see into the lab's state. */
export class LabSession {
  readonly #lab: MqttLab;
  readonly #connect: Connect;
  readonly #pageUrl: () => string;
  #log = new PacketLog();
  #drawPending = false;
  #statsClient: MqttClient | null = null;

  constructor(lab: MqttLab, connect: Connect, pageUrl: () => string) {
    this.#lab = lab;
    this.#connect = connect;
    this.#pageUrl = pageUrl;
    // The lab's first connection: the page's store notice may now have something to say.
    // Imported when needed, not with this chunk: the page's first load names one chunk fewer.
    void import('../status/store-report.ts').then((m) => m.watchStore());
  }

  /** Adds the likely cause to a refusal; `anonymous` is whether the client logged in. */
  #view(result: SubackResult, anonymous: boolean): SubackView {
    if (result.kind !== 'refused') return { ...result, reason: null };
    const s = this.#lab.settings;
    const reason = refusalReason(result.filter, result.code, {
      protocolVersion: s.protocolVersion,
      embeddedBroker: this.#lab.embedded && s.preset === 'this-server',
      anonymous,
    });
    return { ...result, reason };
  }

  #options(role: Role, extra: IClientOptions = {}): IClientOptions {
    const s = this.#lab.settings;
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
  #open(url: string, role: string, opts: IClientOptions): MqttClient {
    // mqtt.js writes CONNECT inside connect(); start by hand so the diagram sees it too.
    const c = this.#connect(url, { ...opts, manualConnect: true });
    const version = opts.protocolVersion === 5 ? 5 : 4;
    c.on('packetsend', (p: Packet) => this.#record(role, 'out', p, version));
    c.on('packetreceive', (p: Packet) => this.#record(role, 'in', p, version));
    c.on('error', () => {});
    c.connect();
    return c;
  }

  #record(role: string, dir: 'out' | 'in', p: Packet, version: 4 | 5): void {
    this.#log.add(role, dir, p, version);
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
      this.#lab.rows = [...this.#log.rows];
    }, DRAW_EVERY_MS);
  }

  /** Starts a new, empty packet log. */
  clearLog(): void {
    this.#log = new PacketLog();
    this.#drawPending = false;
  }

  /** Connects one panel's client to `url` with the current settings. */
  connect(role: Role, url: string): void {
    const panel = this.#lab[role];
    panel.client?.end(true);
    panel.status = 'connecting';
    panel.diagnosis = null;
    let opened = false;
    let code: number | undefined;
    let message: string | undefined;
    const c = this.#open(url, role, this.#options(role));
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
        panel.diagnosis = diagnose({
          url,
          pageProtocol: this.#pageUrl().startsWith('https:') ? 'https:' : 'http:',
          protocolVersion: this.#lab.settings.protocolVersion,
          code,
          message,
          opened,
        });
      } else if (panel.status === 'connected' && this.#lab.settings.reconnectPeriod === 0) {
        panel.status = 'closed';
      }
    });
  }

  /** Destroys the socket without DISCONNECT, as a power cut would: the broker sends the will. */
  kill(client: MqttClient): void {
    killClient(client);
  }

  /** Subscribes the panel's client; shows what the SUBACK granted or refused. */
  async subscribe(role: Role, client: MqttClient, filter: string, qos: 0 | 1 | 2): Promise<void> {
    const asked = [{ topic: filter, qos }];
    const [result] = await new Promise<SubackResult[]>((resolve) =>
      client.subscribe(filter, { qos }, (err, _requested, suback) =>
        resolve(readSuback(asked, err, suback)),
      ),
    );
    if (!result) return;
    const panel = this.#lab[role];
    const shown = this.#view(result, !this.#lab.settings.username);
    panel.subacks = [...panel.subacks.filter((g) => g.filter !== filter), shown];
  }

  /** Follows the broker's $SYS statistics at `url` (not drawn in the diagram), once. */
  watchStats(url: string): void {
    if (this.#statsClient) return;
    const c = this.#connect(url, { reconnectPeriod: 5000, protocolVersion: 4 });
    c.on('error', () => {});
    c.on('connect', () => c.subscribe(SYS_STATS_TOPIC));
    c.on('message', (_t, p) => (this.#lab.stats = parseBrokerStats(new TextDecoder().decode(p))));
    this.#statsClient = c;
  }

  /** Stops following the statistics; true when they were being followed. */
  stopStats(): boolean {
    const c = this.#statsClient;
    this.#statsClient = null;
    c?.end(true);
    return c !== null;
  }

  /** What an experiment needs: clients on the broker in use, drawn in the diagram. */
  #env(): ExperimentEnv {
    const url = this.#lab.url;
    if (!url) throw new Error('no broker URL');
    const id = Math.floor(Math.random() * 0xffffff).toString(16);
    return {
      open: (role, opts) => this.#open(url, role, opts),
      closed: (role) => {
        this.#log.closed(role);
        this.#draw();
      },
      prefix: `lab/exp-${id}`,
      id,
      protocolVersion: this.#lab.settings.protocolVersion,
    };
  }

  /** Experiment 1 for one QoS level. */
  async runQos(qos: 0 | 1 | 2): Promise<void> {
    const r = await runQosExperiment(this.#env(), qos);
    const lab = this.#lab;
    lab.qos = [...lab.qos.filter((q) => q.qos !== qos), r].sort((a, b) => a.qos - b.qos);
  }

  /** Experiment 2. */
  async runRetained(): Promise<void> {
    this.#lab.retained = await runRetainedExperiment(this.#env());
  }

  /** Experiment 3. */
  async runWill(): Promise<void> {
    this.#lab.will = await runWillExperiment(this.#env(), 2);
  }

  /** Experiment 4, persistent then clean. */
  async runSession(): Promise<void> {
    const env = this.#env();
    const kept = await runSessionExperiment(env, false);
    const lost = await runSessionExperiment(env, true);
    this.#lab.sessions = [kept, lost];
  }

  /** Experiment 6: two clients with one client id. */
  async runTakeover(): Promise<void> {
    const env = this.#env();
    const { runTakeoverExperiment } = await import('./takeover.ts');
    this.#lab.takeover = await runTakeoverExperiment(env);
  }

  /** One MQTT 5.0 experiment (its module loaded on first use); keeps its report. */
  async runV5(name: V5Experiment): Promise<void> {
    const env = this.#env();
    const { runV5Experiment } = await import('./v5-experiments.ts');
    const report = await runV5Experiment(name, env);
    this.#lab.v5 = { ...this.#lab.v5, [name]: report };
  }

  /** Experiment 5: asks the broker — SUBACK for the filter, then which topics it delivers. */
  async askBroker(): Promise<void> {
    const env = this.#env();
    const filter = this.#lab.filter;
    const topics = this.#lab.matches.map((m) => m.topic).filter((t) => !t.startsWith('$'));
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
      this.#lab.answer = { suback, delivered };
    } finally {
      sub.end(true);
      pub.end(true);
    }
  }
}
