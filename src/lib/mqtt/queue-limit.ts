// The MQTT chapter's queue-limit experiment: fill an offline persistent session past the broker's
// per-session cap and count what comes back. DOM-free: the caller opens the mqtt.js clients.
import type { MqttClient } from 'mqtt';
import { close, connected, type ClientFactory } from './experiments.ts';
import { SESSION_QUEUE_CAP } from '../wire/broker-limits.ts';
import { SYS_STATS_TOPIC, parseBrokerStats, type BrokerStats } from '../wire/mqtt-stats.ts';
import { QUEUE_DEMO_COUNT, QUEUE_DEMO_PAYLOAD } from './queue-sizes.ts';

export { QUEUE_DEMO_COUNT, QUEUE_DEMO_PAYLOAD };

/** Where the experiment stands, for a progress line (with messages published, or received on return). */
export type QueuePhase = 'subscribe' | 'publish' | 'return' | 'stats' | 'done';

/** What the experiment saw. */
export interface QueueReport {
  topic: string;
  /** Bytes the broker counts per message: topic plus payload. */
  messageBytes: number;
  published: number;
  /** Distinct messages the returning session received. */
  received: number;
  /** Numbers of the first and last message received (1-based), or null. */
  first: number | null;
  last: number | null;
  /** Whether the distinct numbers, in order of first arrival, run 1, 2, 3, … with no gap. */
  inOrder: boolean;
  /** Deliveries beyond the first of the same message (resent after a cut, with DUP set). */
  duplicates: number;
  /** Times the broker cut the returning session as too slow before it had everything. */
  cuts: number;
  /** What the lab's caps predict for this run. */
  expected: number;
  /** The `limits.queued` counter of `$SYS/lab/stats` before and after; null without it. */
  counterBefore: number | null;
  counterAfter: number | null;
}

/** What the experiment needs. */
export interface QueueEnv {
  open: ClientFactory;
  /** Six characters of [a-z0-9]: the topic is `lab/qlimit-<id>`, 17 bytes. */
  id: string;
  count?: number;
  payloadBytes?: number;
  /** Caps the prediction uses; the embedded broker's by default. */
  cap?: { messages: number; bytes: number };
  onProgress?: (phase: QueuePhase, published: number) => void;
  /** Upper bound for each wait (ms). */
  timeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * How many of `count` messages of `messageBytes` each an empty session queue keeps under `cap`,
 * by the embedded broker's rule: keep while both the message count and the byte total stay within
 * the cap, except that an empty queue takes one message however large (server/broker/quotas.ts).
 */
export function keptUnderCap(
  count: number,
  messageBytes: number,
  cap: { messages: number; bytes: number } = SESSION_QUEUE_CAP,
): number {
  if (count <= 0) return 0;
  const byBytes = Math.max(1, Math.floor(cap.bytes / messageBytes));
  return Math.min(count, Math.max(1, cap.messages), byBytes);
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Reads the message number from the first four bytes of a payload. */
function numberOf(p: Uint8Array): number {
  return p.byteLength < 4 ? 0 : new DataView(p.buffer, p.byteOffset, 4).getUint32(0);
}

/** Follows `$SYS/lab/stats`; `next()` resolves with the next statistics to arrive (or null). */
function watchStats(
  client: MqttClient,
  timeoutMs: number,
): { next(): Promise<BrokerStats | null>; stop(): void } {
  const waiting = new Set<(s: BrokerStats | null) => void>();
  client.on('message', (topic, payload: Uint8Array) => {
    if (topic !== SYS_STATS_TOPIC) return;
    const stats = parseBrokerStats(new TextDecoder().decode(payload));
    if (!stats) return;
    for (const w of waiting) w(stats);
    waiting.clear();
  });
  return {
    next: () =>
      new Promise((resolve) => {
        const timer = setTimeout(() => {
          waiting.delete(done);
          resolve(null);
        }, timeoutMs);
        const done = (s: BrokerStats | null) => {
          clearTimeout(timer);
          resolve(s);
        };
        waiting.add(done);
      }),
    stop: () => waiting.clear(),
  };
}

/**
 * A persistent session subscribes at QoS 1 and leaves; `count` messages of `payloadBytes` are
 * published while it is away (each acknowledged by the broker); the session returns and counts
 * what the broker kept for it. Reads the broker's `limits.queued` counter before and after, and
 * leaves no session behind.
 */
export async function runQueueLimitExperiment(env: QueueEnv): Promise<QueueReport> {
  // The demo runs: the page's store notice may now have something to say.
  // Imported when needed, not with this chunk: the page's first load names one chunk fewer.
  void import('../status/store-report.ts').then((m) => m.watchStore());
  const count = env.count ?? QUEUE_DEMO_COUNT;
  const payloadBytes = env.payloadBytes ?? QUEUE_DEMO_PAYLOAD;
  const timeoutMs = env.timeoutMs ?? 10_000;
  const sleep = env.sleep ?? defaultSleep;
  const progress = env.onProgress ?? (() => {});
  const topic = `lab/qlimit-${env.id}`;
  const messageBytes = new TextEncoder().encode(topic).byteLength + payloadBytes;
  const base = { protocolVersion: 4 as const, reconnectPeriod: 0, connectTimeout: timeoutMs };
  const session = { ...base, clientId: `lab-qsub-${env.id}`, clean: false };

  // The statistics come first: the retained copy arrives at once, and tells "before".
  const statsClient = env.open('stats', { ...base, clientId: `lab-qstat-${env.id}` });
  await connected(statsClient);
  const stats = watchStats(statsClient, 3000);
  const firstStats = stats.next();
  await statsClient.subscribeAsync(SYS_STATS_TOPIC, { qos: 0 });
  const counterBefore = (await firstStats)?.limits?.queued ?? null;

  const clients: MqttClient[] = [statsClient];
  try {
    progress('subscribe', 0);
    // Start from no session at all, whatever an earlier run left [MQTT-3.1.2-6].
    const reset = env.open('subscriber', { ...session, clean: true });
    await connected(reset);
    await close(reset);
    let sub = env.open('subscriber', session);
    await connected(sub);
    await sub.subscribeAsync(topic, { qos: 1 });
    await close(sub);

    const pub = env.open('publisher', { ...base, clientId: `lab-qpub-${env.id}` });
    clients.push(pub);
    await connected(pub);
    const payload = new Uint8Array(payloadBytes);
    const view = new DataView(payload.buffer);
    for (let n = 1; n <= count; n++) {
      view.setUint32(0, n);
      // One at a time: each PUBACK says the broker accepted the message [MQTT-4.3.2-2].
      await pub.publishAsync(topic, payload as Buffer, { qos: 1 });
      progress('publish', n);
    }
    await close(pub);

    progress('return', 0);
    const expected = keptUnderCap(count, messageBytes, env.cap);
    const seen: number[] = [];
    let cuts = 0;
    // The broker hands the stored queue over as fast as it can write it; over WebSocket that can
    // outrun the socket and trip its slow-reader cap (1 MiB waiting). The session survives a cut:
    // reconnecting resumes it, and unacknowledged messages come again with DUP set [MQTT-4.4.0-1].
    sub = env.open('subscriber', { ...session, reconnectPeriod: 500 });
    clients.push(sub);
    sub.on('message', (_t, p: Uint8Array) => seen.push(numberOf(p)));
    sub.on('close', () => cuts++);
    sub.on('error', () => {});
    await connected(sub);
    // Wait until the prediction is met, or nothing new has come for a while: a busy page can
    // take seconds over 8 MB, so the quiet limit is generous (it ends runs on other brokers).
    const deadline = Date.now() + 3 * timeoutMs;
    let last = -1;
    let quietSince = Date.now();
    while (Date.now() < deadline && Date.now() - quietSince < 6000) {
      const distinct = new Set(seen).size;
      if (distinct >= expected) break;
      await sleep(50);
      if (seen.length !== last) {
        last = seen.length;
        quietSince = Date.now();
        progress('return', distinct);
      }
    }
    // A straggler resent after the last cut would only be a duplicate; give it a moment.
    await sleep(200);
    sub.options.reconnectPeriod = 0;

    progress('stats', count);
    // The counter moved when the broker refused the messages, before their PUBACKs; the second
    // statistics message after them was certainly taken afterwards (one may be in transit).
    let counterAfter: number | null = null;
    if (counterBefore !== null) {
      await stats.next();
      counterAfter = (await stats.next())?.limits?.queued ?? null;
    }
    const distinct = [...new Set(seen)];
    progress('done', count);
    return {
      topic,
      messageBytes,
      published: count,
      received: distinct.length,
      first: distinct.length > 0 ? Math.min(...distinct) : null,
      last: distinct.length > 0 ? Math.max(...distinct) : null,
      inOrder: distinct.every((n, i) => n === i + 1),
      duplicates: seen.length - distinct.length,
      cuts,
      expected,
      counterBefore,
      counterAfter,
    };
  } finally {
    stats.stop();
    await Promise.all(clients.map((c) => close(c)));
    // Leave no session (and no queue) behind on the broker.
    const cleanup = env.open('subscriber', { ...session, clean: true });
    await connected(cleanup).catch(() => {});
    await close(cleanup);
  }
}
