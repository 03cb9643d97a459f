// Shapes of the companion server's JSON endpoints, shared by the server and the browser.

/** Which broker the lab talks to, as `/api/health` and `/api/config` report it. */
export interface BrokerInfo {
  /** The lab's own Aedes, the machine's Mosquitto run by the lab, or a broker elsewhere. */
  mode: 'embedded' | 'mosquitto' | 'external';
  /** URL for browsers (MQTT over WebSocket); `null` means "this server's `/mqtt`". */
  wsUrl: string | null;
  /** URL for devices and server-side clients (MQTT over TCP), when known. */
  tcpUrl: string | null;
  /** The broker software and its version, when the lab runs it ("Aedes 1.2.0"). */
  software?: string;
  /** MQTT versions it speaks, when known: the lab offers MQTT 5 experiments only with "5.0". */
  versions?: MqttVersion[];
}

/** An MQTT protocol version as the lab names it. */
export type MqttVersion = '3.1' | '3.1.1' | '5.0';

/** Body of `GET /api/health`. */
export interface HealthResponse {
  status: 'ok';
  name: string;
  version: string;
  uptimeS: number;
  startedAt: string;
  broker: BrokerInfo;
  /** Live connection counts by protocol; a protocol appears once its module is running. */
  connections: Record<string, number>;
  /**
   * Only when the lab is one of several instances sharing Redis (`--redis-url`): whether Redis
   * answers now. While it is `down`, shared demos cannot deliver across instances.
   */
  redis?: 'up' | 'down';
}

/** Body of `GET /api/config`: what a page needs to reach the lab's services. */
export interface ConfigResponse {
  broker: BrokerInfo;
  /** Path of the embedded broker's WebSocket endpoint on this server. */
  mqttPath: string;
}

/**
 * Code of a 503 answered because the deployment's shared store (Redis, `--redis-url`) is not
 * answering: pages show their own words for it instead of the server's English `error`.
 */
export const STORE_UNAVAILABLE = 'store_unavailable';

/** Machine-readable reasons an API error may carry besides its English `error` text. */
export type ApiErrorCode = typeof STORE_UNAVAILABLE;

/** Body of every JSON error the API answers with. */
export interface ApiError {
  error: string;
  statusCode: number;
  /** Present when a page should say something of its own rather than show `error`. */
  code?: ApiErrorCode;
}

/** Path of the embedded broker's MQTT-over-WebSocket endpoint (the layout EMQX uses). */
export const MQTT_WS_PATH = '/mqtt';

/**
 * The MQTT-over-WebSocket URL a page should use: the configured external one, or this
 * server's own `/mqtt` on the page's origin (wss on https pages, avoiding mixed content).
 */
export function resolveBrokerWsUrl(broker: BrokerInfo, pageUrl: string): string {
  if (broker.wsUrl) return broker.wsUrl;
  const page = new URL(pageUrl);
  const scheme = page.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${page.host}${MQTT_WS_PATH}`;
}
