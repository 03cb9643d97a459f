// aedes-persistence-redis ships no types; the lab uses its factory with an ioredis connection.
declare module 'aedes-persistence-redis' {
  import type { Redis } from 'ioredis';

  /** Options the lab passes (the package takes ioredis options too). */
  interface RedisPersistenceOptions {
    /** The connection to use instead of one it would open. */
    conn?: Redis;
    /** Queued messages replayed to a returning session at most (default 1000). */
    maxSessionDelivery?: number;
    /** Seconds an offline message is kept; 0 keeps it until delivered. */
    packetTTL?: (packet: unknown) => number;
  }

  /** An Aedes persistence backed by Redis (opaque to the lab: Aedes drives it). */
  export default function aedesPersistenceRedis(opts?: RedisPersistenceOptions): object;
}
