// The embedded broker's periodic statistics, published under $SYS for the lab to show.

/** Topic of the statistics message (retained, JSON). A `#` filter does not see it [MQTT-4.7.2-1]. */
export const SYS_STATS_TOPIC = '$SYS/lab/stats';

/** How often each protective limit of the broker has answered, since it started. */
export interface BrokerLimitCounts {
  /** Topic filters refused (SUBACK 0x80) for the per-SUBSCRIBE or per-client cap. */
  subscriptions: number;
  /** Retained publishes refused (the publisher disconnected) for a retained cap. */
  retained: number;
  /** CONNECTs refused (CONNACK 0x03) because the broker holds its most persistent sessions. */
  sessions: number;
  /** QoS 1/2 messages not queued for a session that already held its most. */
  queued: number;
  /** Publishers disconnected for holding too many QoS 2 messages unreleased. */
  inflight: number;
  /** Anonymous CONNECTs refused (CONNACK 0x05) for a client id reserved to an account. */
  identities: number;
  /** CONNECTs refused (CONNACK 0x01) for an unsupported protocol name or level. */
  protocol: number;
  /** QoS 0 messages dropped because the delivery queue was full. */
  shed: number;
  /** Times publishers were paused because the delivery queue was full. */
  paused: number;
}

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
  /** Answers of the protective limits (absent from brokers older than this field). */
  limits?: BrokerLimitCounts;
  /** Messages waiting in the broker's delivery queue right now. */
  queued?: number;
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
