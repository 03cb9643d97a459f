import type { Duplex } from 'node:stream';

/** Broker limits; every value is a ceiling that protects the server, not a tuning knob. */
export interface BrokerLimits {
  /** Largest MQTT packet accepted, header included (bytes). */
  maxPacketBytes: number;
  /** Bytes queued towards one client before it is disconnected as too slow. */
  maxOutgoingBytes: number;
  /** Most levels in a topic name or filter. */
  maxTopicLevels: number;
  /** A socket that sends no CONNECT within this time is closed [MQTT-3.1.0-1]. */
  connectTimeoutMs: number;
}

/** The defaults: a workshop laptop with a few hundred browsers and a fleet simulator. */
export const DEFAULT_LIMITS: BrokerLimits = {
  maxPacketBytes: 256 * 1024,
  maxOutgoingBytes: 1024 * 1024,
  maxTopicLevels: 32,
  connectTimeoutMs: 10_000,
};

/**
 * Makes `stream` accept up to `maxBytes` of queued output before it is destroyed as too slow.
 *
 * Aedes waits for 'drain' whenever a write returns false (above the 16 KiB high-water mark),
 * and that wait holds one of the broker's shared delivery slots: a few slow browsers can then
 * stall delivery for everyone while publishes pile up unbounded in the broker's queue. Here a
 * write reports "keep going" while the client's queue is under the cap, and past the cap the
 * client is disconnected, so each client costs at most `maxBytes` and nobody waits on it.
 */
export function capOutgoing(
  stream: Duplex,
  maxBytes: number,
  queued: () => number,
  onOverflow: () => void,
): void {
  const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  let tripped = false;
  (stream as unknown as { write: (...args: unknown[]) => boolean }).write = (...args) => {
    const ok = write(...args);
    if (tripped || stream.destroyed) return ok;
    if (queued() > maxBytes) {
      tripped = true;
      onOverflow();
      return false;
    }
    return true;
  };
}
