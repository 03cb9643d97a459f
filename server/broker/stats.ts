import type { Aedes } from 'aedes';
import { SYS_STATS_TOPIC, type BrokerStats } from '../../src/lib/wire/mqtt-stats.ts';

/** Counts the broker's traffic and publishes it under `$SYS` every interval. */
export class BrokerStatsPublisher {
  inTotal = 0;
  outTotal = 0;
  slowDisconnects = 0;
  readonly #aedes: Aedes;
  readonly #timer: ReturnType<typeof setInterval>;
  #lastIn = 0;
  #lastOut = 0;
  #lastAt = Date.now();

  constructor(aedes: Aedes, intervalMs: number) {
    this.#aedes = aedes;
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
