import net from 'node:net';
import type { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { Aedes, type AedesOptions } from 'aedes';
import { WebSocketServer, type WebSocket } from 'ws';
import type { UpgradeRouter } from '../upgrade.ts';
import type { Gauges } from '../gauges.ts';
import { mqttWebSocketStream } from './ws-stream.ts';
import { MQTT_WS_PATH } from '../../src/lib/wire/health.ts';
import { brokerUsers, type BrokerUser } from './users.ts';
import { createAcl } from './acl.ts';
import { RaceKeys } from './race-keys.ts';
import { rejectEmptyIdWithSession } from './conformance.ts';
import { DEFAULT_LIMITS, type BrokerLimits } from './limits.ts';
import { containBrokerErrors } from './crash-guard.ts';
import { applyBrokerPatches } from './patches/index.ts';
import { BrokerQuotas } from './quotas.ts';
import { BrokerStatsPublisher, newLimitCounts } from './stats.ts';
import type { SharedRedis } from '../redis/index.ts';

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
  /**
   * Shares subscriptions, retained messages and sessions with the other lab instances on this
   * Redis (mqemitter-redis and aedes-persistence-redis); absent, they stay in this process.
   */
  redis?: SharedRedis;
}

/** A running embedded broker. */
export interface EmbeddedBroker {
  aedes: Aedes;
  /** The MQTT/TCP port actually bound. */
  tcpPort: number;
  limits: BrokerLimits;
  stats: BrokerStatsPublisher;
  /** Per-race credentials the race API issues; the ACL keeps `race/<id>` to their holders. */
  raceKeys: RaceKeys;
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

/** The Aedes options the lab's limits set (Aedes' own tests run with them too). */
export function labAedesOptions(limits: BrokerLimits): AedesOptions {
  return {
    // Sockets that never send CONNECT are dropped ([MQTT-3.1.0-1] expects CONNECT first).
    connectTimeout: limits.connectTimeoutMs,
    maxTopicLevels: limits.maxTopicLevels,
    // Incoming QoS 2 messages awaiting PUBREL per connection (quotas.ts carries the count over
    // to the session's next connection).
    maxInflightInbound: limits.maxInflightInbound,
    // A backstop only: capOutgoing answers writes before Aedes ever waits this long.
    drainTimeout: 10_000,
  };
}

// A queued message for an offline session is kept this long (s) in Redis: the lab's per-session
// queue caps count per instance and cannot bound what other instances queue (README).
const SHARED_PACKET_TTL_S = 24 * 60 * 60;

/**
 * The message emitter and persistence of a broker shared through Redis. Loaded here, on demand,
 * so that a lab without `--redis-url` never loads them. Aedes' own suite runs on it too
 * (tests/upstream/aedes-as-lab.ts, LAB_AEDES_REDIS).
 */
export async function sharedBrokerState(
  redis: SharedRedis,
  log: (msg: string) => void,
): Promise<Pick<AedesOptions, 'mq' | 'persistence'>> {
  const [{ default: mqemitterRedis }, { default: persistenceRedis }] = await Promise.all([
    import('mqemitter-redis'),
    import('aedes-persistence-redis'),
  ]);
  const [subConn, pubConn, conn] = await Promise.all([
    redis.connection(),
    redis.connection(),
    redis.connection(),
  ]);
  const mq = mqemitterRedis({ subConn, pubConn });
  // mqemitter-redis re-emits connection errors on `state`; unheard, they would end the process.
  const state = (mq as unknown as { state: EventEmitter }).state;
  let reported = false;
  state.on('error', (err: Error) => {
    if (!reported) log(`broker: Redis emitter: ${err.message}`);
    reported = true;
  });
  state.on('pubConnect', () => (reported = false));
  const persistence = persistenceRedis({
    conn,
    packetTTL: () => SHARED_PACKET_TTL_S,
  });
  return { mq, persistence };
}

/** Starts Aedes with an MQTT/TCP listener and the `/mqtt` WebSocket endpoint. */
export async function startEmbeddedBroker(opts: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const limits: BrokerLimits = { ...DEFAULT_LIMITS, ...opts.limits };
  const log = opts.log ?? ((msg: string) => process.stderr.write(`${msg}\n`));
  const counts = newLimitCounts();
  const raceKeys = new RaceKeys();
  const acl = createAcl(opts.users ?? brokerUsers(), () => counts.identities++, raceKeys);
  const quotas = new BrokerQuotas(limits, counts);
  const authenticate: NonNullable<AedesOptions['authenticate']> = (client, user, pass, done) => {
    acl.hooks.authenticate(client, user, pass, (err, ok) => {
      const refused = !err && ok ? quotas.admitSession(client) : null;
      if (refused) done(refused, false);
      else done(err, ok);
    });
  };
  const created = await Aedes.createBroker({
    ...labAedesOptions(limits),
    ...(opts.redis ? await sharedBrokerState(opts.redis, log) : {}),
    ...quotas.wrapHooks(acl.hooks),
    authorizeForward: acl.hooks.authorizeForward,
    ...rejectEmptyIdWithSession(authenticate),
  });
  containBrokerErrors(created, log);
  const stats = new BrokerStatsPublisher(created, opts.statsIntervalMs ?? 2000, counts);
  const aedes = applyBrokerPatches(created, {
    shared: opts.redis !== undefined,
    limits,
    counts,
    quotas,
    onDeliver: () => stats.countOut(),
    onSlowDisconnect: () => {
      stats.slowDisconnects++;
    },
  });

  const tcpSockets = new Set<net.Socket>();
  const wsSockets = new Set<WebSocket>();

  // Nagle's algorithm would hold small MQTT packets back for up to ~40 ms.
  const tcp = net.createServer({ noDelay: true }, (socket) => {
    tcpSockets.add(socket);
    socket.on('close', () => tcpSockets.delete(socket));
    socket.on('error', () => socket.destroy());
    // TCP writes are gathered per turn (the default for sockets); over WebSocket the stream
    // already gathers what is written while a frame is in flight (ws-stream.ts).
    aedes.handle(socket);
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
    aedes.handle(stream, req, {
      batchWrites: false,
      queued: () => stream.writableLength + socket.bufferedAmount,
      reject: (why) => {
        // A packet that spans frames is still one MQTT packet: the same 1009 "message too big"
        // (RFC 6455 §7.4.1) as a single oversized frame; 1002 for bytes that are not MQTT.
        if (why === 'too-large') socket.close(1009, 'MQTT packet too large');
        else if (why === 'malformed') socket.close(1002, 'malformed MQTT packet');
        else if (why === 'too-many-filters') socket.close(1008, 'too many topic filters');
        else socket.terminate();
        // Close politely but never wait on a peer that does not answer.
        setTimeout(() => socket.terminate(), 1000).unref();
      },
    });
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

  stats.queueLength = () => aedes.deliveryQueue.length;

  return {
    aedes,
    tcpPort,
    limits,
    stats,
    raceKeys,
    dropClients() {
      const n = tcpSockets.size + wsSockets.size;
      for (const s of [...tcpSockets]) s.destroy();
      for (const ws of [...wsSockets]) ws.terminate();
      return n;
    },
    async close() {
      stats.close();
      aedes.deliveryQueue.close();
      aedes.readGovernor.close();
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
