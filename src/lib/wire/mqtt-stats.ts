// The embedded broker's periodic statistics, published under $SYS for the lab to show.

/** Topic of the statistics message (retained, JSON). A `#` filter does not see it [MQTT-4.7.2-1]. */
export const SYS_STATS_TOPIC = '$SYS/lab/stats';

/** Body of a statistics message. */
export interface BrokerStats {
  /** Connected MQTT clients (both transports). */
  clients: number;
  /** PUBLISH packets received from clients per second, over the last interval. */
  inPerS: number;
  /** PUBLISH packets sent to clients per second, over the last interval. */
  outPerS: number;
  /** Totals since the broker started. */
  inTotal: number;
  outTotal: number;
  /** Clients disconnected for reading too slowly, since the broker started. */
  slowDisconnects: number;
  /** When these figures were taken (ISO 8601). */
  at: string;
}

/** Parses a statistics payload; null when it is not one. */
export function parseBrokerStats(payload: string): BrokerStats | null {
  try {
    const v = JSON.parse(payload) as Partial<BrokerStats>;
    return typeof v.clients === 'number' &&
      typeof v.inPerS === 'number' &&
      typeof v.outPerS === 'number'
      ? (v as BrokerStats)
      : null;
  } catch {
    return null;
  }
}
