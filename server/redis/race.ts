// Race admission for a deployment of several lab instances: a race runs on the instance that
// created it, but the caps (races per visitor and per address at once, races created per
// visitor per minute, races at once in all) count in Redis for the whole deployment. Each held
// race is a member of sorted sets scored by the time its lease runs out; the instance running
// it renews the lease, so the races of an instance that died stop counting within one lease.
import type { RaceError } from '../../src/lib/wire/race.ts';
import { STORE_DOWN_BODY } from '../http-error.ts';
import type { Visitor } from '../visitor.ts';
import type { SharedRedis } from './index.ts';

const ALL = 'lab:race:all';
const visitorKey = (key: string): string => `lab:race:v:${key}`;
const addressKey = (address: string): string => `lab:race:a:${address}`;
const madeKey = (key: string): string => `lab:race:made:${key}`;

// KEYS: all, visitor, address, made. ARGV: now, lease ms, race id, max races, per visitor,
// per address, per minute. Returns 0 (admitted), 1 (the deployment is full), 2 (the visitor or
// address holds its share), 3 (the visitor made too many this minute). Every set is capped by
// the limit checked before it grows, and each key expires when nothing renews it.
const ADMIT = `
local now = tonumber(ARGV[1])
local lease = tonumber(ARGV[2])
for i = 1, 3 do redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now) end
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now - 60000)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[4]) then return 1 end
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[5]) then return 2 end
if redis.call('ZCARD', KEYS[3]) >= tonumber(ARGV[6]) then return 2 end
if redis.call('ZCARD', KEYS[4]) >= tonumber(ARGV[7]) then return 3 end
for i = 1, 3 do
  redis.call('ZADD', KEYS[i], now + lease, ARGV[3])
  redis.call('PEXPIRE', KEYS[i], lease)
end
redis.call('ZADD', KEYS[4], now, ARGV[3])
redis.call('PEXPIRE', KEYS[4], 60000)
return 0`;

/** The caps a race admission checks. */
export interface RaceCaps {
  maxRaces: number;
  maxRacesPerVisitor: number;
  perAddress: number;
  maxCreatesPerMinute: number;
}

/** The deployment's race admission. */
export interface SharedRaceLimits {
  /** Admits race `id` for `v`, counted deployment-wide; its release, or why not. */
  admit(v: Visitor, id: string, caps: RaceCaps): Promise<{ release: () => void } | RaceError>;
  close(): void;
}

/** Starts counting this instance's races in Redis; `leaseMs` is how long a dead one counts. */
export function shareRaceLimits(redis: SharedRedis, leaseMs: number): SharedRaceLimits {
  const { client } = redis;
  // Races held here: id → the keys of the three sets it is in.
  const held = new Map<string, string[]>();
  const renew = (): void => {
    if (held.size === 0) return;
    const now = Date.now();
    const pipeline = client.pipeline();
    for (const [id, keys] of held) {
      for (const key of keys) {
        pipeline.zadd(key, 'XX', now + leaseMs, id);
        pipeline.pexpire(key, leaseMs);
      }
    }
    // Redis away: the leases run out and the races stop counting, as if this instance died.
    pipeline.exec().catch(() => {});
  };
  const timer = setInterval(renew, Math.max(50, leaseMs / 3));
  timer.unref();
  return {
    async admit(v, id, caps) {
      const keys = [ALL, visitorKey(v.key), addressKey(v.address)];
      const verdict = await client
        .eval(
          ADMIT,
          4,
          ...keys,
          madeKey(v.key),
          String(Date.now()),
          String(leaseMs),
          id,
          String(caps.maxRaces),
          String(caps.maxRacesPerVisitor),
          String(caps.perAddress),
          String(caps.maxCreatesPerMinute),
        )
        .catch(() => -1);
      switch (verdict) {
        case 0:
          held.set(id, keys);
          return {
            release: () => {
              if (!held.delete(id)) return;
              const pipeline = client.pipeline();
              for (const key of keys) pipeline.zrem(key, id);
              pipeline.exec().catch(() => {});
            },
          };
        case 1:
          return {
            error: 'the server runs too many races right now; retry shortly',
            statusCode: 503,
          };
        case 2:
          return {
            error: `at most ${caps.maxRacesPerVisitor} races at once per visitor; end one first`,
            statusCode: 429,
          };
        case 3:
          return {
            error: `at most ${caps.maxCreatesPerMinute} races per minute per visitor`,
            statusCode: 429,
          };
        default:
          return STORE_DOWN_BODY;
      }
    },
    close() {
      clearInterval(timer);
    },
  };
}
