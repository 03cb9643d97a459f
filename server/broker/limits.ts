import type { Duplex } from 'node:stream';
import { SESSION_QUEUE_CAP } from '../../src/lib/wire/broker-limits.ts';

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
  /** Topic filters granted in one SUBSCRIBE; the rest get return code 0x80. */
  maxFiltersPerSubscribe: number;
  /** Topic filters one client may hold at once; new ones past it get 0x80. */
  maxSubscriptionsPerClient: number;
  /** Retained topics whose latest message came from one client id. */
  maxRetainedPerClient: number;
  /** Bytes (topic and payload) of those retained messages. */
  maxRetainedBytesPerClient: number;
  /** Retained topics held by the broker in all. */
  maxRetainedTotal: number;
  /** Bytes of all retained messages. */
  maxRetainedBytesTotal: number;
  /** Persistent sessions (CleanSession = 0) the broker keeps, connected or not. */
  maxSessions: number;
  /** QoS 1/2 messages queued for one persistent session, sent or not yet acknowledged. */
  maxQueuedPerSession: number;
  /** Bytes of those messages. */
  maxQueuedBytesPerSession: number;
  /** Bytes queued for all persistent sessions together. */
  maxQueuedBytesTotal: number;
  /** Incoming QoS 2 messages of one session waiting for their PUBREL, across connections. */
  maxInflightInbound: number;
  /** Messages waiting for a slot in the broker's delivery queue before QoS 0 is shed. */
  maxDeliveryQueue: number;
  /** PUBLISH packets one connection hands over before the others get their turn. */
  maxPublishesPerTurn: number;
}

/** The defaults: a workshop laptop with a few hundred browsers and a fleet simulator. */
export const DEFAULT_LIMITS: BrokerLimits = {
  maxPacketBytes: 256 * 1024,
  maxOutgoingBytes: 1024 * 1024,
  maxTopicLevels: 32,
  connectTimeoutMs: 10_000,
  maxFiltersPerSubscribe: 64,
  maxSubscriptionsPerClient: 256,
  maxRetainedPerClient: 100,
  maxRetainedBytesPerClient: 1024 * 1024,
  maxRetainedTotal: 20_000,
  maxRetainedBytesTotal: 64 * 1024 * 1024,
  maxSessions: 2000,
  // Mosquitto's default is 1,000, but the lab's own reliability runs hold 10,000 QoS 1
  // messages unacknowledged for one session across reconnects (behaviour.test.ts).
  maxQueuedPerSession: SESSION_QUEUE_CAP.messages,
  maxQueuedBytesPerSession: SESSION_QUEUE_CAP.bytes,
  maxQueuedBytesTotal: 128 * 1024 * 1024,
  maxInflightInbound: 100,
  // Draining a full queue takes one turn of the event loop: 20,000 waiting held HTTP for
  // 0.2-0.85 s at a time in the overload bench, 2,000 for under 40 ms.
  maxDeliveryQueue: 2000,
  // About 1 ms of work for small messages (read-governor.ts).
  maxPublishesPerTurn: 64,
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
