// The embedded broker's caps that pages explain with numbers (the MQTT chapter's queue demo), so
// the server and the page read them from one place.

/** What the embedded broker keeps for one persistent session: QoS 1/2 messages, and their bytes. */
export const SESSION_QUEUE_CAP = {
  /** Messages queued for one session, sent or not yet acknowledged. */
  messages: 20_000,
  /** Bytes (topic and payload) of those messages. */
  bytes: 8 * 1024 * 1024,
} as const;
