// Shared state for several lab instances behind one load balancer (`--redis-url`). Loaded only
// with that option (app.ts imports it dynamically), so a lab without it never loads ioredis.
import { randomUUID } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import { RedisUnavailableError, redactRedisUrl } from './errors.ts';

/** Options every lab connection to Redis uses. */
const CONNECTION: RedisOptions = {
  // Reconnect forever, at most a second apart: Redis coming back must heal the lab by itself.
  retryStrategy: (times: number) => Math.min(100 * times, 1000),
  // While Redis is away a command fails after two reconnection attempts instead of waiting
  // in the offline queue without bound: the caller reports the outage.
  maxRetriesPerRequest: 2,
  connectTimeout: 3000,
  // ioredis otherwise reads its own package.json (asynchronously) and sends two CLIENT SETINFO
  // on every (re)connection before its ready check: a slower path to 'ready' for nothing.
  disableClientInfo: true,
};

// How long a new connection may take to pass ioredis' ready check before the start fails.
const READY_TIMEOUT_MS = 10_000;

/**
 * Resolves with `conn` once it is ready. ioredis writes SUBSCRIBE (a command Redis allows while
 * loading) as soon as the socket connects, before its ready check's INFO; INFO then fails in
 * subscriber mode, ioredis reconnects, and since the connection was never ready it does not
 * subscribe again: an instance that subscribed early stayed deaf to the others (seen under load).
 */
function whenReady(conn: Redis): Promise<Redis> {
  if (conn.status === 'ready') return Promise.resolve(conn);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      conn.off('ready', ready);
      reject(new Error(`a new Redis connection was not ready within ${READY_TIMEOUT_MS} ms`));
    }, READY_TIMEOUT_MS);
    const ready = (): void => {
      clearTimeout(timer);
      resolve(conn);
    };
    conn.once('ready', ready);
  });
}

/** The lab's connection to the deployment's Redis. */
export interface SharedRedis {
  /** As given, for messages (`redactRedisUrl` hides a password). */
  url: string;
  /** For short commands; never block on it. */
  client: Redis;
  /** Names this lab process in locks (one per start). */
  instanceId: string;
  /**
   * A new connection to the same Redis, for blocking reads and subscriptions, once it is ready
   * (see whenReady); `close` ends it too.
   */
  connection(): Promise<Redis>;
  /** Whether Redis answers now (`/api/health`). */
  up(): boolean;
  close(): Promise<void>;
}

/**
 * Connects to Redis at `url` and checks that it answers. Rejects with RedisUnavailableError
 * (the CLI exits 1 with its message) when it does not within `timeoutMs`.
 */
export async function connectRedis(url: string, timeoutMs = 3000): Promise<SharedRedis> {
  const connections = new Set<Redis>();
  const open = (lazy: boolean): Redis => {
    const conn = new Redis(url, { ...CONNECTION, lazyConnect: lazy });
    // Outages are reported through up() and failed commands; ioredis would otherwise print
    // an unhandled 'error' for every reconnection attempt.
    conn.on('error', () => {});
    // aedes-persistence-redis sends some commands without waiting for them (the LREM and RPUSH
    // of putWill and delWill): failing while Redis is away, or while the lab closes, they would
    // be unhandled rejections, which end a Node process. Every command's promise gets a handler
    // here; callers that wait for one still see its error.
    const send = conn.sendCommand.bind(conn);
    conn.sendCommand = (...args: Parameters<Redis['sendCommand']>) => {
      const result = send(...args);
      if (result instanceof Promise) result.catch(() => {});
      return result;
    };
    connections.add(conn);
    conn.once('end', () => connections.delete(conn));
    return conn;
  };
  const client = open(true);
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      client.connect().then(() => client.ping()),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } catch (err) {
    client.disconnect();
    const why = (err as Error).message || String(err);
    throw new RedisUnavailableError(
      `cannot reach Redis at ${redactRedisUrl(url)} (${why}); start it or fix --redis-url (LAB_REDIS_URL)`,
    );
  } finally {
    clearTimeout(timer);
  }
  return {
    url,
    client,
    instanceId: randomUUID(),
    connection: () => whenReady(open(false)),
    up: () => client.status === 'ready',
    async close() {
      await Promise.all(
        [...connections].map(async (c) => {
          // quit() waits for replies to what was sent; a connection that is down just ends.
          if (c.status === 'ready') await c.quit().catch(() => c.disconnect());
          else c.disconnect();
        }),
      );
    },
  };
}

// Fixed windows per key: 1 while every key is within its limit (ARGV: the window in ms, then
// one limit per key). Each key lives one window, so a visitor inventing keys grows nothing.
const WINDOW = `
for i, key in ipairs(KEYS) do
  local n = redis.call('INCR', key)
  if n == 1 then redis.call('PEXPIRE', key, ARGV[1]) end
  if n > tonumber(ARGV[i + 1]) then return 0 end
end
return 1`;

/**
 * Counts one event against each `[key, limit]` in fixed windows of `windowMs`, for the whole
 * deployment; false when one key is over its limit.
 */
export async function admitWindow(
  redis: SharedRedis,
  limits: readonly (readonly [string, number])[],
  windowMs = 1000,
): Promise<boolean> {
  if (limits.length === 0) return true;
  const ok = await redis.client.eval(
    WINDOW,
    limits.length,
    ...limits.map(([k]) => k),
    String(windowMs),
    ...limits.map(([, n]) => String(n)),
  );
  return ok === 1;
}

// Renews the lock only while it is still ours: a holder that stalled past the lease must not
// extend a lock another instance has taken since.
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/**
 * A lease held by at most one lab instance (SET NX PX, renewed every third of the lease). When
 * its holder dies, the lease runs out and another instance takes it within `leaseMs` plus one
 * renewal period. Redis away: the holder gives up once its lease would have run out.
 */
export class RedisLock {
  readonly #redis: SharedRedis;
  readonly #key: string;
  readonly #leaseMs: number;
  readonly #onChange: (held: boolean) => void;
  #held = false;
  #renewedAt = 0;
  #timer: ReturnType<typeof setInterval> | null = null;
  #busy = false;

  constructor(redis: SharedRedis, key: string, leaseMs: number, onChange: (held: boolean) => void) {
    this.#redis = redis;
    this.#key = key;
    this.#leaseMs = leaseMs;
    this.#onChange = onChange;
  }

  /** Whether this instance holds the lock now. */
  get held(): boolean {
    return this.#held;
  }

  /** Starts contending for the lock; resolves after the first attempt. */
  async start(): Promise<void> {
    this.#timer ??= setInterval(() => void this.#tick(), Math.max(50, this.#leaseMs / 3));
    await this.#tick();
  }

  async #tick(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    const { client, instanceId } = this.#redis;
    try {
      if (this.#held) {
        const ok = await client.eval(RENEW, 1, this.#key, instanceId, String(this.#leaseMs));
        if (ok === 1) this.#renewedAt = Date.now();
        else this.#set(false);
      } else {
        const ok = await client.set(this.#key, instanceId, 'PX', this.#leaseMs, 'NX');
        if (ok === 'OK') {
          this.#renewedAt = Date.now();
          this.#set(true);
        }
      }
    } catch {
      // Redis away: after the lease another instance may hold it, so stop acting as holder.
      if (this.#held && Date.now() - this.#renewedAt > this.#leaseMs) this.#set(false);
    } finally {
      this.#busy = false;
    }
  }

  #set(held: boolean): void {
    if (held === this.#held) return;
    this.#held = held;
    this.#onChange(held);
  }

  /** Stops contending and hands the lock back, so another instance takes it at once. */
  async close(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    if (this.#held) {
      this.#set(false);
      await this.#redis.client
        .eval(RELEASE, 1, this.#key, this.#redis.instanceId)
        .catch(() => undefined);
    }
  }
}
