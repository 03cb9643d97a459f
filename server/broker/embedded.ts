import net from 'node:net';
import type { IncomingMessage } from 'node:http';
import { Aedes } from 'aedes';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Duplex } from 'node:stream';
import type { UpgradeRouter } from '../upgrade.ts';
import type { Gauges } from '../gauges.ts';
import { mqttWebSocketStream } from './ws-stream.ts';
import { MQTT_WS_PATH } from '../../src/lib/wire/health.ts';

/** Options for the embedded broker. */
export interface EmbeddedBrokerOptions {
  /** MQTT/TCP port; 0 picks a free one. */
  mqttPort: number;
  host: string;
  router: UpgradeRouter;
  gauges: Gauges;
  /** Largest WebSocket message accepted on `/mqtt`; larger ones close the socket with 1009. */
  maxWsPayload?: number;
}

/** A running embedded broker. */
export interface EmbeddedBroker {
  aedes: Aedes;
  /** The MQTT/TCP port actually bound. */
  tcpPort: number;
  close(): Promise<void>;
}

// MQTT over WebSocket: the client offers the subprotocol "mqtt" ([MQTT-6.0.0-3], MQTT 5 §6);
// "mqttv3.1" is what some old 3.1 clients send.
const SUBPROTOCOLS = ['mqtt', 'mqttv3.1'];

/** Starts Aedes with an MQTT/TCP listener and the `/mqtt` WebSocket endpoint. */
export async function startEmbeddedBroker(opts: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const aedes = await Aedes.createBroker({
    // Sockets that never send CONNECT are dropped ([MQTT-3.1.0-1] expects CONNECT first).
    connectTimeout: 10_000,
  });
  // Errors on one client's connection are that client's problem, not the server's.
  aedes.on('clientError', () => {});
  aedes.on('connectionError', () => {});

  const tcpSockets = new Set<net.Socket>();
  const wsSockets = new Set<WebSocket>();

  // Nagle's algorithm would hold small MQTT packets back for up to ~40 ms.
  const tcp = net.createServer({ noDelay: true }, (socket) => {
    tcpSockets.add(socket);
    socket.on('close', () => tcpSockets.delete(socket));
    socket.on('error', () => socket.destroy());
    aedes.handle(socket);
  });

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: opts.maxWsPayload ?? 256 * 1024,
    perMessageDeflate: false,
    handleProtocols: (offered) => SUBPROTOCOLS.find((p) => offered.has(p)) ?? false,
  });
  wss.on('connection', (socket: WebSocket, req: IncomingMessage) => {
    wsSockets.add(socket);
    socket.on('close', () => wsSockets.delete(socket));
    const stream = mqttWebSocketStream(socket);
    stream.on('error', () => stream.destroy());
    aedes.handle(stream, req);
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
    async close() {
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
