import type { FastifyInstance } from 'fastify';
import type { Gauges } from './gauges.ts';
import type { BrokerInfo, ConfigResponse, HealthResponse } from '../src/lib/wire/health.ts';
import { MQTT_WS_PATH } from '../src/lib/wire/health.ts';

/** What the health and config routes report. */
export interface HealthOptions {
  name: string;
  version: string;
  startedAt: Date;
  gauges: Gauges;
  /** Broker URLs as seen by a client that reached this server under `hostname`. */
  brokerInfo: (hostname: string) => BrokerInfo;
  /** With `--redis-url`: whether the deployment's Redis answers now. */
  redisUp?: () => boolean;
}

/** Registers `GET /api/health` and `GET /api/config`. */
export function registerHealth(app: FastifyInstance, opts: HealthOptions): void {
  app.get('/api/health', async (req, reply): Promise<HealthResponse> => {
    // A status badge polls this: it must never be served from a cache.
    reply.header('Cache-Control', 'no-store');
    return {
      status: 'ok',
      name: opts.name,
      version: opts.version,
      uptimeS: Math.round((Date.now() - opts.startedAt.getTime()) / 100) / 10,
      startedAt: opts.startedAt.toISOString(),
      broker: opts.brokerInfo(req.hostname),
      connections: opts.gauges.snapshot(),
      ...(opts.redisUp ? { redis: opts.redisUp() ? 'up' : 'down' } : {}),
    };
  });
  app.get('/api/config', async (req, reply): Promise<ConfigResponse> => {
    reply.header('Cache-Control', 'no-store');
    return { broker: opts.brokerInfo(req.hostname), mqttPath: MQTT_WS_PATH };
  });
}
