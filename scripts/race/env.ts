import { performance } from 'node:perf_hooks';
import { EventSource } from 'eventsource';
import type { Duplex } from 'node:stream';
import { MqttClient, type IClientOptions } from 'mqtt';
import WebSocketNode from 'ws';
import { mqttWebSocketStream } from '../../server/broker/ws-stream.ts';
import type { RunnerEnv } from '../../src/lib/race/runner.ts';
import type { EventSourceLike, WebSocketLike } from '../../src/lib/race/lanes.ts';
import { MQTT_WS_PATH } from '../../src/lib/wire/health.ts';

/** Whether a lab at this origin runs on this machine, and so reads the same clock. */
export function isLoopback(httpBase: string): boolean {
  const host = new URL(httpBase).hostname;
  return host === 'localhost' || host === '[::1]' || /^127\./.test(host);
}

/** The race's surroundings in Node: undici's fetch and WebSocket, the `eventsource` package, mqtt.js. */
export function nodeRaceEnv(httpBase: string, mqttTcpUrl?: string, mqttWsUrl?: string): RunnerEnv {
  const wsBase = httpBase.replace(/^http/, 'ws');
  return {
    httpBase,
    // Both ends stamp times with performance.timeOrigin + performance.now(): the same clock.
    sameClock: isLoopback(httpBase),
    wsBase,
    mqttWsUrl: mqttWsUrl ?? `${wsBase}${MQTT_WS_PATH}`,
    ...(mqttTcpUrl ? { mqttTcpUrl } : {}),
    fetch: (url, init) => fetch(url, init),
    request: (url, init) => fetch(url, init),
    webSocket: (url) => new WebSocket(url) as unknown as WebSocketLike,
    eventSource: (url) => new EventSource(url) as unknown as EventSourceLike,
    mqtt: async () => {
      const { connect } = await import('mqtt');
      return (url: string, opts: IClientOptions) =>
        /^wss?:/.test(url) ? connectWsLikeBrowser(url, opts) : connect(url, opts);
    },
    clock: () => performance.timeOrigin + performance.now(),
  };
}

/**
 * mqtt.js over WebSocket as a browser runs it: one frame per MQTT packet.
 *
 * mqtt.js writes a packet in several chunks inside one cork. In a browser its stream joins them
 * into one WebSocket message (its `_writev`); in Node it uses `ws`'s stream, which has no
 * `_writev`, so each chunk became a frame of its own: a PUBACK went out as 3 frames, 22 bytes,
 * where a browser sends 10 (6 B masked frame header + 4 B PUBACK, RFC 6455 §5.2). The broker's
 * WebSocket stream joins them the same way.
 */
function connectWsLikeBrowser(url: string, opts: IClientOptions): MqttClient {
  const build = (): Duplex => {
    // [MQTT-6.0.0-3]: the WebSocket subprotocol is "mqtt" (3.1.1 and 5.0).
    const socket = new WebSocketNode(url, ['mqtt']);
    const stream = mqttWebSocketStream(socket);
    socket.on('close', () => stream.destroy());
    return stream;
  };
  return new MqttClient(build, { ...opts });
}
