import type { EventSourceLike, WebSocketLike } from './lanes.ts';
import type { RunnerEnv } from './runner.ts';
import { MQTT_WS_PATH } from '../wire/health.ts';

/** The page's globals the race uses, passed in so this module stays DOM-free. */
export interface PageGlobals {
  origin: string;
  fetch: typeof fetch;
  WebSocket: new (url: string) => WebSocketLike;
  EventSource: new (url: string) => EventSourceLike;
  performance: { timeOrigin: number; now(): number };
  /** Loads mqtt.js (the island imports it lazily, the first time a race starts). */
  mqtt: RunnerEnv['mqtt'];
}

/**
 * The race's surroundings in the page: same-origin lanes, mqtt.js loaded on first use. The
 * globals are read when a race runs, never while the page is rendered on the server.
 */
export function browserRaceEnv(g: () => PageGlobals): RunnerEnv {
  const wsBase = (): string => g().origin.replace(/^http/, 'ws');
  return {
    httpBase: '',
    get wsBase() {
      return wsBase();
    },
    // The race's MQTT lanes run only on the embedded broker, which is on this origin.
    get mqttWsUrl() {
      return `${wsBase()}${MQTT_WS_PATH}`;
    },
    fetch: (url, init) => g().fetch(url, init),
    request: (url, init) => g().fetch(url, init),
    webSocket: (url) => new (g().WebSocket)(url),
    eventSource: (url) => new (g().EventSource)(url),
    mqtt: () => g().mqtt(),
    clock: () => g().performance.timeOrigin + g().performance.now(),
  };
}
