// The guided experiments of the MQTT lab, as scripted scenarios against a real broker.
// DOM-free: the caller passes a factory that opens mqtt.js clients (and can watch their packets).
import type { IClientOptions, MqttClient, Packet } from 'mqtt';

/** Opens an mqtt.js client to the lab's broker; `role` names it in the packet diagram. */
export type ClientFactory = (role: string, opts: IClientOptions) => MqttClient;

/** What every experiment needs. */
export interface ExperimentEnv {
  open: ClientFactory;
  /** A topic prefix nobody else uses, e.g. `lab/x7f3`. */
  prefix: string;
  /** A short random string for client ids. */
  id: string;
  /** Protocol version to speak (4 = 3.1.1, 5 = 5.0). */
  protocolVersion?: 4 | 5;
  /** Waits (ms); replaced in tests. Defaults to setTimeout. */
  sleep?: (ms: number) => Promise<void>;
  /** Upper bound for any single wait (ms). */
  timeoutMs?: number;
  /** The clock for reported durations (ms); replaced in tests. Defaults to Date.now. */
  now?: () => number;
  /** Marks in the packet diagram that a client's connection was closed with no packet. */
  closed?: (role: string) => void;
}

/** Counts of experiment 1, for one QoS level. */
export interface QosReport {
  qos: 0 | 1 | 2;
  published: number;
  /** Distinct messages the subscriber got. */
  received: number;
  lost: number;
  /** Deliveries beyond the first of the same message. */
  duplicates: number;
  /** Packets the publisher's connection carried per message (PUBLISH and its acknowledgements). */
  packetsPerMessage: number;
  /** The messages that were published while the subscriber was cut off. */
  publishedWhileOffline: number;
  /** Numbers of the messages that never arrived. */
  missing: number[];
}

/** Counts of experiment 2. */
export interface RetainedReport {
  /** What a subscriber that arrived later got at once. */
  lateSubscriberGot: string | null;
  /** Its retain flag: set on a retained message sent because of a new subscription [MQTT-3.3.1-8]. */
  retainFlag: boolean;
  /** After clearing (empty retained payload), did a new subscriber still get something? */
  afterClearGot: string | null;
}

/** Counts of experiment 3. */
export interface WillReport {
  keepaliveS: number;
  willReceived: boolean;
  /** Time from the kill to the will's arrival. */
  afterMs: number | null;
  /** The spec's bound: the broker acts within 1.5 × keep-alive [MQTT-3.1.2-24]. */
  limitMs: number;
  payload: string | null;
}

/** Counts of experiment 4. */
export interface SessionReport {
  clean: boolean;
  publishedWhileAway: number;
  receivedAfterReturn: number;
  /** The CONNACK's session-present flag on return [MQTT-3.2.2-2]. */
  sessionPresent: boolean;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Options every experiment's client starts from: no reconnects, the env's protocol version. */
export function baseOptions(env: ExperimentEnv): IClientOptions {
  return {
    protocolVersion: env.protocolVersion ?? 4,
    reconnectPeriod: 0,
    connectTimeout: env.timeoutMs ?? 10_000,
  };
}

/**
 * Options for a session that outlives the connection: clean session 0 in 3.1.1; in 5.0 also a
 * session expiry above 0, or the session ends with the connection anyway [MQTT-3.1.2-23].
 */
export function persistent(env: ExperimentEnv, clientId: string, clean: boolean): IClientOptions {
  const opts: IClientOptions = { ...baseOptions(env), clientId, clean };
  if ((env.protocolVersion ?? 4) === 5 && !clean) opts.properties = { sessionExpiryInterval: 300 };
  return opts;
}

/** Resolves on the client's first CONNACK (with its session-present flag); rejects on error. */
export function connected(client: MqttClient): Promise<{ sessionPresent: boolean }> {
  return new Promise((resolve, reject) => {
    const onConnect = (packet: { sessionPresent?: boolean }) => {
      client.off('error', onError);
      client.off('close', onClose);
      resolve({ sessionPresent: Boolean(packet.sessionPresent) });
    };
    const onError = (err: Error) => {
      client.off('connect', onConnect);
      client.off('close', onClose);
      reject(err);
    };
    // A broker may also just hang up (wrong protocol, refused client): never wait forever.
    const onClose = () => onError(new Error('connection closed before CONNACK'));
    client.once('connect', onConnect);
    client.once('error', onError);
    client.once('close', onClose);
  });
}

/** How long a QoS 1/2 run waits with no new message before it counts the rest as lost. */
const PATIENT_QUIET_MS = 3000;

/** Waits until `check()` holds, or `quietMs` passes with no change of `progress()`, or timeout. */
async function settle(
  env: ExperimentEnv,
  check: () => boolean,
  progress: () => number,
  quietMs = 600,
): Promise<void> {
  const sleep = env.sleep ?? defaultSleep;
  const deadline = Date.now() + (env.timeoutMs ?? 10_000);
  let last = progress();
  let lastChange = Date.now();
  while (!check() && Date.now() < deadline) {
    await sleep(25);
    const now = progress();
    if (now !== last) {
      last = now;
      lastChange = Date.now();
    } else if (Date.now() - lastChange > quietMs) {
      return;
    }
  }
}

/**
 * Cuts a client off as a power loss would: the socket goes away without a DISCONNECT packet,
 * so the broker keeps the session and publishes the will. (mqtt.js `end(true)` would still try
 * to send DISCONNECT first; destroying the stream sends nothing.)
 */
export function kill(client: MqttClient): void {
  client.options.reconnectPeriod = 0;
  client.stream.destroy();
}

/** Ends a client cleanly (sends DISCONNECT) and resolves once it is closed. */
export async function close(client: MqttClient): Promise<void> {
  await client.endAsync().catch(() => {});
}

/** Tally of numbered messages: distinct, duplicates. */
export class Tally {
  readonly seen = new Map<number, number>();

  /** Records one delivery of message `n`. */
  add(n: number): void {
    this.seen.set(n, (this.seen.get(n) ?? 0) + 1);
  }

  /** Distinct messages received. */
  get distinct(): number {
    return this.seen.size;
  }

  /** Deliveries beyond the first. */
  get duplicates(): number {
    let d = 0;
    for (const c of this.seen.values()) d += c - 1;
    return d;
  }

  /** How many of 1..total never arrived. */
  lost(total: number): number {
    return this.missing(total).length;
  }

  /** Which of 1..total never arrived. */
  missing(total: number): number[] {
    const out: number[] = [];
    for (let n = 1; n <= total; n++) if (!this.seen.has(n)) out.push(n);
    return out;
  }
}

const ACK_TYPES = new Set(['publish', 'puback', 'pubrec', 'pubrel', 'pubcomp']);

/**
 * Experiment 1: 100 numbered messages at one QoS; the subscriber (persistent session) is cut off
 * after half of them and returns after the rest were published.
 */
export async function runQosExperiment(
  env: ExperimentEnv,
  qos: 0 | 1 | 2,
  total = 100,
): Promise<QosReport> {
  const sleep = env.sleep ?? defaultSleep;
  const topic = `${env.prefix}/qos${qos}`;
  const subId = `lab-sub-${env.id}-q${qos}`;
  const tally = new Tally();
  const onMessage = (_t: string, payload: Uint8Array) => {
    tally.add(Number(new TextDecoder().decode(payload)));
  };
  const subOpts = persistent(env, subId, false);
  const sub = env.open('subscriber', subOpts);
  await connected(sub);
  sub.on('message', onMessage);
  await sub.subscribeAsync(topic, { qos });

  const pub = env.open('publisher', { ...baseOptions(env), clientId: `lab-pub-${env.id}-q${qos}` });
  await connected(pub);
  let flowPackets = 0;
  pub.on('packetsend', (p: Packet) => {
    if (ACK_TYPES.has(p.cmd)) flowPackets++;
  });
  pub.on('packetreceive', (p: Packet) => {
    if (ACK_TYPES.has(p.cmd)) flowPackets++;
  });

  const half = Math.floor(total / 2);
  try {
    for (let n = 1; n <= half; n++) await pub.publishAsync(topic, String(n), { qos });
    // Everything so far was published while the subscriber was online: nothing may be missing.
    // A long quiet limit: a busy page (or its browser's WebSocket flow control) can hold
    // messages back for a second or more, and giving up early would report them as lost.
    await settle(
      env,
      () => tally.distinct >= half,
      () => tally.distinct,
      PATIENT_QUIET_MS,
    );
    kill(sub);
    // Give the broker a moment to see the socket close before the next messages.
    await sleep(300);
    for (let n = half + 1; n <= total; n++) await pub.publishAsync(topic, String(n), { qos });
    // The same client object comes back: its session state (QoS 2 messages received but not
    // yet released) lives in it, as the spec requires of a client [MQTT-4.1.0-1].
    const back = connected(sub);
    sub.reconnect();
    await back;
    // At QoS 0 the messages published while offline are gone for good, so a short quiet
    // limit ends the wait; at QoS 1 and 2 every one of them is still on its way.
    await settle(
      env,
      () => tally.distinct >= total,
      () => tally.distinct + tally.duplicates,
      qos === 0 ? undefined : PATIENT_QUIET_MS,
    );
    // QoS 2 could only show a duplicate late; give stragglers a moment.
    await sleep(200);
  } finally {
    await Promise.all([close(pub), close(sub)]);
    // Leave no session behind on the broker.
    const cleanup = env.open('subscriber', persistent(env, subId, true));
    await connected(cleanup).catch(() => {});
    await close(cleanup);
  }
  return {
    qos,
    published: total,
    received: tally.distinct,
    lost: tally.lost(total),
    duplicates: tally.duplicates,
    packetsPerMessage: Math.round((flowPackets / total) * 10) / 10,
    publishedWhileOffline: total - half,
    missing: tally.missing(total),
  };
}

/** Experiment 2: a retained value reaches a late subscriber at once, until it is cleared. */
export async function runRetainedExperiment(env: ExperimentEnv): Promise<RetainedReport> {
  const topic = `${env.prefix}/retained`;
  const value = `21.5 °C @ ${new Date().toISOString().slice(11, 19)}`;
  const pub = env.open('publisher', { ...baseOptions(env), clientId: `lab-pub-${env.id}-r` });
  await connected(pub);
  const firstMessage = async (role: string, suffix: string) => {
    const late = env.open(role, { ...baseOptions(env), clientId: `lab-sub-${env.id}-${suffix}` });
    await connected(late);
    const got = new Promise<{ payload: string; retain: boolean } | null>((resolve) => {
      // Sent at once by the broker; the margin is for a busy machine.
      const timer = setTimeout(() => resolve(null), 3000);
      late.once('message', (_t, payload: Uint8Array, packet) => {
        clearTimeout(timer);
        resolve({ payload: new TextDecoder().decode(payload), retain: packet.retain });
      });
    });
    await late.subscribeAsync(topic, { qos: 1 });
    const result = await got;
    await close(late);
    return result;
  };
  try {
    await pub.publishAsync(topic, value, { qos: 1, retain: true });
    const first = await firstMessage('subscriber', 'r1');
    // [MQTT-3.3.1-10]: a retained PUBLISH with an empty payload removes the retained message.
    await pub.publishAsync(topic, '', { qos: 1, retain: true });
    const after = await firstMessage('subscriber', 'r2');
    return {
      lateSubscriberGot: first?.payload ?? null,
      retainFlag: first?.retain ?? false,
      afterClearGot: after ? after.payload : null,
    };
  } finally {
    await close(pub);
  }
}

/** Experiment 3: the publisher sets a will and is killed; the subscriber gets the will. */
export async function runWillExperiment(env: ExperimentEnv, keepaliveS = 2): Promise<WillReport> {
  const topic = `${env.prefix}/will`;
  const sub = env.open('subscriber', { ...baseOptions(env), clientId: `lab-sub-${env.id}-w` });
  await connected(sub);
  await sub.subscribeAsync(topic, { qos: 1 });
  const payload = `publisher ${env.id} lost power`;
  const pub = env.open('publisher', {
    ...baseOptions(env),
    clientId: `lab-pub-${env.id}-w`,
    keepalive: keepaliveS,
    will: { topic, payload: new TextEncoder().encode(payload) as Buffer, qos: 1, retain: false },
  });
  await connected(pub);
  const limitMs = keepaliveS * 1500;
  const got = new Promise<string | null>((resolve) => {
    const timer = setTimeout(() => resolve(null), limitMs + 2000);
    sub.once('message', (_t, p: Uint8Array) => {
      clearTimeout(timer);
      resolve(new TextDecoder().decode(p));
    });
  });
  const killedAt = Date.now();
  kill(pub);
  const will = await got;
  const afterMs = will === null ? null : Date.now() - killedAt;
  await close(sub);
  return { keepaliveS, willReceived: will !== null, afterMs, limitMs, payload: will };
}

/** Experiment 4: 20 messages published while a subscriber is away; does it get them back? */
export async function runSessionExperiment(
  env: ExperimentEnv,
  clean: boolean,
  count = 20,
): Promise<SessionReport> {
  const topic = `${env.prefix}/session`;
  const clientId = `lab-sub-${env.id}-s${clean ? 'c' : 'p'}`;
  const opts = persistent(env, clientId, clean);
  // Start from no session at all, whatever an earlier run left.
  const reset = env.open('subscriber', persistent(env, clientId, true));
  await connected(reset);
  await close(reset);

  let sub = env.open('subscriber', opts);
  await connected(sub);
  await sub.subscribeAsync(topic, { qos: 1 });
  await close(sub);

  const pub = env.open('publisher', { ...baseOptions(env), clientId: `lab-pub-${env.id}-s` });
  await connected(pub);
  for (let n = 1; n <= count; n++) await pub.publishAsync(topic, String(n), { qos: 1 });
  await close(pub);

  const tally = new Tally();
  sub = env.open('subscriber', opts);
  sub.on('message', (_t, p: Uint8Array) => tally.add(Number(new TextDecoder().decode(p))));
  const { sessionPresent } = await connected(sub);
  await settle(
    env,
    () => tally.distinct >= count,
    () => tally.distinct,
    800,
  );
  await close(sub);
  if (!clean) {
    const cleanup = env.open('subscriber', persistent(env, clientId, true));
    await connected(cleanup);
    await close(cleanup);
  }
  return { clean, publishedWhileAway: count, receivedAfterReturn: tally.distinct, sessionPresent };
}
