import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import type { LabConfig } from './config.ts';
import { UpgradeRouter } from './upgrade.ts';
import { Gauges } from './gauges.ts';
import { startEmbeddedBroker, type EmbeddedBroker } from './broker/embedded.ts';
import {
  findMosquitto,
  mosquittoVersion,
  startManagedMosquitto,
  MosquittoListenError,
  type ManagedMosquitto,
} from './broker/mosquitto.ts';
import { brokerUsers } from './broker/users.ts';
import { CHECKED_VERSIONS } from './broker/patches/internals.ts';
import { registerHealth } from './health.ts';
import { registerChat } from './chat/index.ts';
import { registerFleet } from './fleet/index.ts';
import { HTTP_DEMO_DEFAULTS, registerHttpDemos } from './http-demos/index.ts';
import { registerRace, type RaceModule } from './race/index.ts';
import { Visitors } from './visitor.ts';
import { registerTrainer, TRAINER_DEFAULTS, type TrainerAuth } from './workshop/trainer.ts';
import { registerWorkshop } from './workshop/index.ts';
import type { BrokerInfo } from '../src/lib/wire/health.ts';
import type { SharedRedis } from './redis/index.ts';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  name: string;
  version: string;
};

// How long the ticker's and fleet's lock outlives a dead holder: another instance takes over
// within this plus a third of it.
const DEFAULT_LEASE_MS = 3000;

/** Which listener failed to bind, so the CLI can name the option that changes it. */
export class ListenError extends Error {
  override name = 'ListenError';
  readonly which: 'http' | 'mqtt' | 'mqtt-ws';
  readonly port: number;
  readonly code: string;
  constructor(which: 'http' | 'mqtt' | 'mqtt-ws', port: number, code: string) {
    super(`${which} port ${port}: ${code}`);
    this.which = which;
    this.port = port;
    this.code = code;
  }
}

/** What a protocol module gets in order to register itself on the lab. */
export interface LabContext {
  app: FastifyInstance;
  /** Routes WebSocket upgrades by path on the one HTTP server. */
  router: UpgradeRouter;
  /** Live connection counts reported by `/api/health`. */
  gauges: Gauges;
  config: LabConfig;
  /** The embedded broker, or null when another broker is configured. */
  broker: EmbeddedBroker | null;
  /** The managed Mosquitto, with `--broker mosquitto`. */
  mosquitto: ManagedMosquitto | null;
  /** Who is the trainer: shared controls gate on it. */
  trainer: TrainerAuth;
  /** Who a request belongs to, for per-visitor limits. */
  visitors: Visitors;
  /** The deployment's Redis with `--redis-url`: state shared with the other instances. */
  redis: SharedRedis | null;
}

/** A running protocol module (poll, SSE, chat, …): it stops its timers and sockets on close. */
export interface LabModule {
  close(): Promise<void> | void;
}

/** The running lab: one HTTP server (site, API, WebSockets) plus the broker. */
export interface Lab {
  app: FastifyInstance;
  /** Bound HTTP port. */
  port: number;
  /** Bound MQTT/TCP port of the embedded or managed broker, or null with an external broker. */
  mqttPort: number | null;
  gauges: Gauges;
  broker: EmbeddedBroker | null;
  /** The managed Mosquitto, with `--broker mosquitto`. */
  mosquitto: ManagedMosquitto | null;
  /** The protocol race (tests look inside it). */
  race: RaceModule;
  trainer: TrainerAuth;
  /** The deployment's Redis with `--redis-url`. */
  redis: SharedRedis | null;
  close(): Promise<void>;
}

/** Starts every part of the companion server described by `config` and resolves when it listens. */
export async function startLab(config: LabConfig): Promise<Lab> {
  const startedAt = new Date();
  const app = Fastify({
    logger: false,
    // Shutdown must not wait for long-lived requests (long-polls, SSE streams).
    forceCloseConnections: true,
    bodyLimit: 64 * 1024,
    // Only with --trust-proxy: then req.ip is the browser's address as the proxy reports it.
    ...(config.trainer?.trustProxy ? { trustProxy: config.trainer.trustProxy } : {}),
  });
  const router = new UpgradeRouter(app.server);
  const gauges = new Gauges();

  // Loaded only with --redis-url: without it nothing of Redis is imported. Unreachable, it
  // stops the start (RedisUnavailableError; the CLI exits 1).
  let redis: SharedRedis | null = null;
  if (config.redisUrl) {
    const { connectRedis } = await import('./redis/index.ts');
    redis = await connectRedis(config.redisUrl);
  }
  try {
    return await startWith(config, { app, router, gauges, redis, startedAt });
  } catch (err) {
    await redis?.close();
    throw err;
  }
}

async function startWith(
  config: LabConfig,
  base: Pick<LabContext, 'app' | 'router' | 'gauges' | 'redis'> & { startedAt: Date },
): Promise<Lab> {
  const { app, router, gauges, redis, startedAt } = base;
  let broker: EmbeddedBroker | null = null;
  if (config.broker.mode === 'embedded') {
    try {
      broker = await startEmbeddedBroker({
        mqttPort: config.broker.mqttPort,
        host: config.host,
        router,
        gauges,
        ...(config.broker.limits ? { limits: config.broker.limits } : {}),
        ...(redis ? { redis } : {}),
      });
    } catch (err) {
      throw asListenError(err, 'mqtt', config.broker.mqttPort);
    }
  }

  let mosquitto: ManagedMosquitto | null = null;
  if (config.broker.mode === 'mosquitto') {
    const bin = findMosquitto(config.broker.bin);
    const version = await mosquittoVersion(bin);
    try {
      mosquitto = await startManagedMosquitto({
        bin,
        version,
        host: config.host,
        tcpPort: config.broker.mqttPort,
        wsPort: config.broker.wsPort,
        users: brokerUsers(),
        ...(config.mosquittoLog ? { log: config.mosquittoLog } : {}),
      });
    } catch (err) {
      if (err instanceof MosquittoListenError)
        throw new ListenError(err.which, err.port, 'EADDRINUSE');
      throw err;
    }
  }

  const urlHost = (hostname: string): string =>
    hostname.includes(':') && !hostname.startsWith('[') ? `[${hostname}]` : hostname;
  const brokerInfo = (hostname: string): BrokerInfo => {
    if (config.broker.mode === 'external') {
      return { mode: 'external', wsUrl: config.broker.browserUrl, tcpUrl: config.broker.tcpUrl };
    }
    if (mosquitto) {
      // Browsers reach Mosquitto's own WebSocket listener, on the host name they used for the page.
      return {
        mode: 'mosquitto',
        wsUrl: `ws://${urlHost(hostname)}:${mosquitto.wsPort}`,
        tcpUrl: `mqtt://${urlHost(hostname)}:${mosquitto.tcpPort}`,
        software: `Mosquitto ${mosquitto.version}`,
        versions: ['3.1', '3.1.1', '5.0'],
      };
    }
    return {
      mode: 'embedded',
      wsUrl: null,
      tcpUrl: `mqtt://${urlHost(hostname)}:${broker?.tcpPort ?? 0}`,
      // Start-up refuses any other version (patches/internals.ts).
      software: `Aedes ${CHECKED_VERSIONS.aedes}`,
      // The embedded broker answers an MQTT 5 CONNECT with CONNACK 0x01 ([MQTT-3.1.2-2]).
      versions: ['3.1', '3.1.1'],
    };
  };

  registerHealth(app, {
    name: pkg.name,
    version: pkg.version,
    startedAt,
    gauges,
    brokerInfo,
    ...(redis ? { redisUp: () => redis.up() } : {}),
  });

  const trainer = registerTrainer(app, config.trainer ?? TRAINER_DEFAULTS, config.trainerLimits);
  const visitors = new Visitors(config.trainer?.trustProxy ?? null, config.peoplePerAddress);
  visitors.register(app);
  const ctx: LabContext = {
    app,
    router,
    gauges,
    config,
    broker,
    mosquitto,
    trainer,
    visitors,
    redis,
  };
  // Each protocol module registers its routes and upgrade paths and returns its close().
  const modules: LabModule[] = [];
  // With Redis, the deployment's chat (loaded only then).
  const chatStore = redis
    ? await (
        await import('./redis/chat.ts')
      ).shareChat(redis, config.redisLeaseMs ?? DEFAULT_LEASE_MS)
    : null;
  const chat = registerChat(ctx, chatStore);
  // With Redis, one fleet for the deployment, run by the holder of its lock.
  const fleetShare = redis
    ? (await import('./redis/fleet.ts')).shareFleet(redis, config.redisLeaseMs ?? DEFAULT_LEASE_MS)
    : null;
  const fleet = await registerFleet(ctx, fleetShare);
  // With Redis, one ticker for the deployment (loaded only then).
  const sharedTicker = redis
    ? await (
        await import('./redis/ticker.ts')
      ).shareTicker(redis, {
        capacity: HTTP_DEMO_DEFAULTS.bufferSize,
        rate: HTTP_DEMO_DEFAULTS.rate,
        autostart: HTTP_DEMO_DEFAULTS.autostart,
        leaseMs: config.redisLeaseMs ?? DEFAULT_LEASE_MS,
      })
    : null;
  const http = registerHttpDemos(ctx, {}, sharedTicker);
  modules.push(chat, fleet, http);
  // With Redis, the race caps count every instance's races (loaded only then).
  const raceLimits = redis
    ? (await import('./redis/race.ts')).shareRaceLimits(
        redis,
        config.redisLeaseMs ?? DEFAULT_LEASE_MS,
      )
    : null;
  const race = registerRace(ctx, {}, raceLimits);
  modules.push(race);
  // Workshop mode acts on the others (its faults cut their connections), so it comes last.
  // With Redis, the trainer's actions reach every instance (loaded only then).
  const workshopShare = redis
    ? await (await import('./redis/workshop.ts')).shareWorkshop(redis)
    : null;
  modules.push(registerWorkshop(ctx, { chat, fleet, http }, config.workshop, workshopShare));

  if (config.site) await registerSite(app, path.resolve(config.distDir));
  else app.setNotFoundHandler((req, reply) => notFoundJson(req.method, req.url, reply));

  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (err) {
    await broker?.close();
    await mosquitto?.close();
    throw asListenError(err, 'http', config.port);
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;

  let closing: Promise<void> | null = null;
  return {
    app,
    port,
    mqttPort: broker?.tcpPort ?? mosquitto?.tcpPort ?? null,
    gauges,
    broker,
    mosquitto,
    race,
    trainer,
    redis,
    close() {
      closing ??= (async () => {
        await Promise.all(modules.map(async (m) => m.close()));
        await broker?.close();
        await app.close();
        await mosquitto?.close();
        await redis?.close();
      })();
      return closing;
    },
  };
}

function asListenError(err: unknown, which: 'http' | 'mqtt', port: number): unknown {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL'
    ? new ListenError(which, port, code)
    : err;
}

type Reply = import('fastify').FastifyReply;

function notFoundJson(method: string, url: string, reply: Reply): Reply {
  const pathname = url.split('?')[0] ?? url;
  return reply.code(404).send({ error: `No route for ${method} ${pathname}`, statusCode: 404 });
}

/** Serves the built Astro site, with a locale-aware 404 page for unknown paths. */
async function registerSite(app: FastifyInstance, distDir: string): Promise<void> {
  const notFoundPages = {
    root: await readFile(path.join(distDir, '404.html'), 'utf8').catch(() => null),
    en: await readFile(path.join(distDir, 'en/404/index.html'), 'utf8').catch(() => null),
  };
  await app.register(fastifyStatic, {
    root: distDir,
    prefix: '/',
    redirect: true,
    index: ['index.html'], // an array: with preCompressed a plain string finds no index file
    // The build writes .br/.gz beside each file (scripts/precompress.ts).
    preCompressed: true,
    setHeaders(res, filePath) {
      // Astro fingerprints everything under _astro/, so it never changes under the same name.
      if (filePath.includes(`${path.sep}_astro${path.sep}`)) {
        res.header('Cache-Control', 'public, max-age=31536000, immutable');
      } else {
        res.header('Cache-Control', 'no-cache');
      }
    },
  });
  app.setNotFoundHandler((req, reply) => {
    const pathname = req.url.split('?')[0] ?? '/';
    if (pathname.startsWith('/api/') || pathname === '/api' || req.method !== 'GET') {
      return notFoundJson(req.method, req.url, reply);
    }
    const page =
      (pathname === '/en' || pathname.startsWith('/en/') ? notFoundPages.en : null) ??
      notFoundPages.root;
    if (!page) return notFoundJson(req.method, req.url, reply);
    return reply.code(404).type('text/html; charset=utf-8').send(page);
  });
}
