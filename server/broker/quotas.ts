import type { Aedes, AedesOptions, Client } from 'aedes';
import type { BrokerLimitCounts } from '../../src/lib/wire/mqtt-stats.ts';
import type { BrokerLimits } from './limits.ts';

type Hooks = Required<Pick<AedesOptions, 'authorizeSubscribe' | 'authorizePublish'>>;
type Subscription = Parameters<Hooks['authorizeSubscribe']>[1];
type Publish = Parameters<Hooks['authorizePublish']>[1];

/** The Aedes 1.2 client internals the quotas read or adjust. */
interface ClientInternals {
  clean: boolean;
  _inboundInflight: Set<number>;
}

/** A queued outgoing packet as aedes-persistence 11 holds it. */
interface QueuedPacket {
  cmd?: string;
  topic?: string;
  payload?: Buffer | string;
  messageId?: number;
  brokerId?: string | null;
  brokerCounter?: number;
}

/** The aedes-persistence 11 methods whose calls the quotas count. */
interface Store {
  addSubscriptions(client: { id: string }, subs: Subscription[]): Promise<void>;
  outgoingEnqueue(sub: { clientId: string }, packet: QueuedPacket): Promise<void>;
  outgoingEnqueueCombi(subs: { clientId: string }[], packet: QueuedPacket): Promise<void>;
  outgoingUpdate(client: { id: string }, packet: QueuedPacket): Promise<void>;
  outgoingClearMessageId(client: { id: string }, packet: QueuedPacket): Promise<unknown>;
  incomingStorePacket(client: { id: string }, packet: QueuedPacket): Promise<void>;
  incomingDelPacket(client: { id: string }, packet: QueuedPacket): Promise<void>;
  cleanIncoming(client: { id: string }): Promise<void>;
}

const size = (topic: string, payload: Buffer | string | undefined): number =>
  Buffer.byteLength(topic) + (payload === undefined ? 0 : Buffer.byteLength(payload));

const keyOf = (p: QueuedPacket): string => `${p.brokerId ?? ''}:${p.brokerCounter ?? 0}`;

/** A limit's refusal, in the form Aedes turns into a CONNACK return code (§3.2.2.3). */
function refused(
  message: string,
  returnCode: 2 | 3 | 4 | 5,
): Error & { returnCode: 2 | 3 | 4 | 5 } {
  return Object.assign(new Error(message), { returnCode });
}

/**
 * Bounds the state the broker keeps for its clients (subscriptions, retained messages,
 * persistent sessions and their queues, unreleased QoS 2 messages), each by a limit of
 * `BrokerLimits`. Past a limit the client gets the MQTT 3.1.1 answer (SUBACK 0x80, CONNACK
 * 0x03, or the connection closed where 3.1.1 has no refusal), the refusal is counted in
 * `counts`, and nothing already stored is dropped to make room.
 */
export class BrokerQuotas {
  readonly #limits: BrokerLimits;
  readonly #counts: BrokerLimitCounts;
  // Filters held by each connection (granted, not yet unsubscribed).
  readonly #filters = new WeakMap<Client, Set<string>>();
  // Filters granted, and stored for a persistent session (by object).
  readonly #granted = new WeakSet<Subscription>();
  readonly #stored = new WeakSet<Subscription>();
  // Retained topics: who sent the message kept now, and its size.
  readonly #retained = new Map<string, { owner: string; bytes: number }>();
  readonly #retainedBy = new Map<string, { count: number; bytes: number }>();
  #retainedBytes = 0;
  readonly #sessions = new Set<string>();
  // Each session's queue: bytes per queued message (by broker id and counter), and which
  // queued message holds each packet identifier.
  readonly #queues = new Map<
    string,
    { sizes: Map<string, number>; ids: Map<number, string>; bytes: number }
  >();
  #queuedBytes = 0;
  // Messages not queued for a connected client, which Aedes will still try to update.
  readonly #skipped = new Map<string, Set<string>>();
  // Incoming QoS 2 packet identifiers each session holds until PUBREL.
  readonly #unreleased = new Map<string, Set<number>>();

  constructor(limits: BrokerLimits, counts: BrokerLimitCounts) {
    this.#limits = limits;
    this.#counts = counts;
  }

  /** Wraps the access-control hooks so each quota is checked once access is granted. */
  wrapHooks(inner: Hooks): Hooks {
    return {
      authorizeSubscribe: (client, sub, done) => {
        inner.authorizeSubscribe(client, sub, (err, granted) => {
          if (err || !granted) {
            done(err, granted);
            return;
          }
          done(null, this.#admitFilter(client, sub) ? granted : null);
        });
      },
      authorizePublish: (client, packet, done) => {
        inner.authorizePublish(client, packet, (err) => {
          if (err || !client || !packet.retain) {
            done(err);
            return;
          }
          done(this.#admitRetained(client.id, packet));
        });
      },
    };
  }

  #admitFilter(client: Client, sub: Subscription): boolean {
    let held = this.#filters.get(client);
    if (!held) {
      held = new Set();
      this.#filters.set(client, held);
    }
    if (held.has(sub.topic) || held.size < this.#limits.maxSubscriptionsPerClient) {
      held.add(sub.topic);
      this.#granted.add(sub);
      return true;
    }
    this.#counts.subscriptions++;
    return false;
  }

  #admitRetained(owner: string, packet: Publish): Error | null {
    const topic = packet.topic;
    const previous = this.#retained.get(topic);
    const payloadBytes = Buffer.byteLength(packet.payload);
    // [MQTT-3.3.1-10] an empty payload removes the retained message: always allowed.
    if (payloadBytes === 0) {
      if (previous) this.#releaseRetained(topic, previous);
      return null;
    }
    const bytes = size(topic, packet.payload);
    const mine = this.#retainedBy.get(owner) ?? { count: 0, bytes: 0 };
    const same = previous?.owner === owner;
    const count = mine.count + (same ? 0 : 1);
    const ownBytes = mine.bytes + bytes - (same ? previous.bytes : 0);
    const total = this.#retained.size + (previous ? 0 : 1);
    const totalBytes = this.#retainedBytes + bytes - (previous?.bytes ?? 0);
    const l = this.#limits;
    if (
      count > l.maxRetainedPerClient ||
      ownBytes > l.maxRetainedBytesPerClient ||
      total > l.maxRetainedTotal ||
      totalBytes > l.maxRetainedBytesTotal
    ) {
      this.#counts.retained++;
      // [MQTT-3.3.1-5] a server must keep a retained message it accepts, and 3.1.1 has no way
      // to refuse one: the connection is closed, as for any PUBLISH the server will not take.
      return new Error('retained message limit reached');
    }
    if (previous) this.#releaseRetained(topic, previous);
    this.#retained.set(topic, { owner, bytes });
    mine.count++;
    mine.bytes += bytes;
    this.#retainedBy.set(owner, mine);
    this.#retainedBytes += bytes;
    return null;
  }

  #releaseRetained(topic: string, held: { owner: string; bytes: number }): void {
    this.#retained.delete(topic);
    this.#retainedBytes -= held.bytes;
    const by = this.#retainedBy.get(held.owner);
    if (!by) return;
    by.count--;
    by.bytes -= held.bytes;
    if (by.count === 0) this.#retainedBy.delete(held.owner);
  }

  /**
   * Checks a client once it is authenticated: a new persistent session past `maxSessions` is
   * refused with CONNACK 0x03 "server unavailable" (§3.2.2.3: the broker cannot serve it now).
   * A returning session gets back the count of QoS 2 messages it left unreleased.
   */
  admitSession(client: Client): ReturnType<typeof refused> | null {
    const c = client as unknown as ClientInternals;
    const id = client.id;
    if (c.clean) {
      // A clean session discards the previous one [MQTT-3.1.2-6].
      this.#sessions.delete(id);
      return null;
    }
    if (!this.#sessions.has(id) && this.#sessions.size >= this.#limits.maxSessions) {
      this.#counts.sessions++;
      return refused('too many persistent sessions', 3);
    }
    this.#sessions.add(id);
    const unreleased = this.#unreleased.get(id);
    if (unreleased) for (const messageId of unreleased) c._inboundInflight.add(messageId);
    return null;
  }

  /**
   * Installs the counting around Aedes' broker and its persistence; `countQueues: false` leaves
   * session queues uncounted (a store shared with other brokers, whose deliveries it never sees).
   */
  install(aedes: Aedes, { countQueues = true }: { countQueues?: boolean } = {}): void {
    aedes.on('unsubscribe', (topics, client) => {
      const held = this.#filters.get(client);
      if (held) for (const t of topics) held.delete(t);
    });
    aedes.on('clientDisconnect', (client) => this.#skipped.delete(client.id));
    aedes.on('clientError', (_client, err) => {
      if (err.message.startsWith('maxInflightInbound')) this.#counts.inflight++;
    });
    const store = (aedes as unknown as { persistence: Store }).persistence;
    for (const name of [
      'addSubscriptions',
      'outgoingEnqueue',
      'outgoingEnqueueCombi',
      'outgoingUpdate',
      'outgoingClearMessageId',
      'incomingStorePacket',
      'incomingDelPacket',
      'cleanIncoming',
    ] as const) {
      if (typeof store[name] !== 'function') {
        throw new Error(`aedes-persistence has no ${name}(): update server/broker/quotas.ts`);
      }
    }
    this.#countSubscriptions(store);
    if (countQueues) this.#countQueues(aedes, store);
    this.#countUnreleased(store);
  }

  // Aedes 1.2 stores, for each filter it grants, the whole SUBSCRIBE (refused filters too, and
  // once per granted filter): only granted filters are stored here, each once.
  #countSubscriptions(store: Store): void {
    const add = store.addSubscriptions.bind(store);
    store.addSubscriptions = (client, subs) => {
      const fresh = subs.filter((s) => this.#granted.has(s) && !this.#stored.has(s));
      for (const s of fresh) this.#stored.add(s);
      return fresh.length > 0 ? add(client, fresh) : Promise.resolve();
    };
  }

  #countQueues(aedes: Aedes, store: Store): void {
    const l = this.#limits;
    const clients = (aedes as unknown as { clients: Record<string, unknown> }).clients;
    const admit = (clientId: string, packet: QueuedPacket): boolean => {
      let q = this.#queues.get(clientId);
      const key = keyOf(packet);
      // Two of the client's filters matched: Aedes queues the message for each (one entry).
      if (q?.sizes.has(key)) return true;
      const bytes = size(packet.topic ?? '', packet.payload);
      // As Mosquitto does, an empty queue takes one message however large, within the total.
      const fits =
        this.#queuedBytes + bytes <= l.maxQueuedBytesTotal &&
        (!q ||
          q.sizes.size === 0 ||
          (q.sizes.size < l.maxQueuedPerSession && q.bytes + bytes <= l.maxQueuedBytesPerSession));
      if (!fits) {
        this.#counts.queued++;
        // A connected client is still sent the message; it is only not kept for it.
        if (clients[clientId]) {
          let skipped = this.#skipped.get(clientId);
          if (!skipped) this.#skipped.set(clientId, (skipped = new Set()));
          skipped.add(key);
        }
        return false;
      }
      if (!q) this.#queues.set(clientId, (q = { sizes: new Map(), ids: new Map(), bytes: 0 }));
      q.sizes.set(key, bytes);
      q.bytes += bytes;
      this.#queuedBytes += bytes;
      return true;
    };
    const enqueue = store.outgoingEnqueue.bind(store);
    const enqueueCombi = store.outgoingEnqueueCombi.bind(store);
    const update = store.outgoingUpdate.bind(store);
    const clear = store.outgoingClearMessageId.bind(store);
    store.outgoingEnqueue = (sub, packet) =>
      admit(sub.clientId, packet) ? enqueue(sub, packet) : Promise.resolve();
    store.outgoingEnqueueCombi = (subs, packet) =>
      enqueueCombi(
        subs.filter((s) => admit(s.clientId, packet)),
        packet,
      );
    store.outgoingUpdate = (client, packet) => {
      const skipped = this.#skipped.get(client.id);
      if (packet.cmd === 'publish' && skipped?.delete(keyOf(packet))) return Promise.resolve();
      const q = this.#queues.get(client.id);
      if (q && packet.cmd === 'publish' && packet.messageId !== undefined) {
        q.ids.set(packet.messageId, keyOf(packet));
      }
      return update(client, packet);
    };
    store.outgoingClearMessageId = async (client, packet) => {
      const found = await clear(client, packet);
      const q = this.#queues.get(client.id);
      const key = packet.messageId === undefined ? undefined : q?.ids.get(packet.messageId);
      if (found && q && key !== undefined) {
        q.ids.delete(packet.messageId!);
        const bytes = q.sizes.get(key) ?? 0;
        q.sizes.delete(key);
        q.bytes -= bytes;
        this.#queuedBytes -= bytes;
        if (q.sizes.size === 0) this.#queues.delete(client.id);
      }
      return found;
    };
  }

  // An unreleased QoS 2 message only has to be recognised again (Aedes 1.2 delivers it on
  // PUBLISH and answers a repeat with PUBREC alone), so its payload is not kept.
  #countUnreleased(store: Store): void {
    const put = store.incomingStorePacket.bind(store);
    const del = store.incomingDelPacket.bind(store);
    const clean = store.cleanIncoming.bind(store);
    store.incomingStorePacket = (client, packet) => {
      let held = this.#unreleased.get(client.id);
      if (!held) this.#unreleased.set(client.id, (held = new Set()));
      held.add(packet.messageId!);
      return put(client, { ...packet, payload: Buffer.alloc(0) });
    };
    store.incomingDelPacket = async (client, packet) => {
      await del(client, packet);
      const held = this.#unreleased.get(client.id);
      held?.delete(packet.messageId!);
      if (held?.size === 0) this.#unreleased.delete(client.id);
    };
    store.cleanIncoming = (client) => {
      this.#unreleased.delete(client.id);
      return clean(client);
    };
  }
}
