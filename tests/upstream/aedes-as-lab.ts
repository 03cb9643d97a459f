/**
 * Preloaded (`node --import`) into Aedes' own test suite so that every broker it starts is
 * built as the lab builds it: the lab's limits where a test keeps Aedes' default, the
 * empty-client-id rule, and every run-time patch through `applyBrokerPatches`.
 *
 * LAB_AEDES_TRANSPORT=tcp gathers each connection's writes per turn, as on the lab's TCP
 * listener; `ws` does not, as on its WebSocket endpoint.
 *
 * A broker that aedes-on-redis.ts put on Redis gets the patches' shared mode, as with
 * `--redis-url`.
 */
import { Aedes } from 'aedes';
import type { Duplex } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import { applyBrokerPatches, wrapHook } from '../../server/broker/patches/index.ts';
import { labAedesOptions } from '../../server/broker/embedded.ts';
import { rejectEmptyIdWithSession } from '../../server/broker/conformance.ts';
import { DEFAULT_LIMITS } from '../../server/broker/limits.ts';
import { onRedis } from './aedes-on-redis.ts';

// Aedes 1.2.0's defaults for the options the lab sets (aedes.js defaultOptions).
const AEDES_DEFAULTS = { connectTimeout: 30_000, maxTopicLevels: 100, drainTimeout: 60_000 };
const batch = process.env['LAB_AEDES_TRANSPORT'] !== 'ws';

interface Configurable {
  opts: Record<string, unknown>;
  connectTimeout: number;
  maxTopicLevels: number;
}

// Aedes' own listen(), captured before it is replaced below.
const listen: (this: Aedes) => Promise<void> = Reflect.get(Aedes.prototype, 'listen');
Aedes.prototype.listen = async function listenAsLab(this: Aedes) {
  await listen.call(this);
  const broker = this as unknown as Configurable;
  const lab = labAedesOptions(DEFAULT_LIMITS);
  if (broker.connectTimeout === AEDES_DEFAULTS.connectTimeout) {
    broker.connectTimeout = lab.connectTimeout!;
  }
  if (broker.maxTopicLevels === AEDES_DEFAULTS.maxTopicLevels) {
    broker.maxTopicLevels = lab.maxTopicLevels!;
  }
  if (broker.opts['drainTimeout'] === AEDES_DEFAULTS.drainTimeout) {
    broker.opts['drainTimeout'] = lab.drainTimeout;
  }
  // [MQTT-3.1.3-8], as the lab's options set it, around whatever hooks the test uses.
  type Authenticate = Parameters<typeof rejectEmptyIdWithSession>[0];
  let test: Authenticate = (_client, _user, _pass, done) => done(null, true);
  const rejected = rejectEmptyIdWithSession((...args) => test.apply(this, args));
  wrapHook(this, 'preConnect', (inner) => (client, packet, done) => {
    rejected.preConnect!(client, packet, () => inner.call(this, client, packet, done));
  });
  wrapHook(this, 'authenticate', (inner) => (client, user, pass, done) => {
    test = inner;
    rejected.authenticate!(client, user, pass, done);
  });
  const shared = onRedis.has((this as unknown as { persistence: object }).persistence);
  const patched = applyBrokerPatches(this, { limits: DEFAULT_LIMITS, shared });
  const handle = patched.handle.bind(patched);
  patched.handle = (conn: Duplex, req?: IncomingMessage) =>
    handle(conn, req, { batchWrites: batch });
};
