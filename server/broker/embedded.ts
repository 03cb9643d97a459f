import net from 'node:net';
import type { IncomingMessage } from 'node:http';
import { Writable, type Duplex } from 'node:stream';
import mqttPacket from 'mqtt-packet';
import { Aedes, type AedesOptions, type Client } from 'aedes';
import { WebSocketServer, type WebSocket } from 'ws';
import type { UpgradeRouter } from '../upgrade.ts';
import type { Gauges } from '../gauges.ts';
import { mqttWebSocketStream } from './ws-stream.ts';
import { MQTT_WS_PATH } from '../../src/lib/wire/health.ts';
import { brokerUsers, type BrokerUser } from './users.ts';
import { createAcl } from './acl.ts';
import {
  checkProtocol,
  continuePacketIds,
  deliverAtHighestQos,
  hideDollarTopicsFromWildcards,
  keepReleasesApart,
  rejectEmptyIdWithSession,
} from './conformance.ts';
import { BrokerQuotas } from './quotas.ts';
import { OverloadGuard } from './overload.ts';
import { capOutgoing, DEFAULT_LIMITS, type BrokerLimits } from './limits.ts';
import { PacketFramer, type IncomingPacket, type ScanResult } from './ingress.ts';
import { writeCommonPacketsWhole } from './encode.ts';
import { containBrokerErrors, guardDispatchRecursion } from './crash-guard.ts';
import { BrokerStatsPublisher, newLimitCounts } from './stats.ts';
import { batchWrites } from './write-batching.ts';
import { fastQos0Delivery } from './fast-delivery.ts';

/** Options for the embedded broker. */
export interface EmbeddedBrokerOptions {
  /** MQTT/TCP port; 0 picks a free one. */
  mqttPort: number;
  host: string;
  router: UpgradeRouter;
  gauges: Gauges;
  /** Accounts allowed to publish device topics; default: `brokerUsers()` from the environment. */
  users?: readonly BrokerUser[];
  /** Overrides of the protective limits (tests use small ones). */
  limits?: Partial<BrokerLimits>;
  /** How often `$SYS/lab/stats` is published (ms). */
  statsIntervalMs?: number;
  /** Where broker-level problems are reported. */
  log?: (msg: string) => void;
}

/** A running embedded broker. */
export interface EmbeddedBroker {
  aedes: Aedes;
  /** The MQTT/TCP port actually bound. */
  tcpPort: number;
  limits: BrokerLimits;
  stats: BrokerStatsPublisher;
  close(): Promise<void>;
}

// MQTT over WebSocket: the client offers the subprotocol "mqtt" ([MQTT-6.0.0-3], MQTT 5 §6);
// "mqttv3.1" is what some old 3.1 clients send.
const SUBPROTOCOLS = ['mqtt', 'mqttv3.1'];

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

/** Starts Aedes with an MQTT/TCP listener and the `/mqtt` WebSocket endpoint. */
export async function startEmbeddedBroker(opts: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const limits: BrokerLimits = { ...DEFAULT_LIMITS, ...opts.limits };
  writeCommonPacketsWhole();
  // mqtt-packet fills a cache of 65,536 two-byte buffers the first time it writes a packet
  // (~140 ms here): paid at start-up rather than in the middle of the first client's CONNECT.
  mqttPacket.writeToStream({ cmd: 'pingresp' }, new Writable({ write: (_c, _e, cb) => cb() }));
  const log = opts.log ?? ((msg: string) => process.stderr.write(`${msg}\n`));
  const counts = newLimitCounts();
  const acl = createAcl(opts.users ?? brokerUsers(), () => counts.identities++);
  const quotas = new BrokerQuotas(limits, counts);
  let resumeIds: (client: Client) => void = () => {};
  const authenticate: NonNullable<AedesOptions['authenticate']> = (client, user, pass, done) => {
    resumeIds(client);
    acl.hooks.authenticate(client, user, pass, (err, ok) => {
      const refused = !err && ok ? quotas.admitSession(client) : null;
      if (refused) done(refused, false);
      else done(err, ok);
    });
  };
  const aedes = await Aedes.createBroker({
    // Sockets that never send CONNECT are dropped ([MQTT-3.1.0-1] expects CONNECT first).
    connectTimeout: limits.connectTimeoutMs,
    maxTopicLevels: limits.maxTopicLevels,
    maxInflightInbound: limits.maxInflightInbound,
    // A backstop only: capOutgoing answers writes before Aedes ever waits this long.
    drainTimeout: 10_000,
    ...quotas.wrapHooks(acl.hooks),
    authorizeForward: acl.hooks.authorizeForward,
    ...rejectEmptyIdWithSession(authenticate),
  });
  resumeIds = continuePacketIds(aedes);
  keepReleasesApart(aedes);
  hideDollarTopicsFromWildcards(aedes);
  quotas.install(aedes);
  containBrokerErrors(aedes, log);
  guardDispatchRecursion(aedes);
  const guard = new OverloadGuard(aedes, limits.maxDeliveryQueue, counts);
  const stats = new BrokerStatsPublisher(aedes, opts.statsIntervalMs ?? 2000, counts);
  stats.queueLength = () => guard.length;

  /** Hands a connection to Aedes with the size guard and the outgoing cap around it. */
  const handle = (
    conn: Duplex,
    req: IncomingMessage | undefined,
    queued: () => number,
    reject: (why: 'too-large' | 'malformed' | 'too-many-filters' | 'slow') => void,
  ): void => {
    // Whatever the socket sent before its CONNECT showed the protocol (at most 14 bytes).
    let head: Buffer | null = Buffer.alloc(0);
    capOutgoing(conn, limits.maxOutgoingBytes, queued, () => {
      stats.slowDisconnects++;
      reject('slow');
    });
    const client = aedes.handle(conn, req) as Client & ParserInternals;
    const parser = client._parser;
    if (!parser) throw new Error('Aedes client has no _parser: update server/broker/embedded.ts');
    if (typeof client._nextBatch !== 'function' || typeof client._parsingBatch !== 'number') {
      throw new Error('Aedes client has no _nextBatch: update server/broker/embedded.ts');
    }
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
      // QoS 0 messages are shed by the guard instead; the others wait for room. A QoS 1/2
      // message reaches the queue only once its PUBACK is written or it is stored, so the
      // ones this connection has in progress (Aedes counts them) count as queued already.
      wait: (publish) =>
        (publish.qos > 0 || publish.retain) && guard.busy(client._parsingBatch),
    }, limits.maxFiltersPerSubscribe);
    const verdict = (v: ScanResult): void => {
      if (v === 'paused') {
        // Aedes reads the socket again once every packet it was handed is done: one more
        // "packet in progress" keeps it from reading until the guard lets this one go on.
        client._parsingBatch++;
        const resume = (): void => {
          if (conn.destroyed) return;
          const next = framer.resume();
          if (next === 'paused') guard.hold(resume, true);
          else if (next !== 'ok') verdict(next);
          else if (client._paused) client._parsingBatch--;
          else client._nextBatch();
        };
        guard.hold(resume);
      } else if (v === 'too-many-filters') {
        // More filters than one SUBSCRIBE may carry: refused before any is parsed, since
        // Aedes takes ~100 ms per 10,000 filters in one turn. MQTT 3.1.1 has no SUBACK for
        // a whole packet, so the connection is closed, as for other packets it refuses.
        counts.subscriptions++;
        reject(v);
      } else if (v !== 'ok') reject(v);
    };
    parser.parse = (buf: Buffer) => {
      if (head) {
        head = Buffer.concat([head, buf]);
        const protocol = checkProtocol(head);
        if (protocol === 'more') return 0;
        if (protocol === 'unsupported') {
          head = null;
          counts.protocol++;
          // [MQTT-3.1.2-2] CONNACK 0x01 "unacceptable protocol level", then close.
          conn.end(Buffer.from([0x20, 0x02, 0x00, 0x01]));
          setTimeout(() => conn.destroy(), 1000).unref();
          return 0;
        }
        buf = head;
        head = null;
      }
      verdict(framer.feed(buf));
      return 0;
    };
    // Before deliverAtHighestQos, which hands QoS 0 messages to the client's deliver0.
    fastQos0Delivery(client);
    deliverAtHighestQos(client, () => stats.countOut());
  };

  const tcpSockets = new Set<net.Socket>();
  const wsSockets = new Set<WebSocket>();

  // Nagle's algorithm would hold small MQTT packets back for up to ~40 ms.
  const tcp = net.createServer({ noDelay: true }, (socket) => {
    tcpSockets.add(socket);
    // TCP only, where it was measured; over WebSocket the stream already gathers what is
    // written while a frame is in flight into the next frame (ws-stream.ts).
    const gathered = batchWrites(socket);
    socket.on('close', () => tcpSockets.delete(socket));
    socket.on('error', () => socket.destroy());
    handle(
      socket,
      undefined,
      () => socket.writableLength + gathered(),
      () => socket.destroy(),
    );
  });

  const wss = new WebSocketServer({
    noServer: true,
    // One frame can never exceed the largest packet; close 1009 past it (RFC 6455 §7.4.1).
    maxPayload: limits.maxPacketBytes,
    perMessageDeflate: false,
    handleProtocols: (offered) => SUBPROTOCOLS.find((p) => offered.has(p)) ?? false,
  });
  wss.on('connection', (socket: WebSocket, req: IncomingMessage) => {
    wsSockets.add(socket);
    socket.on('close', () => wsSockets.delete(socket));
    const stream = mqttWebSocketStream(socket);
    stream.on('error', () => stream.destroy());
    handle(
      stream,
      req,
      () => stream.writableLength + socket.bufferedAmount,
      (why) => {
        // A packet that spans frames is still one MQTT packet: the same 1009 "message too big"
        // (RFC 6455 §7.4.1) as a single oversized frame; 1002 for bytes that are not MQTT.
        if (why === 'too-large') socket.close(1009, 'MQTT packet too large');
        else if (why === 'malformed') socket.close(1002, 'malformed MQTT packet');
        else if (why === 'too-many-filters') socket.close(1008, 'too many topic filters');
        else socket.terminate();
        // Close politely but never wait on a peer that does not answer.
        setTimeout(() => socket.terminate(), 1000).unref();
      },
    );
  });
  opts.router.route(MQTT_WS_PATH, (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  await new Promise<void>((resolve, reject) => {
    tcp.once('error', reject);
    tcp.listen(opts.mqttPort, opts.host, () => {
      tcp.off('error', reject);
      resolve();
    });
  });
  const address = tcp.address();
  const tcpPort = typeof address === 'object' && address ? address.port : opts.mqttPort;

  opts.gauges.register('mqttTcp', () => tcpSockets.size);
  opts.gauges.register('mqttWs', () => wsSockets.size);

  return {
    aedes,
    tcpPort,
    limits,
    stats,
    async close() {
      stats.close();
      guard.close();
      opts.router.unroute(MQTT_WS_PATH);
      const tcpClosed = new Promise<void>((resolve) => tcp.close(() => resolve()));
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      for (const s of tcpSockets) s.destroy();
      for (const ws of wsSockets) ws.terminate();
      wss.close();
      await tcpClosed;
    },
  };
}
