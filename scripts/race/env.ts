import { performance } from 'node:perf_hooks';
import { EventSource } from 'eventsource';
import type { RunnerEnv } from '../../src/lib/race/runner.ts';
import type { EventSourceLike, WebSocketLike } from '../../src/lib/race/lanes.ts';
import { MQTT_WS_PATH } from '../../src/lib/wire/health.ts';

/** The race's surroundings in Node: undici's fetch and WebSocket, the `eventsource` package, mqtt.js. */
export function nodeRaceEnv(httpBase: string, mqttTcpUrl?: string, mqttWsUrl?: string): RunnerEnv {
  const wsBase = httpBase.replace(/^http/, 'ws');
  return {
    httpBase,
    wsBase,
    mqttWsUrl: mqttWsUrl ?? `${wsBase}${MQTT_WS_PATH}`,
    ...(mqttTcpUrl ? { mqttTcpUrl } : {}),
    fetch: (url, init) => fetch(url, init),
    request: (url, init) => fetch(url, init),
    webSocket: (url) => new WebSocket(url) as unknown as WebSocketLike,
    eventSource: (url) => new EventSource(url) as unknown as EventSourceLike,
    mqtt: async () => (await import('mqtt')).connect,
    clock: () => performance.timeOrigin + performance.now(),
  };
}
