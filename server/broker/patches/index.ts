import net from 'node:net';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Aedes, AedesOptions, Client } from 'aedes';
import { Writable } from 'node:stream';
import mqttPacket from 'mqtt-packet';
import {
  checkProtocol,
  continuePacketIds,
  deliverAtHighestQos,
  hideDollarTopicsFromWildcards,
  keepReleasesApart,
} from '../conformance.ts';
import { capOutgoing, DEFAULT_LIMITS, type BrokerLimits } from '../limits.ts';
import { PacketFramer, type IncomingPacket, type ScanResult } from '../ingress.ts';
import { OverloadGuard } from '../overload.ts';
import { ReadGovernor } from '../read-governor.ts';
import type { BrokerQuotas } from '../quotas.ts';
import { newLimitCounts } from '../stats.ts';
import type { BrokerLimitCounts } from '../../../src/lib/wire/mqtt-stats.ts';
import { streamOfClient, writeCommonPacketsWhole } from '../encode.ts';
import { guardDispatchRecursion } from '../crash-guard.ts';
import { batchWrites } from '../write-batching.ts';
import { fastQos0Delivery } from '../fast-delivery.ts';
import { assertCheckedVersions } from './internals.ts';

/** Why a connection is ended from outside Aedes. */
export type RejectReason = 'too-large' | 'malformed' | 'too-many-filters' | 'slow';

/** How one connection is watched; the defaults suit a plain stream such as a TCP socket. */
export interface ConnectionOptions {
  /** Bytes written to the client and not yet sent; default: what the stream holds. */
  queued?: () => number;
  /** Ends the connection for `why`; default: destroy the stream. */
  reject?: (why: RejectReason) => void;
  /** Gather a turn's writes into one (default: for TCP sockets only, where it was measured). */
  batchWrites?: boolean;
}

/** A broker after `applyBrokerPatches`: `handle` takes the connection's options too. */
export type PatchedAedes = Omit<Aedes, 'handle'> & {
  handle(conn: Duplex, req?: IncomingMessage, opts?: ConnectionOptions): Client;
  /** The bounded delivery queue (overload.ts). */
  deliveryQueue: OverloadGuard;
  /** Takes turns between publishing connections (read-governor.ts). */
  readGovernor: ReadGovernor;
};

/** What the patches need from the lab. */
export interface BrokerPatchOptions {
  /**
   * The broker's emitter and persistence are shared through Redis (mqemitter-redis,
   * aedes-persistence-redis): the patches written against the memory store's matching and
   * against counts one process can keep are left out (README: Deployment, broker patches).
   */
  shared?: boolean;
  limits: Pick<BrokerLimits, 'maxPacketBytes' | 'maxOutgoingBytes'> &
    Partial<
      Pick<BrokerLimits, 'maxFiltersPerSubscribe' | 'maxDeliveryQueue' | 'maxPublishesPerTurn'>
    >;
  /** Where the limits count their answers (`$SYS/lab/stats`). */
  counts?: BrokerLimitCounts;
  /**
   * The caps on stored state, whose counting wraps the persistence. Only with their
   * authorize hooks (quotas.wrapHooks), which the lab sets and Aedes' own tests replace.
   */
  quotas?: BrokerQuotas;
  /** Called once per PUBLISH sent to a client. */
  onDeliver?: () => void;
  /** Called when a client is cut off for reading too slowly. */
  onSlowDisconnect?: () => void;
}

// Aedes 1.2.0 internals used to watch a client's incoming bytes before its parser sees them.
interface ParserInternals {
  _parser?: {
    parse: (buf: Buffer) => unknown;
    emit: (event: 'packet', packet: IncomingPacket) => boolean;
    error: Error | null;
  };
  version: number | null;
  _parsingBatch: number;
  _paused?: boolean;
  _nextBatch: () => void;
}

type Hooks = Required<Pick<AedesOptions, 'preConnect' | 'authenticate'>>;

/**
 * Puts `wrap` around one of the broker's hooks, also around a hook assigned later (Aedes reads
 * `broker.authenticate` at each CONNECT, and Aedes' own tests assign their hooks after start),
 * so the lab's step always runs. Wrapping twice nests: the first wrapper stays innermost.
 */
export function wrapHook<K extends keyof Hooks>(
  aedes: Aedes,
  name: K,
  wrap: (inner: Hooks[K]) => Hooks[K],
): void {
  const target = aedes as unknown as Record<K, Hooks[K]>;
  const previous = Object.getOwnPropertyDescriptor(aedes, name);
  let value = target[name];
  const read = (): Hooks[K] => (previous?.get ? (previous.get.call(aedes) as Hooks[K]) : value);
  let inner: Hooks[K] | undefined;
  let wrapped: Hooks[K] | undefined;
  Object.defineProperty(aedes, name, {
    configurable: true,
    enumerable: true,
    get: () => {
      const current = read();
      if (current !== inner || !wrapped) {
        inner = current;
        wrapped = wrap(current);
      }
      return wrapped;
    },
    set: (hook: Hooks[K]) => {
      if (previous?.set) previous.set.call(aedes, hook);
      else value = hook;
    },
  });
}

/**
 * The one place where the lab changes Aedes, aedes-persistence, mqemitter, mqtt-packet and
 * socket internals at run time (the list, with the versions checked: ./internals.ts).
 *
 * Fails at once unless the installed packages are exactly the checked versions. Then patches
 * the process (mqtt-packet's `writeToStream`), the broker (session packet ids, PUBREL keys,
 * the dispatch depth guard), and replaces `aedes.handle`, so every connection, whoever hands
 * it to Aedes (the lab's listeners or Aedes' own tests), gets the size-guarding framer, the
 * outgoing cap, write batching on TCP, the QoS 0 fast path and the highest-granted-QoS
 * delivery. Call once per broker, before it handles any connection.
 */
export function applyBrokerPatches(aedes: Aedes, opts: BrokerPatchOptions): PatchedAedes {
  assertCheckedVersions();
  writeCommonPacketsWhole();
  // mqtt-packet fills a cache of 65,536 two-byte buffers the first time it writes a packet
  // (~140 ms here): paid at start-up rather than in the middle of the first client's CONNECT.
  mqttPacket.writeToStream({ cmd: 'pingresp' }, new Writable({ write: (_c, _e, cb) => cb() }));
  const broker = aedes as unknown as PatchedAedes;
  const { limits } = opts;
  const counts = opts.counts ?? newLimitCounts();
  const maxFilters = limits.maxFiltersPerSubscribe ?? DEFAULT_LIMITS.maxFiltersPerSubscribe;
  const onDeliver = opts.onDeliver ?? (() => {});

  // The packet-id continuation must run once the client id is known and before the session's
  // queue is replayed: at authentication. Hooks assigned later (tests do) are wrapped too.
  const resumeIds = continuePacketIds(aedes);
  wrapHook(aedes, 'authenticate', (inner) => (client, user, pass, done) => {
    resumeIds(client);
    inner.call(aedes, client, user, pass, done);
  });
  // The Redis store finds a PUBREL's entry by its packet identifier itself (its message-id
  // cache); the key this patch gives a PUBREL names no entry there.
  if (!opts.shared) keepReleasesApart(aedes);
  hideDollarTopicsFromWildcards(aedes);
  // Queue counts kept by one instance would only grow when another instance delivers what
  // this one queued, until every session looked full: queues are not counted when shared.
  opts.quotas?.install(aedes, { countQueues: !opts.shared });
  guardDispatchRecursion(aedes);
  const guard = new OverloadGuard(
    aedes,
    limits.maxDeliveryQueue ?? DEFAULT_LIMITS.maxDeliveryQueue,
    counts,
  );
  broker.deliveryQueue = guard;
  const governor = new ReadGovernor(
    limits.maxPublishesPerTurn ?? DEFAULT_LIMITS.maxPublishesPerTurn,
  );
  broker.readGovernor = governor;

  // Aedes' own, captured before it is replaced below.
  const original = aedes.handle;
  const handle = (conn: Duplex, req?: IncomingMessage): Client => original.call(aedes, conn, req);
  broker.handle = (conn: Duplex, req?: IncomingMessage, conOpts: ConnectionOptions = {}) => {
    const batch = conOpts.batchWrites ?? conn instanceof net.Socket;
    const gathered = batch ? batchWrites(conn) : () => 0;
    const queued = conOpts.queued ?? (() => conn.writableLength + gathered());
    const reject = conOpts.reject ?? (() => conn.destroy());
    capOutgoing(conn, limits.maxOutgoingBytes, queued, () => {
      opts.onSlowDisconnect?.();
      reject('slow');
    });
    const client = handle(conn, req) as Client & ParserInternals;
    // The CONNACK of an MQTT 3.1 client leaves out Session Present (encode.ts).
    streamOfClient(conn, client);
    const parser = client._parser;
    if (!parser)
      throw new Error('Aedes client has no _parser: see server/broker/patches/internals.ts');
    if (typeof client._nextBatch !== 'function' || typeof client._parsingBatch !== 'number') {
      throw new Error('Aedes client has no _nextBatch: see server/broker/patches/internals.ts');
    }
    const parse = parser.parse.bind(parser);
    // PUBLISH packets handed over since this connection last had its turn, and why it last
    // stopped: its quantum was used ('turn', read-governor.ts) or the delivery queue is full.
    let handed = 0;
    let resuming = false;
    let why: 'turn' | 'queue' = 'queue';
    const framer = new PacketFramer(
      limits.maxPacketBytes,
      {
        decodeCommon: () => client.version === 3 || client.version === 4,
        // What mqtt-packet does with a packet it has parsed: Aedes listens for it there.
        packet: (packet) => parser.emit('packet', packet),
        other: (bytes) => {
          parse(bytes);
          return !parser.error;
        },
        open: () => !conn.destroyed,
        wait: (publish) => {
          if (publish.qos === 0 && !publish.retain) {
            // Shed below instead, at the cost of its framing only: not counted as a turn.
            if (guard.busy()) return false;
          } else if (guard.busy(client._parsingBatch)) {
            // A QoS 1/2 message reaches the queue only once its PUBACK is written or it is
            // stored, so the ones this connection has in progress (Aedes counts them) count
            // as queued already.
            why = 'queue';
            return true;
          }
          if (++handed <= governor.quantum) return false;
          why = 'turn';
          return true;
        },
        // Dropped here, a QoS 0 message costs its framing only, so the broker keeps reading
        // at wire speed and no backlog builds up in the publishers' sockets.
        shed: (publish) => publish.qos === 0 && !publish.retain && guard.shed(),
      },
      maxFilters,
    );
    const hold = (resume: () => void, again: boolean): void => {
      if (why === 'turn') governor.hold(resume);
      else guard.hold(resume, again);
    };
    const verdict = (v: ScanResult): void => {
      if (v === 'paused') {
        // Aedes reads the socket again once every packet it was handed is done: one more
        // "packet in progress" keeps it from reading until this one may go on.
        client._parsingBatch++;
        const resume = (): void => {
          if (conn.destroyed) return;
          handed = 0;
          // What Aedes reads next, in the same turn, is part of this turn's quantum.
          resuming = true;
          try {
            const next = framer.resume();
            if (next === 'paused') hold(resume, true);
            else if (next !== 'ok') verdict(next);
            else if (client._paused) client._parsingBatch--;
            else client._nextBatch();
          } finally {
            resuming = false;
          }
        };
        hold(resume, false);
      } else if (v === 'too-many-filters') {
        // More filters than one SUBSCRIBE may carry: refused before any is parsed, since
        // Aedes takes ~100 ms per 10,000 filters in one turn. MQTT 3.1.1 has no SUBACK for
        // a whole packet, so the connection is closed, as for other packets it refuses.
        counts.subscriptions++;
        reject(v);
      } else if (v !== 'ok') reject(v);
    };
    // Aedes reads the socket at every 'readable' event, even while a packet it was handed is
    // still in progress: while the framer holds a PUBLISH back, that read would pile the
    // connection's later bytes up in memory (1.1 GB in the overload bench) instead of leaving
    // them in the socket, where TCP pushes back on the publisher. `resume` reads them.
    // (Not there when Aedes has already closed the client, on a stream that was closed.)
    if (conn.listeners('readable').includes(client._nextBatch)) {
      conn.removeListener('readable', client._nextBatch);
      conn.on('readable', () => {
        if (!framer.paused) client._nextBatch();
      });
    }
    // Whatever the socket sent before its CONNECT showed the protocol (at most 14 bytes).
    let head: Buffer | null = Buffer.alloc(0);
    parser.parse = (buf: Buffer) => {
      if (head) {
        head = Buffer.concat([head, buf]);
        const protocol = checkProtocol(head);
        if (protocol === 'more') return 0;
        if (protocol === 'unsupported') {
          head = null;
          counts.protocol++;
          // [MQTT-3.1.2-2] CONNACK 0x01 "unacceptable protocol level", then close; reported
          // as Aedes reports its own refusal of a level (connect.js), once it is written.
          conn.write(Buffer.from([0x20, 0x02, 0x00, 0x01]));
          setImmediate(() => {
            aedes.emit('connectionError', client, new Error('unacceptable protocol version'));
            conn.end();
          });
          setTimeout(() => conn.destroy(), 1000).unref();
          return 0;
        }
        buf = head;
        head = null;
      }
      // A fresh read starts a fresh quantum.
      if (!resuming) handed = 0;
      verdict(framer.feed(buf));
      return 0;
    };
    // Before deliverAtHighestQos, which hands QoS 0 messages to the client's deliver0.
    fastQos0Delivery(client);
    deliverAtHighestQos(client, onDeliver);
    return client;
  };
  return broker;
}
