import net from 'node:net';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { Aedes, type AedesOptions, type Client } from 'aedes';
import { WebSocketServer, type WebSocket } from 'ws';
import type { UpgradeRouter } from '../upgrade.ts';
import type { Gauges } from '../gauges.ts';
import { mqttWebSocketStream } from './ws-stream.ts';
import { MQTT_WS_PATH } from '../../src/lib/wire/health.ts';
import { brokerUsers, type BrokerUser } from './users.ts';
import { createAcl } from './acl.ts';
import {
  continuePacketIds,
  deliverAtHighestQos,
  keepReleasesApart,
  rejectEmptyIdWithSession,
} from './conformance.ts';
import { capOutgoing, DEFAULT_LIMITS, type BrokerLimits } from './limits.ts';
import { PacketFramer, type IncomingPacket } from './ingress.ts';
import { writeCommonPacketsWhole } from './encode.ts';
import { containBrokerErrors, guardDispatchRecursion } from './crash-guard.ts';
import { BrokerStatsPublisher } from './stats.ts';
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
  /**
   * Cuts every client's connection without DISCONNECT, as a network failure would: the broker
   * publishes each will ([MQTT-3.1.2-8]) and persistent sessions wait for their clients
   * ([MQTT-3.1.2-4]). Returns how many connections were cut.
   */
  dropClients(): number;
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
}

/** Starts Aedes with an MQTT/TCP listener and the `/mqtt` WebSocket endpoint. */
export async function startEmbeddedBroker(opts: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const limits: BrokerLimits = { ...DEFAULT_LIMITS, ...opts.limits };
  writeCommonPacketsWhole();
  const log = opts.log ?? ((msg: string) => process.stderr.write(`${msg}\n`));
  const acl = createAcl(opts.users ?? brokerUsers());
  let resumeIds: (client: Client) => void = () => {};
  const authenticate: NonNullable<AedesOptions['authenticate']> = (client, user, pass, done) => {
    resumeIds(client);
    acl.hooks.authenticate!(client, user, pass, done);
  };
  const aedes = await Aedes.createBroker({
    // Sockets that never send CONNECT are dropped ([MQTT-3.1.0-1] expects CONNECT first).
    connectTimeout: limits.connectTimeoutMs,
    maxTopicLevels: limits.maxTopicLevels,
    // A backstop only: capOutgoing answers writes before Aedes ever waits this long.
    drainTimeout: 10_000,
    authorizePublish: acl.hooks.authorizePublish!,
    authorizeSubscribe: acl.hooks.authorizeSubscribe!,
    ...rejectEmptyIdWithSession(authenticate),
  });
  resumeIds = continuePacketIds(aedes);
  keepReleasesApart(aedes);
  containBrokerErrors(aedes, log);
  guardDispatchRecursion(aedes);
  const stats = new BrokerStatsPublisher(aedes, opts.statsIntervalMs ?? 2000);

  /** Hands a connection to Aedes with the size guard and the outgoing cap around it. */
  const handle = (
    conn: Duplex,
    req: IncomingMessage | undefined,
    queued: () => number,
    reject: (why: 'too-large' | 'malformed' | 'slow') => void,
  ): void => {
    capOutgoing(conn, limits.maxOutgoingBytes, queued, () => {
      stats.slowDisconnects++;
      reject('slow');
    });
    const client = aedes.handle(conn, req) as Client & ParserInternals;
    const parser = client._parser;
    if (!parser) throw new Error('Aedes client has no _parser: update server/broker/embedded.ts');
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
    dropClients() {
      const n = tcpSockets.size + wsSockets.size;
      for (const s of [...tcpSockets]) s.destroy();
      for (const ws of [...wsSockets]) ws.terminate();
      return n;
    },
    async close() {
      stats.close();
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
