import type { Aedes } from 'aedes';
import {
  SYS_STATS_TOPIC,
  type BrokerLimitCounts,
  type BrokerStats,
} from '../../src/lib/wire/mqtt-stats.ts';

/** Every limit counter at zero. */
export function newLimitCounts(): BrokerLimitCounts {
  return {
    subscriptions: 0,
    retained: 0,
    sessions: 0,
    queued: 0,
    inflight: 0,
    identities: 0,
    protocol: 0,
    shed: 0,
    paused: 0,
  };
}

/** Counts the broker's traffic and publishes it under `$SYS` every interval. */
export class BrokerStatsPublisher {
  inTotal = 0;
  outTotal = 0;
  slowDisconnects = 0;
  /** Answers of each protective limit; the limit's code increments its own counter. */
  readonly limits: BrokerLimitCounts;
  /** Reports the delivery queue's length (set by the overload guard). */
  queueLength: () => number = () => 0;
  readonly #aedes: Aedes;
  readonly #timer: ReturnType<typeof setInterval>;
  #lastIn = 0;
  #lastOut = 0;
  #lastAt = Date.now();

  constructor(aedes: Aedes, intervalMs: number, limits: BrokerLimitCounts = newLimitCounts()) {
    this.#aedes = aedes;
    this.limits = limits;
    aedes.on('publish', (_packet, client) => {
      // Only what clients send; the broker's own $SYS publishes have no client.
      if (client) this.inTotal++;
    });
    this.#timer = setInterval(() => this.publish(), intervalMs);
    this.#timer.unref();
  }

  /** Counts one PUBLISH sent to a client. */
  countOut(): void {
    this.outTotal++;
  }

  /** The figures now, with rates over the time since the last call. */
  snapshot(): BrokerStats {
    const now = Date.now();
    const secs = Math.max((now - this.#lastAt) / 1000, 0.001);
    const stats: BrokerStats = {
      clients: this.#aedes.connectedClients,
      inPerS: Math.round((this.inTotal - this.#lastIn) / secs),
      outPerS: Math.round((this.outTotal - this.#lastOut) / secs),
      inTotal: this.inTotal,
      outTotal: this.outTotal,
      slowDisconnects: this.slowDisconnects,
      limits: { ...this.limits },
      queued: this.queueLength(),
      at: new Date(now).toISOString(),
    };
    this.#lastIn = this.inTotal;
    this.#lastOut = this.outTotal;
    this.#lastAt = now;
    return stats;
  }

  /** Publishes a snapshot, retained, so a new subscriber gets the latest at once. */
  publish(): void {
    if (this.#aedes.closed) return;
    this.#aedes.publish(
      {
        cmd: 'publish',
        topic: SYS_STATS_TOPIC,
        payload: Buffer.from(JSON.stringify(this.snapshot())),
        qos: 0,
        retain: true,
        dup: false,
      },
      () => {},
    );
  }

  /** Stops publishing. */
  close(): void {
    clearInterval(this.#timer);
  }
}
