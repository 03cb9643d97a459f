import net from 'node:net';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Aedes, AedesOptions, Client } from 'aedes';
import { continuePacketIds, deliverAtHighestQos, keepReleasesApart } from '../conformance.ts';
import { capOutgoing, type BrokerLimits } from '../limits.ts';
import { PacketFramer, type IncomingPacket } from '../ingress.ts';
import { writeCommonPacketsWhole } from '../encode.ts';
import { guardDispatchRecursion } from '../crash-guard.ts';
import { batchWrites } from '../write-batching.ts';
import { fastQos0Delivery } from '../fast-delivery.ts';
import { assertCheckedVersions } from './internals.ts';

/** Why a connection is ended from outside Aedes. */
export type RejectReason = 'too-large' | 'malformed' | 'slow';

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
};

/** What the patches need from the lab. */
export interface BrokerPatchOptions {
  limits: Pick<BrokerLimits, 'maxPacketBytes' | 'maxOutgoingBytes'>;
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
  const broker = aedes as unknown as PatchedAedes;
  const { limits } = opts;
  const onDeliver = opts.onDeliver ?? (() => {});

  // The packet-id continuation must run once the client id is known and before the session's
  // queue is replayed: at authentication. Hooks assigned later (tests do) are wrapped too.
  const resumeIds = continuePacketIds(aedes);
  wrapHook(aedes, 'authenticate', (inner) => (client, user, pass, done) => {
    resumeIds(client);
    inner.call(aedes, client, user, pass, done);
  });
  keepReleasesApart(aedes);
  guardDispatchRecursion(aedes);

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
    const parser = client._parser;
    if (!parser)
      throw new Error('Aedes client has no _parser: see server/broker/patches/internals.ts');
    const parse = parser.parse.bind(parser);
    const framer = new PacketFramer(limits.maxPacketBytes, {
      decodeCommon: () => client.version === 3 || client.version === 4,
      // What mqtt-packet does with a packet it has parsed: Aedes listens for it there.
      packet: (packet) => parser.emit('packet', packet),
      other: (bytes) => {
        parse(bytes);
        return !parser.error;
      },
      open: () => !conn.destroyed,
    });
    parser.parse = (buf: Buffer) => {
      const verdict = framer.feed(buf);
      if (verdict !== 'ok') reject(verdict);
      return 0;
    };
    // Before deliverAtHighestQos, which hands QoS 0 messages to the client's deliver0.
    fastQos0Delivery(client);
    deliverAtHighestQos(client, onDeliver);
    return client;
  };
  return broker;
}
