import { Readable } from 'node:stream';
import type { Aedes, AedesOptions, Client } from 'aedes';
import { topicMatches } from '../../src/lib/wire/mqtt-topic.ts';

type Deliver = (packet: DeliveryPacket, cb: () => void) => void;

/** The part of an Aedes packet a delivery looks at. */
interface DeliveryPacket {
  topic: string;
  qos: 0 | 1 | 2;
  brokerId?: string | null;
  brokerCounter?: number;
}

/** The Aedes client internals this module adjusts (present in Aedes 1.2.0). */
interface ClientInternals {
  deliver0: Deliver;
  deliverQoS: Deliver;
  subscriptions: Record<string, { qos: 0 | 1 | 2 }>;
}

/**
 * [MQTT-3.1.3-8]: a client that sends an empty client id with CleanSession = 0 must get
 * CONNACK 0x02 "identifier rejected" (the broker could not give the session back to it later).
 * MQTT 3.1 (protocol level 3) allows no empty id at all: its Client Identifier has 1 to 23
 * characters, else 0x02 (3.1 spec, CONNECT payload; Mosquitto answers so; Aedes checks only
 * the 23). Stock Aedes invents an id instead. Wraps an `authenticate` hook so the check runs
 * first.
 */
export function rejectEmptyIdWithSession(
  authenticate: NonNullable<AedesOptions['authenticate']>,
): Pick<AedesOptions, 'preConnect' | 'authenticate'> {
  const rejected = new WeakSet<Client>();
  return {
    preConnect(client, packet, done) {
      if (!packet.clientId && (packet.clean === false || packet.protocolVersion === 3)) {
        rejected.add(client);
      }
      done(null, true);
    },
    authenticate(client, username, password, done) {
      if (rejected.has(client)) {
        const err = Object.assign(new Error('identifier rejected'), { returnCode: 2 as const });
        done(err, false);
        return;
      }
      authenticate(client, username, password, done);
    },
  };
}

/**
 * What the first bytes of a connection say about its protocol, once they say enough: 'more'
 * until the CONNECT's protocol name and level have arrived (at most 14 bytes), 'unsupported'
 * for MQTT 3.1.1's name with another level or 3.1's name with another level ([MQTT-3.1.2-2]:
 * CONNACK 0x01, then close; Mosquitto answers both so), 'ok' otherwise. Anything that is not
 * such a CONNECT is left to mqtt-packet, whose errors close the connection [MQTT-3.1.2-1].
 */
export function checkProtocol(head: Buffer): 'ok' | 'unsupported' | 'more' {
  if (head.length === 0) return 'more';
  if (head[0]! >> 4 !== 1) return 'ok';
  // The Remaining Length: 1-4 bytes (§2.2.3).
  let at = 1;
  while (at < head.length && at < 5 && (head[at]! & 0x80) !== 0) at++;
  if (at >= head.length) return head.length >= 5 ? 'ok' : 'more';
  at++;
  if (head.length < at + 2) return 'more';
  const nameLength = head.readUInt16BE(at);
  if (nameLength !== 4 && nameLength !== 6) return 'ok';
  const end = at + 2 + nameLength;
  if (head.length < end + 1) return 'more';
  const name = head.toString('latin1', at + 2, end);
  // The top bit of the level marks a bridge (mqtt-packet reads the rest as the level).
  const level = head[end]! & 0x7f;
  if (name === 'MQTT') return level === 4 ? 'ok' : 'unsupported';
  if (name === 'MQIsdp') return level === 3 ? 'ok' : 'unsupported';
  return 'ok';
}

/** How many topics' granted QoS each client remembers (the cache is cleared when full). */
const MAX_CACHED_TOPICS = 1024;

/** Highest QoS granted among `subs` that match `topic`, or -1 when none matches. */
export function highestGrantedQos(
  subs: Readonly<Record<string, { qos: number }>>,
  topic: string,
): number {
  let best = -1;
  for (const filter in subs) {
    const qos = subs[filter]!.qos;
    if (qos > best && topicMatches(filter, topic)) best = qos;
  }
  return best;
}

/**
 * [MQTT-3.3.5-1]: when a client's subscriptions overlap ("a/b" at QoS 0 and "a/#" at QoS 1),
 * the broker delivers the message once, at the highest QoS they grant (capped by the QoS it was
 * published with). Aedes delivers it once, but at the QoS of whichever subscription happens to
 * be matched first, and downgrades only by an exact-topic subscription. This makes every
 * subscription of the client use one delivery function that decides the QoS from all of them.
 * `onDeliver` is called once per message the client gets (for the broker's statistics).
 */
export function deliverAtHighestQos(client: Client, onDeliver: () => void): void {
  const c = client as unknown as ClientInternals;
  const deliver0 = c.deliver0;
  const deliverQoS = c.deliverQoS;
  const real = c.subscriptions;
  let lastCounter = 0;
  // How many of the client's subscriptions grant each QoS: when they all grant the same one, a
  // subscription read by its own filter already shows the highest QoS that matches it.
  const perQos = [0, 0, 0];
  // Matching every filter for every message showed in profiles of a busy subscriber; a topic's
  // answer stays the same until the client's subscriptions change. A change only marks the
  // cache stale: it is emptied on the next lookup, so a client dropping 10,000 subscriptions
  // (a disconnect) costs 10,000 steps, not 10,000 scans of the filters left.
  const cache = new Map<string, number>();
  let stale = false;
  const grantedFor = (topic: string): number => {
    if (stale) {
      cache.clear();
      stale = false;
    }
    let qos = cache.get(topic);
    if (qos === undefined) {
      qos = highestGrantedQos(real, topic);
      if (cache.size >= MAX_CACHED_TOPICS) cache.clear();
      cache.set(topic, qos);
    }
    return qos;
  };
  const count = (sub: { qos: number } | undefined, by: number): void => {
    if (sub && sub.qos >= 0 && sub.qos <= 2) perQos[sub.qos]! += by;
  };

  // Aedes lowers a QoS 1/2 delivery to the QoS of a subscription whose filter equals the topic
  // name. Showing that subscription with the highest QoS that matches keeps that step from
  // undoing the choice made below. The QoS is looked up only when read (Aedes' unsubscribe
  // reads only `func`); everything else reads the subscription as it is.
  c.subscriptions = new Proxy(real, {
    get(target, key) {
      const sub = target[key as string];
      if (!sub || typeof key !== 'string') return sub;
      if (+(perQos[0]! > 0) + +(perQos[1]! > 0) + +(perQos[2]! > 0) <= 1) return sub;
      return Object.create(sub, {
        qos: { get: () => Math.max(sub.qos, grantedFor(key)), enumerable: true },
      }) as typeof sub;
    },
    set(target, key, value: { qos: 0 | 1 | 2 }) {
      count(target[key as string], -1);
      target[key as string] = value;
      count(value, 1);
      stale = true;
      return true;
    },
    deleteProperty(target, key) {
      count(target[key as string], -1);
      delete target[key as string];
      stale = true;
      return true;
    },
  });

  const deliver: Deliver = (packet, cb) => {
    const granted = grantedFor(packet.topic);
    // [MQTT-3.8.4-6] never more than granted; -1 = no subscription (e.g. a queued session message).
    if (granted >= 0 && granted < packet.qos) packet.qos = granted as 0 | 1 | 2;
    // Aedes drops all but the first delivery of one publish per client (by brokerCounter).
    const counter = packet.brokerCounter ?? 0;
    if (!packet.brokerId || counter > lastCounter) {
      if (packet.brokerId) lastCounter = counter;
      onDeliver();
    }
    if (packet.qos === 0) deliver0(packet, cb);
    else deliverQoS(packet, cb);
  };
  c.deliver0 = deliver;
  c.deliverQoS = deliver;
}

/**
 * Keeps a persistent session's packet identifiers unique across its connections
 * ([MQTT-2.3.1-2]: an identifier is in use until its acknowledgement arrives).
 *
 * Aedes starts every new connection's identifiers at a random number. Messages still queued
 * from the previous connection keep their old identifiers, so the new connection can hand out
 * an identifier that a queued message already holds; the PUBACK for one then clears the other,
 * which is never sent again: with 100 quick reconnects, stock Aedes lost about 1 in 50 QoS 1
 * messages this way. Here a returning client continues its previous connection's sequence.
 */
export function continuePacketIds(aedes: Aedes): (client: Client) => void {
  const next = new Map<string, number>();
  aedes.on('clientDisconnect', (client) => {
    const c = client as unknown as { _nextId: number; clean: boolean };
    if (!c.clean) next.set(client.id, c._nextId);
    else next.delete(client.id);
  });
  // Called once the client id is known, before the session's queue is replayed.
  return (client) => {
    const c = client as unknown as { _nextId: number; clean: boolean };
    if (c.clean) return;
    const clients = (aedes as unknown as { clients: Record<string, { _nextId?: number }> }).clients;
    const previous = clients[client.id]?._nextId;
    const saved = previous ?? next.get(client.id);
    // Leave a gap for identifiers the previous connection had in flight.
    if (saved !== undefined) c._nextId = ((saved + 1000 - 1) % 65535) + 1;
  };
}

/** The fields of a queued outgoing packet that the session store matches on. */
interface OutgoingPacket {
  cmd: string;
  messageId?: number | undefined;
  brokerId?: string | undefined;
  brokerCounter?: number | undefined;
}

/** Marks a PUBREL in the session store; no broker has this id. */
export const RELEASE_BROKER_ID = 'lab:pubrel';

/**
 * Keeps each PUBREL in a persistent session's queue tied to its own packet identifier.
 *
 * After a PUBREC the server must keep the PUBREL until the PUBCOMP arrives, and resend it on
 * reconnect [MQTT-4.3.3-1] [MQTT-4.4.0-1]. Aedes 1.2.0 stores it with `outgoingUpdate`, and the
 * memory store (aedes-persistence 11) finds the entry to update by brokerId and brokerCounter,
 * which a PUBREL does not have: `undefined === undefined` makes every new PUBREL match the
 * first PUBREL already queued, whose identifier it then overwrites. When two PUBRECs arrive in
 * one read (a session's backlog being replayed), the first message's PUBREL goes out with the
 * second one's identifier, so the first message is never released and the subscriber never
 * sees it: one message in two was lost over WebSocket. Giving each PUBREL a key of its own
 * (this id, its packet identifier) makes the store match it by identifier alone.
 */
export function keepReleasesApart(aedes: Aedes): void {
  const store = (aedes as unknown as { persistence: unknown }).persistence as {
    outgoingUpdate(client: Client, packet: OutgoingPacket): Promise<unknown>;
  };
  const update = store.outgoingUpdate.bind(store);
  store.outgoingUpdate = (client, packet) => {
    if (packet.cmd === 'pubrel' && packet.brokerId === undefined) {
      packet.brokerId = RELEASE_BROKER_ID;
      packet.brokerCounter = packet.messageId;
    }
    return update(client, packet);
  };
}

/** A retained message as the store hands it out. */
interface RetainedPacket {
  topic: string;
}

/**
 * [MQTT-4.7.2-1]: a filter starting with a wildcard must not match a topic name starting with
 * `$`. Aedes keeps such topics from live deliveries, but its store (aedes-persistence 11) hands
 * out retained messages by pattern alone, so a new `+/+/+` subscriber got `$SYS/lab/stats`.
 * Here the retained messages found for wildcard-first patterns go through that rule.
 */
export function hideDollarTopicsFromWildcards(aedes: Aedes): void {
  const store = (aedes as unknown as { persistence: unknown }).persistence as {
    createRetainedStream(pattern: string): Readable;
    createRetainedStreamCombi(patterns: string[]): Readable;
  };
  if (typeof store.createRetainedStreamCombi !== 'function') {
    throw new Error('aedes-persistence has no createRetainedStreamCombi(): update conformance.ts');
  }
  const combi = store.createRetainedStreamCombi.bind(store);
  async function* matching(patterns: string[]): AsyncGenerator<RetainedPacket> {
    const wild = patterns.filter((p) => p.startsWith('+') || p.startsWith('#'));
    const plain = patterns.filter((p) => !p.startsWith('+') && !p.startsWith('#'));
    if (plain.length > 0) yield* combi(plain) as AsyncIterable<RetainedPacket>;
    if (wild.length === 0) return;
    for await (const packet of combi(wild) as AsyncIterable<RetainedPacket>) {
      if (!packet.topic.startsWith('$')) yield packet;
    }
  }
  store.createRetainedStreamCombi = (patterns) => Readable.from(matching(patterns));
  store.createRetainedStream = (pattern) => Readable.from(matching([pattern]));
}
