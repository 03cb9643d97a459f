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
 * Stock Aedes invents an id instead. Wraps an `authenticate` hook so the check runs first.
 */
export function rejectEmptyIdWithSession(
  authenticate: NonNullable<AedesOptions['authenticate']>,
): Pick<AedesOptions, 'preConnect' | 'authenticate'> {
  const rejected = new WeakSet<Client>();
  return {
    preConnect(client, packet, done) {
      if (!packet.clientId && packet.clean === false) rejected.add(client);
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
  // Matching every filter for every message showed in profiles of a busy subscriber; a topic's
  // answer stays the same until the client's subscriptions change, which clears the cache.
  const cache = new Map<string, number>();
  const grantedFor = (topic: string): number => {
    let qos = cache.get(topic);
    if (qos === undefined) {
      qos = highestGrantedQos(real, topic);
      if (cache.size >= MAX_CACHED_TOPICS) cache.clear();
      cache.set(topic, qos);
    }
    return qos;
  };

  // Aedes lowers a QoS 1/2 delivery to the QoS of a subscription whose filter equals the topic
  // name. Showing that subscription with the highest QoS that matches keeps that step from
  // undoing the choice made below; everything else reads the subscription as it is.
  c.subscriptions = new Proxy(real, {
    get(target, key) {
      const sub = target[key as string];
      if (!sub || typeof key !== 'string') return sub;
      const best = grantedFor(key);
      return best > sub.qos ? (Object.create(sub, { qos: { value: best } }) as typeof sub) : sub;
    },
    set(target, key, value: { qos: 0 | 1 | 2 }) {
      target[key as string] = value;
      cache.clear();
      return true;
    },
    deleteProperty(target, key) {
      delete target[key as string];
      cache.clear();
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
