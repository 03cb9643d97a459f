// The MQTT 5.0 experiments of the lab, as scripted scenarios against a real broker that speaks 5.0.
// DOM-free, like experiments.ts: the caller passes the factory that opens (and logs) the clients.
import type { IClientOptions, IClientPublishOptions, MqttClient, Packet } from 'mqtt';
import { baseOptions, close, connected, type ExperimentEnv } from './experiments.ts';
import { packetBytes } from './packet-log.ts';

/** Result of the session expiry experiment (§3.1.2.11.2). */
export interface SessionExpiryReport {
  expiryS: number;
  /** Back before the interval ran out: CONNACK Session Present, and the queued message. */
  withinPresent: boolean;
  withinGot: string[];
  /** Back after it ran out. */
  afterPresent: boolean;
  afterGot: string[];
  /** How long the client stayed away the second time (ms). */
  awayMs: number;
}

/** Result of the message expiry experiment (§3.3.2.3.3). */
export interface MessageExpiryReport {
  /** Message expiry interval of each message sent while the subscriber was away (s). */
  sent: { payload: string; expiryS: number }[];
  awayMs: number;
  /** What arrived on return, with the expiry interval the broker forwarded [MQTT-3.3.2-6]. */
  got: { payload: string; expiryS: number | null }[];
}

/** Reason codes the broker answered with (§2.4), null where no such packet came. */
export interface ReasonCodeReport {
  /** CONNACK to a CONNECT with an unknown user name and password. */
  badLogin: number | null;
  /** SUBACK to an anonymous SUBSCRIBE to `#`. */
  subscribeAll: number | null;
  /** PUBACK to an anonymous QoS 1 PUBLISH under `vehicle/`. */
  publishVehicle: number | null;
  /** PUBACK to a QoS 1 PUBLISH that no subscription matches. */
  publishNobody: number | null;
  /** After the client's DISCONNECT 0x04 (Disconnect with Will Message): did the will go out? */
  willAfterDisconnect: boolean;
}

/** Result of the user properties experiment (§3.3.2.3.7). */
export interface UserPropertiesReport {
  sent: Record<string, string>;
  /** As the subscriber received them. */
  got: Record<string, string | string[]> | null;
}

/** Result of the topic alias experiment (§3.3.2.3.4). */
export interface TopicAliasReport {
  topic: string;
  /** Topic Alias Maximum from the broker's CONNACK (0: the broker accepts none). */
  aliasMaximum: number;
  messages: number;
  /** Bytes of each PUBLISH with the full topic. */
  plainBytes: number;
  /** Bytes of the first PUBLISH that sets the alias, and of each one that uses it. */
  firstAliasBytes: number;
  aliasBytes: number;
  /** Bytes saved per message once the alias is set: plainBytes - aliasBytes. */
  savedPerMessage: number;
  /** Messages the subscriber got (all with the full topic). */
  delivered: number;
}

/** Result of the shared subscription experiment (§4.8.2). */
export interface SharedReport {
  filter: string;
  published: number;
  /** Messages each of the two group members got. */
  perMember: [number, number];
  /** Messages an ordinary subscriber of the same topic got. */
  ordinary: number;
}

/** Result of the request/response experiment (§4.10). */
export interface RequestResponseReport {
  responseTopic: string;
  correlation: string;
  /** The response's correlation data, as the requester got it; null if no response came. */
  gotCorrelation: string | null;
  reply: string | null;
  roundTripMs: number | null;
}

/** Result of the retain handling and no-local experiment (§3.8.3.1). */
export interface RetainOptionsReport {
  /** Did a SUBSCRIBE with these options bring the retained message? */
  rh0: boolean;
  /** Retain Handling 1 on a new subscription, then again on the existing one. */
  rh1New: boolean;
  rh1Again: boolean;
  rh2: boolean;
  /** With No Local, did the client get its own publish back; did another subscriber get it? */
  noLocalOwn: boolean;
  noLocalOther: boolean;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Options of every client here: MQTT 5.0, whatever the lab's connection settings say. */
function v5(env: ExperimentEnv, clientId: string, extra: IClientOptions = {}): IClientOptions {
  return { ...baseOptions(env), protocolVersion: 5, clientId, ...extra };
}

const text = (b: Uint8Array | undefined): string => (b ? new TextDecoder().decode(b) : '');

/** Resolves once `check()` holds, or after `ms` (whatever happened by then is the result). */
async function until(env: ExperimentEnv, check: () => boolean, ms: number): Promise<void> {
  const sleep = env.sleep ?? defaultSleep;
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await sleep(20);
}

/**
 * Publishes a marker on `topic` and waits until `client` has it. A broker delivers a session's
 * queued messages, and a new subscription's retained ones, before anything published later on
 * the same topic (§4.6): once the marker is in, whatever else was coming has come.
 */
async function barrier(
  env: ExperimentEnv,
  pub: MqttClient,
  client: MqttClient,
  topic: string,
): Promise<void> {
  const marker = `marker ${Math.random().toString(16).slice(2, 8)}`;
  let seen = false;
  const on = (_t: string, p: Uint8Array) => {
    if (text(p) === marker) seen = true;
  };
  client.on('message', on);
  await pub.publishAsync(topic, marker, { qos: 1 });
  await until(env, () => seen, env.timeoutMs ?? 5000);
  client.off('message', on);
}

const isMarker = (payload: string) => payload.startsWith('marker ');

/** Collects the payloads a client receives. */
function inbox(c: MqttClient): string[] {
  const got: string[] = [];
  c.on('message', (_t, p: Uint8Array) => {
    if (!isMarker(text(p))) got.push(text(p));
  });
  return got;
}

/** Connects with a session that lasts `expiryS` after the connection ends; Clean Start as given. */
async function openSession(
  env: ExperimentEnv,
  clientId: string,
  expiryS: number,
  clean: boolean,
): Promise<{ client: MqttClient; sessionPresent: boolean; got: string[] }> {
  const client = env.open(
    'subscriber',
    v5(env, clientId, { clean, properties: { sessionExpiryInterval: expiryS } }),
  );
  const got = inbox(client);
  const { sessionPresent } = await connected(client);
  return { client, sessionPresent, got };
}

/** Leaves no session behind: Clean Start with expiry 0 ends it with the connection. */
async function dropSession(env: ExperimentEnv, clientId: string): Promise<void> {
  const c = env.open('subscriber', v5(env, clientId, { clean: true }));
  await connected(c).catch(() => {});
  await close(c);
}

/**
 * Experiment 7: a subscriber's session with Session Expiry Interval `expiryS`; a message published
 * while it is away comes back when it returns in time, and neither session nor message does after.
 */
export async function runSessionExpiry(
  env: ExperimentEnv,
  expiryS = 2,
): Promise<SessionExpiryReport> {
  const sleep = env.sleep ?? defaultSleep;
  const now = env.now ?? Date.now;
  const topic = `${env.prefix}/expiry`;
  const id = `lab-sub-${env.id}-x`;
  const pub = env.open('publisher', v5(env, `lab-pub-${env.id}-x`));
  await connected(pub);
  try {
    let s = await openSession(env, id, expiryS, true);
    await s.client.subscribeAsync(topic, { qos: 1 });
    await close(s.client);
    await pub.publishAsync(topic, 'while away 1', { qos: 1 });
    // §3.1.2.11.2: the broker keeps the session until the interval has passed [MQTT-3.1.2-23].
    s = await openSession(env, id, expiryS, false);
    await barrier(env, pub, s.client, topic);
    const within = { present: s.sessionPresent, got: [...s.got] };
    await close(s.client);
    const leftAt = now();
    await pub.publishAsync(topic, 'while away 2', { qos: 1 });
    // The interval starts when the connection closes; a second's margin for the broker's timer.
    await sleep(expiryS * 1000 + 1000);
    s = await openSession(env, id, expiryS, false);
    const awayMs = now() - leftAt;
    // The session is new, so this client must subscribe again to see even the marker.
    if (!s.sessionPresent) await s.client.subscribeAsync(topic, { qos: 1 });
    await barrier(env, pub, s.client, topic);
    await close(s.client);
    return {
      expiryS,
      withinPresent: within.present,
      withinGot: within.got,
      afterPresent: s.sessionPresent,
      afterGot: [...s.got],
      awayMs,
    };
  } finally {
    await close(pub);
    await dropSession(env, id);
  }
}

/**
 * Experiment 8: two messages queued for an offline subscriber, one that expires after
 * `shortS` seconds and one that lives a minute; the subscriber returns after `shortS` + 1 s.
 */
export async function runMessageExpiry(
  env: ExperimentEnv,
  shortS = 1,
): Promise<MessageExpiryReport> {
  const sleep = env.sleep ?? defaultSleep;
  const now = env.now ?? Date.now;
  const topic = `${env.prefix}/ttl`;
  const id = `lab-sub-${env.id}-t`;
  const sent = [
    { payload: 'brake now', expiryS: shortS },
    { payload: 'firmware 2.1 available', expiryS: 60 },
  ];
  const pub = env.open('publisher', v5(env, `lab-pub-${env.id}-t`));
  await connected(pub);
  try {
    const s = await openSession(env, id, 60, true);
    await s.client.subscribeAsync(topic, { qos: 1 });
    await close(s.client);
    const leftAt = now();
    for (const m of sent) {
      await pub.publishAsync(topic, m.payload, {
        qos: 1,
        properties: { messageExpiryInterval: m.expiryS },
      });
    }
    await sleep(shortS * 1000 + 1000);
    const got: MessageExpiryReport['got'] = [];
    const client = env.open(
      'subscriber',
      v5(env, id, { clean: false, properties: { sessionExpiryInterval: 60 } }),
    );
    client.on('message', (_t, p: Uint8Array, packet) => {
      if (isMarker(text(p))) return;
      got.push({ payload: text(p), expiryS: packet.properties?.messageExpiryInterval ?? null });
    });
    await connected(client);
    const awayMs = now() - leftAt;
    await barrier(env, pub, client, topic);
    await close(client);
    return { sent, awayMs, got };
  } finally {
    await close(pub);
    await dropSession(env, id);
  }
}

/** Resolves with the reason code of the next packet of type `cmd` a client receives, or null. */
function nextCode(c: MqttClient, cmd: Packet['cmd'], ms: number): Promise<number | null> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      c.off('packetreceive', on);
      resolve(null);
    }, ms);
    const on = (p: Packet) => {
      if (p.cmd !== cmd) return;
      clearTimeout(timer);
      c.off('packetreceive', on);
      const q = p as { reasonCode?: number; returnCode?: number; granted?: number[] };
      resolve(cmd === 'suback' ? (q.granted?.[0] ?? null) : (q.reasonCode ?? q.returnCode ?? 0));
    };
    c.on('packetreceive', on);
  });
}

/**
 * Experiment 9: what the broker answers, with a reason code on each acknowledgement (§2.4), to an
 * unknown login, an anonymous `#` subscription, an anonymous publish under `vehicle/`, a publish
 * nobody subscribed to; and what a client's DISCONNECT with reason code 0x04 makes it do.
 */
export async function runReasonCodes(env: ExperimentEnv): Promise<ReasonCodeReport> {
  const wait = env.timeoutMs ?? 5000;
  const bad = env.open(
    'publisher',
    v5(env, `lab-pub-${env.id}-l`, { username: 'lab-nobody', password: 'wrong' }),
  );
  const badLogin = nextCode(bad, 'connack', wait);
  await connected(bad).catch(() => {});
  const report: ReasonCodeReport = {
    badLogin: await badLogin,
    subscribeAll: null,
    publishVehicle: null,
    publishNobody: null,
    willAfterDisconnect: false,
  };
  bad.end(true);

  const willTopic = `${env.prefix}/will`;
  const watcher = env.open('subscriber', v5(env, `lab-sub-${env.id}-c`));
  const c = env.open(
    'publisher',
    v5(env, `lab-pub-${env.id}-c`, {
      will: {
        topic: willTopic,
        payload: new TextEncoder().encode('gone') as Buffer,
        qos: 1,
        retain: false,
      },
    }),
  );
  try {
    await Promise.all([connected(watcher), connected(c)]);
    const wills = inbox(watcher);
    await watcher.subscribeAsync(willTopic, { qos: 1 });
    const suback = nextCode(c, 'suback', wait);
    c.subscribe('#', { qos: 1 });
    report.subscribeAll = await suback;
    for (const [key, topic] of [
      ['publishVehicle', `vehicle/${env.id}/status`],
      ['publishNobody', `${env.prefix}/nobody-listens`],
    ] as const) {
      const puback = nextCode(c, 'puback', wait);
      c.publish(topic, 'x', { qos: 1 }, () => {});
      report[key] = await puback;
    }
    // §3.14.2.1: 0x04 asks the broker to publish the will, which a DISCONNECT 0x00 discards.
    await new Promise<void>((resolve) => c.end(false, { reasonCode: 0x04 }, () => resolve()));
    await until(env, () => wills.length > 0, wait);
    report.willAfterDisconnect = wills.length > 0;
  } finally {
    c.end(true);
    await close(watcher);
  }
  return report;
}

/** Experiment 10: user properties on a PUBLISH reach the subscriber unchanged (§3.3.2.3.7). */
export async function runUserProperties(env: ExperimentEnv): Promise<UserPropertiesReport> {
  const topic = `${env.prefix}/props`;
  const sent = { traceId: `t-${env.id}`, schema: 'reading/v2', unit: '°C' };
  const sub = env.open('subscriber', v5(env, `lab-sub-${env.id}-u`));
  const pub = env.open('publisher', v5(env, `lab-pub-${env.id}-u`));
  try {
    await Promise.all([connected(sub), connected(pub)]);
    let got: UserPropertiesReport['got'] = null;
    sub.on('message', (_t, _p, packet) => {
      got = (packet.properties?.userProperties as Record<string, string | string[]>) ?? {};
    });
    await sub.subscribeAsync(topic, { qos: 1 });
    await pub.publishAsync(topic, '21.5', { qos: 1, properties: { userProperties: sent } });
    await until(env, () => got !== null, env.timeoutMs ?? 5000);
    return { sent, got };
  } finally {
    await Promise.all([close(sub), close(pub)]);
  }
}

/**
 * Experiment 11: `messages` PUBLISH packets to one long topic with the full topic each time, then
 * as many with Topic Alias 1 (full topic once, then an empty one); the sizes are the packets'.
 */
export async function runTopicAlias(env: ExperimentEnv, messages = 5): Promise<TopicAliasReport> {
  const topic = `${env.prefix}/building-7/floor-3/room-12/temperature`;
  const sub = env.open('subscriber', v5(env, `lab-sub-${env.id}-a`));
  const pub = env.open('publisher', v5(env, `lab-pub-${env.id}-a`));
  let aliasMaximum = 0;
  pub.on('packetreceive', (p: Packet) => {
    if (p.cmd === 'connack') aliasMaximum = p.properties?.topicAliasMaximum ?? 0;
  });
  const sizes: number[] = [];
  pub.on('packetsend', (p: Packet) => {
    if (p.cmd === 'publish') sizes.push(packetBytes(p, 5));
  });
  try {
    await Promise.all([connected(sub), connected(pub)]);
    // Counted only with the full topic: the broker resolves the alias for its subscribers.
    const got: string[] = [];
    sub.on('message', (t: string) => {
      if (t === topic) got.push(t);
    });
    await sub.subscribeAsync(topic, { qos: 0 });
    // One payload throughout, so that the packets differ only in how they name the topic.
    for (let n = 1; n <= messages; n++) await pub.publishAsync(topic, '21.5', { qos: 0 });
    if (aliasMaximum >= 1) {
      // The first PUBLISH maps the alias to the topic (§3.3.2.3.4); later ones send alias 1
      // and a zero-length topic, which the broker resolves.
      const alias: IClientPublishOptions = { qos: 0, properties: { topicAlias: 1 } };
      await pub.publishAsync(topic, '21.5', alias);
      for (let n = 2; n <= messages; n++) await pub.publishAsync('', '21.5', alias);
    }
    const expected = aliasMaximum >= 1 ? 2 * messages : messages;
    await until(env, () => got.length >= expected, env.timeoutMs ?? 5000);
    const plainBytes = sizes[0] ?? 0;
    const aliasBytes = sizes[messages + 1] ?? plainBytes;
    return {
      topic,
      aliasMaximum,
      messages,
      plainBytes,
      firstAliasBytes: sizes[messages] ?? plainBytes,
      aliasBytes,
      savedPerMessage: plainBytes - aliasBytes,
      delivered: got.length,
    };
  } finally {
    await Promise.all([close(sub), close(pub)]);
  }
}

/** Experiment 12: two members of one shared subscription split the messages between them. */
export async function runSharedSubscription(
  env: ExperimentEnv,
  published = 10,
): Promise<SharedReport> {
  const topic = `${env.prefix}/jobs`;
  const filter = `$share/workers-${env.id}/${topic}`;
  const a = env.open('subscriber', v5(env, `lab-sub-${env.id}-w1`));
  const b = env.open('member.b', v5(env, `lab-sub-${env.id}-w2`));
  const plain = env.open('watcher', v5(env, `lab-sub-${env.id}-w3`));
  const pub = env.open('publisher', v5(env, `lab-pub-${env.id}-w`));
  try {
    await Promise.all([a, b, plain, pub].map((c) => connected(c)));
    const [gotA, gotB, gotPlain] = [inbox(a), inbox(b), inbox(plain)];
    await Promise.all([
      a.subscribeAsync(filter, { qos: 1 }),
      b.subscribeAsync(filter, { qos: 1 }),
      plain.subscribeAsync(topic, { qos: 1 }),
    ]);
    for (let n = 1; n <= published; n++) await pub.publishAsync(topic, `job ${n}`, { qos: 1 });
    await until(
      env,
      () => gotA.length + gotB.length >= published && gotPlain.length >= published,
      env.timeoutMs ?? 5000,
    );
    return {
      filter,
      published,
      perMember: [gotA.length, gotB.length],
      ordinary: gotPlain.length,
    };
  } finally {
    await Promise.all([a, b, plain, pub].map((c) => close(c)));
  }
}

/**
 * Experiment 13: the requester sends a request with Response Topic and Correlation Data; the
 * responder answers on that topic and copies the correlation data back (§4.10).
 */
export async function runRequestResponse(env: ExperimentEnv): Promise<RequestResponseReport> {
  const now = env.now ?? Date.now;
  const requestTopic = `${env.prefix}/thermostat/get`;
  const responseTopic = `${env.prefix}/replies/${env.id}`;
  const correlation = `req-${env.id}-1`;
  const requester = env.open('publisher', v5(env, `lab-pub-${env.id}-q`));
  const responder = env.open('subscriber', v5(env, `lab-sub-${env.id}-q`));
  try {
    await Promise.all([connected(requester), connected(responder)]);
    responder.on('message', (_t, _p, packet) => {
      const to = packet.properties?.responseTopic;
      if (!to) return;
      const data = packet.properties?.correlationData;
      responder.publish(to, '21.5', {
        qos: 1,
        properties: data ? { correlationData: data } : {},
      });
    });
    await responder.subscribeAsync(requestTopic, { qos: 1 });
    let reply: { payload: string; correlation: string; at: number } | null = null;
    requester.on('message', (_t, p: Uint8Array, packet) => {
      reply = {
        payload: text(p),
        correlation: text(packet.properties?.correlationData),
        at: now(),
      };
    });
    await requester.subscribeAsync(responseTopic, { qos: 1 });
    const sentAt = now();
    await requester.publishAsync(requestTopic, 'temperature?', {
      qos: 1,
      properties: {
        responseTopic,
        correlationData: new TextEncoder().encode(correlation) as Buffer,
      },
    });
    await until(env, () => reply !== null, env.timeoutMs ?? 5000);
    const r = reply as { payload: string; correlation: string; at: number } | null;
    return {
      responseTopic,
      correlation,
      gotCorrelation: r?.correlation ?? null,
      reply: r?.payload ?? null,
      roundTripMs: r ? r.at - sentAt : null,
    };
  } finally {
    await Promise.all([close(requester), close(responder)]);
  }
}

/** Subscribes with Retain Handling `rh`; resolves whether the retained message came with it. */
async function retainedOnSubscribe(
  env: ExperimentEnv,
  pub: MqttClient,
  c: MqttClient,
  topic: string,
  rh: 0 | 1 | 2,
): Promise<boolean> {
  let got = false;
  const on = (_t: string, _p: Uint8Array, packet: { retain: boolean }) => {
    if (packet.retain) got = true;
  };
  c.on('message', on);
  await c.subscribeAsync(topic, { qos: 1, rh });
  await barrier(env, pub, c, topic);
  c.off('message', on);
  return got;
}

/**
 * Experiment 14: Retain Handling 0, 1 and 2 (§3.8.3.1) against one retained message, and No
 * Local: a client does not get back what it publishes on a topic it subscribed to with it.
 */
export async function runRetainOptions(env: ExperimentEnv): Promise<RetainOptionsReport> {
  const topic = `${env.prefix}/setpoint`;
  const pub = env.open('publisher', v5(env, `lab-pub-${env.id}-h`));
  const clients: MqttClient[] = [pub];
  const fresh = async (suffix: string): Promise<MqttClient> => {
    const c = env.open('subscriber', v5(env, `lab-sub-${env.id}-h${suffix}`));
    clients.push(c);
    await connected(c);
    return c;
  };
  try {
    await connected(pub);
    await pub.publishAsync(topic, '22', { qos: 1, retain: true });
    const rh0 = await retainedOnSubscribe(env, pub, await fresh('0'), topic, 0);
    const one = await fresh('1');
    const rh1New = await retainedOnSubscribe(env, pub, one, topic, 1);
    const rh1Again = await retainedOnSubscribe(env, pub, one, topic, 1);
    const rh2 = await retainedOnSubscribe(env, pub, await fresh('2'), topic, 2);

    const live = `${env.prefix}/chat`;
    const self = await fresh('n');
    const other = await fresh('o');
    const [own, others] = [inbox(self), inbox(other)];
    await self.subscribeAsync(live, { qos: 1, nl: true });
    await other.subscribeAsync(live, { qos: 1 });
    // PUBACK first: the broker has routed this message before the marker that follows it.
    await self.publishAsync(live, 'hello from self', { qos: 1 });
    await barrier(env, other, self, live);
    await until(env, () => others.length > 0, env.timeoutMs ?? 5000);
    return {
      rh0,
      rh1New,
      rh1Again,
      rh2,
      noLocalOwn: own.length > 0,
      noLocalOther: others.length > 0,
    };
  } finally {
    // [MQTT-3.3.1-10]: an empty retained payload removes the retained message.
    await pub.publishAsync(topic, '', { qos: 1, retain: true }).catch(() => {});
    await Promise.all(clients.map((c) => close(c)));
  }
}

/** Each MQTT 5.0 experiment's report, by the experiment's name. */
export interface V5Reports {
  sessionExpiry: SessionExpiryReport;
  messageExpiry: MessageExpiryReport;
  reasonCodes: ReasonCodeReport;
  userProperties: UserPropertiesReport;
  topicAlias: TopicAliasReport;
  shared: SharedReport;
  requestResponse: RequestResponseReport;
  retainOptions: RetainOptionsReport;
}

/** One MQTT 5.0 experiment. */
export type V5Experiment = keyof V5Reports;

const RUNNERS: { [K in V5Experiment]: (env: ExperimentEnv) => Promise<V5Reports[K]> } = {
  sessionExpiry: (env) => runSessionExpiry(env),
  messageExpiry: (env) => runMessageExpiry(env),
  reasonCodes: runReasonCodes,
  userProperties: runUserProperties,
  topicAlias: (env) => runTopicAlias(env),
  shared: (env) => runSharedSubscription(env),
  requestResponse: runRequestResponse,
  retainOptions: runRetainOptions,
};

/** The MQTT 5.0 experiments, in the order the lab shows them (numbered on from 7). */
export const V5_EXPERIMENTS = Object.keys(RUNNERS) as V5Experiment[];

/** Runs one MQTT 5.0 experiment by name. */
export function runV5Experiment<K extends V5Experiment>(
  name: K,
  env: ExperimentEnv,
): Promise<V5Reports[K]> {
  return RUNNERS[name](env);
}
