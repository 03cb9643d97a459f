// One ticker for a deployment of several lab instances: events in a Redis stream, whose entry
// ids are the events' seqs (`<seq>-0`), read by every instance into its own ring buffer; only
// the instance holding the ticker lock runs the timer.
import type { Redis } from 'ioredis';
import { Ticker, type TickerStore } from '../http-demos/ticker.ts';
import type { EventOrigin } from '../../src/lib/wire/http-demos.ts';
import { RedisLock, admitWindow, type SharedRedis } from './index.ts';

const STREAM = 'lab:ticker:events';
const RATE = 'lab:ticker:rate';
const LOCK = 'lab:ticker:lock';
// The trainer's pause, for the whole deployment: "1" while paused (one key, no growth).
const PAUSED = 'lab:ticker:paused';

// Appends the next event in one step, whichever instance asks: its seq follows the newest
// entry, and never falls below what the asking instance already holds (so a Redis that lost
// its data does not number events again from 1 under clients that saw higher ones).
const APPEND = `
local seq = tonumber(ARGV[1]) + 1
local top = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
if top[1] then
  local last = tonumber(string.match(top[1][1], '^(%d+)'))
  if last + 1 > seq then seq = last + 1 end
end
redis.call('XADD', KEYS[1], 'MAXLEN', ARGV[2], seq .. '-0', 'ts', ARGV[3], 'o', ARGV[4])
return seq`;

/** The ticker of this instance, fed by the deployment's stream. */
export interface SharedTicker {
  ticker: Ticker;
  /** Sets the rate for the whole deployment (the lock holder's timer follows within a second). */
  setRate(rate: number): Promise<void>;
  /** Counts one "send event now" of `clientKey` for the deployment; false when over `perSecond`. */
  admitEmit(clientKey: string, perSecond: number): Promise<boolean>;
  /** Pauses or resumes the deployment's ticker (the holder's timer follows within a second). */
  setPaused(paused: boolean): Promise<void>;
  /** Whether the deployment's ticker is paused, as this instance last read it. */
  readonly paused: boolean;
  /** Whether this instance runs the deployment's timer now. */
  readonly emitting: boolean;
  close(): Promise<void>;
}

/** Options of the shared ticker. */
export interface SharedTickerOptions {
  capacity: number;
  rate: number;
  /** Whether this instance may run the timer (tests drive the ticker by hand with `false`). */
  autostart: boolean;
  /** How long the lock outlives its holder (ms). */
  leaseMs: number;
}

/** Starts this instance's copy of the deployment's ticker. */
export async function shareTicker(
  redis: SharedRedis,
  opts: SharedTickerOptions,
): Promise<SharedTicker> {
  const { client } = redis;
  const store: TickerStore = {
    async append(ts: number, origin: EventOrigin, latest: number): Promise<number> {
      const seq = await client.eval(
        APPEND,
        1,
        STREAM,
        String(latest),
        String(opts.capacity),
        String(ts),
        origin,
      );
      return Number(seq);
    },
  };
  const ticker = new Ticker({ capacity: opts.capacity, rate: opts.rate, autostart: false, store });
  let closed = false;

  // Every instance follows the stream from its start (at most `capacity` entries are kept).
  const reader: Redis = await redis.connection();
  const follow = async (): Promise<void> => {
    let last = '0-0';
    while (!closed) {
      try {
        const res = await reader.xread('COUNT', 1000, 'BLOCK', 5000, 'STREAMS', STREAM, last);
        for (const [, entries] of res ?? []) {
          for (const [id, fields] of entries) {
            last = id;
            const seq = Number(id.split('-')[0]);
            const ts = Number(fields[fields.indexOf('ts') + 1]);
            const origin = fields[fields.indexOf('o') + 1] === 'manual' ? 'manual' : 'ticker';
            ticker.receive(seq, ts, origin);
          }
        }
      } catch {
        // Redis away: ioredis reconnects; try again shortly from the same place.
        if (!closed) await new Promise((r) => setTimeout(r, 250));
      }
    }
  };
  const following = follow();

  // The rate and the pause are the deployment's: kept in Redis, read by every instance each
  // second and followed by whoever holds the lock.
  let paused = false;
  let lock: RedisLock | null = null;
  // The timer runs on the holder of the lock, unless the trainer paused the deployment.
  const steer = (): void => {
    // Tests that drive the ticker by hand (no autostart) keep it as they set it.
    if (!opts.autostart) return;
    if (lock?.held && !paused) {
      if (!ticker.running) ticker.start();
    } else if (ticker.running) ticker.stop();
  };
  const apply = ([r, p]: (string | null)[]): void => {
    if (r != null && Number(r) !== ticker.rate && Number.isFinite(Number(r))) {
      ticker.setRate(Number(r));
    }
    paused = p === '1';
    steer();
  };
  const read = (): Promise<void> => client.mget(RATE, PAUSED).then(apply);
  await read().catch(() => {});
  const rateTimer = setInterval(() => void read().catch(() => {}), 1000);

  lock = new RedisLock(redis, LOCK, opts.leaseMs, steer);
  if (opts.autostart) await lock.start();

  return {
    ticker,
    get emitting() {
      return lock.held;
    },
    admitEmit: (clientKey, perSecond) =>
      admitWindow(redis, [[`lab:ticker:emit:${clientKey}`, perSecond]]),
    get paused() {
      return paused;
    },
    async setPaused(p: boolean) {
      paused = p;
      steer();
      if (p) await client.set(PAUSED, '1');
      else await client.del(PAUSED);
    },
    async setRate(rate: number) {
      ticker.setRate(rate);
      await client.set(RATE, String(ticker.rate));
    },
    async close() {
      closed = true;
      clearInterval(rateTimer);
      ticker.stop();
      await lock.close();
      reader.disconnect();
      await following;
    },
  };
}
