/**
 * Preloaded (`node --import`) into Aedes' own test suite, before aedes-as-lab.ts or alone:
 * with LAB_AEDES_REDIS=<url>, every broker a test creates through `Aedes.createBroker` without
 * its own emitter or persistence runs on the lab's Redis mode (`--redis-url`): mqemitter-redis
 * and aedes-persistence-redis on that Redis, emptied first (FLUSHDB), since each upstream test
 * expects a broker with nothing stored. tests/upstream/over-redis.ts runs the suite so twice,
 * with and without the lab's patches.
 */
import { Aedes } from 'aedes';
import { sharedBrokerState } from '../../server/broker/embedded.ts';
import { connectRedis } from '../../server/redis/index.ts';

/** The persistences built on Redis here: aedes-as-lab.ts gives their brokers the shared mode. */
export const onRedis = new WeakSet<object>();

const url = process.env['LAB_AEDES_REDIS'];
if (url) {
  type Create = (opts?: Record<string, unknown>) => Promise<Aedes>;
  const create: Create = Reflect.get(Aedes, 'createBroker');
  Reflect.set(Aedes, 'createBroker', async (opts: Record<string, unknown> = {}) => {
    // A test that brings its own emitter or persistence is testing those: left as it is.
    if (opts['mq'] || opts['persistence']) return create.call(Aedes, opts);
    const redis = await connectRedis(url);
    await redis.client.flushdb();
    const state = await sharedBrokerState(redis, () => {});
    if (state.persistence) onRedis.add(state.persistence as object);
    const broker = await create.call(Aedes, { ...opts, ...state });
    broker.once('closed', () => void redis.close());
    return broker;
  });
}
