// One ticker for a deployment of several lab instances: events in a Redis stream, whose entry
// ids are the events' seqs (`<seq>-0`), read by every instance into its own ring buffer; only
// the instance holding the ticker lock runs the timer.
import type { Redis } from 'ioredis';
import { Ticker, type TickerStore } from '../http-demos/ticker.ts';
import type { EventOrigin } from '../../src/lib/wire/http-demos.ts';
import { RedisLock, type SharedRedis } from './index.ts';

const STREAM = 'lab:ticker:events';
const RATE = 'lab:ticker:rate';
const LOCK = 'lab:ticker:lock';

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
  const reader: Redis = redis.connection();
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

  // The rate is the deployment's: kept in Redis, followed by whoever holds the lock.
  const stored = await client.get(RATE).catch(() => null);
  if (stored !== null && Number.isFinite(Number(stored))) ticker.setRate(Number(stored));
  const rateTimer = setInterval(() => {
    client.get(RATE).then(
      (r) => {
        if (r !== null && Number(r) !== ticker.rate && Number.isFinite(Number(r))) {
          ticker.setRate(Number(r));
        }
      },
      () => {},
    );
  }, 1000);

  const lock = new RedisLock(redis, LOCK, opts.leaseMs, (held) => {
    if (held) ticker.start();
    else ticker.stop();
  });
  if (opts.autostart) await lock.start();

  return {
    ticker,
    get emitting() {
      return lock.held;
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
