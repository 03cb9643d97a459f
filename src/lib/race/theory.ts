// What each lane must cost at least, from the specs, for a scenario: the theory column beside
// every measurement. Byte counts follow the frame formats exactly; latencies are the model's.
import type { LaneId, Scenario } from '../wire/race.ts';
import {
  HTTP_DATE_LENGTH,
  RACE_LONG_POLL_HOLD_S,
  httpHeadLength,
  messageCount,
  pollHeaders,
  raceSseEvent,
} from '../wire/race.ts';

/** RFC 6455 §5.2: a frame header is 2 bytes, +2 for 126-65535 bytes of payload, +8 beyond. */
export function wsFrameHeader(payload: number, masked = false): number {
  return (payload < 126 ? 2 : payload < 65_536 ? 4 : 10) + (masked ? 4 : 0);
}

/** MQTT 3.1.1 §2.2.3: bytes of the Remaining Length varint (7 bits a byte). */
export function varintLength(n: number): number {
  return n < 128 ? 1 : n < 16_384 ? 2 : n < 2_097_152 ? 3 : 4;
}

/** MQTT 3.1.1 §3.3: a PUBLISH's size: fixed header, 2-byte topic length, topic, [packet id], payload. */
export function mqttPublishSize(topicLength: number, payload: number, qos: 0 | 1): number {
  const remaining = 2 + topicLength + (qos > 0 ? 2 : 0) + payload;
  return 1 + varintLength(remaining) + remaining;
}

/** MQTT 3.1.1 §3.4: a PUBACK is 4 bytes. */
export const PUBACK_SIZE = 4;

/** RFC 9112 §7.1: a chunk's framing: size in hex, CRLF, data, CRLF. */
export function chunkOverhead(length: number): number {
  return length.toString(16).length + 4;
}

/** The theory of one lane for a scenario. */
export interface LaneTheory {
  lane: LaneId;
  /** Bytes per message down beyond the payload (average over the race's messages). */
  downPerMsg: number;
  /** Bytes per message up, or null when it depends on the browser's request headers. */
  upPerMsg: number | null;
  /** Expected median delay on an idle local network (ms), beyond the network's own time. */
  latencyMs: number;
}

// Topic `race/<22-character id>`.
const TOPIC_LENGTH = 27;

function pollBodyOverhead(messages: number, nextSeq: number): number {
  // {"m":["…","…"],"next":N,"done":false}: quotes and commas around each payload, and the frame.
  const frame = `{"m":[],"next":${nextSeq},"done":false}`.length;
  return frame + messages * 2 + Math.max(0, messages - 1);
}

function pollAnswer(messages: number, size: number, nextSeq: number): number {
  const body = pollBodyOverhead(messages, nextSeq) + messages * size;
  return (
    httpHeadLength(200, pollHeaders(body, 'x'.repeat(HTTP_DATE_LENGTH))) + body - messages * size
  );
}

/** Every lane's theory for a scenario. */
export function laneTheory(s: Scenario, lanes: readonly LaneId[]): LaneTheory[] {
  const n = messageCount(s);
  const avg = (f: (seq: number) => number): number => {
    let sum = 0;
    for (let seq = 1; seq <= n; seq++) sum += f(seq);
    return sum / n;
  };
  const gapMs = 1000 / s.rate;
  const intervalMs = s.pollIntervalS * 1000;
  return lanes.map((lane): LaneTheory => {
    switch (lane) {
      case 'shortPoll': {
        // One answer per interval whether or not anything came; messages spread over them.
        const polls = Math.ceil(s.durationS / s.pollIntervalS) + 1;
        const perPoll = n / polls;
        const down = (polls * pollAnswer(Math.min(1, perPoll), s.size, n) + n * 3) / n;
        // A message waits for the next request: half an interval on average, when messages
        // come less often than requests; never less than the gap-free case.
        return { lane, downPerMsg: down, upPerMsg: null, latencyMs: intervalMs / 2 };
      }
      case 'longPoll': {
        // One answer per message while messages are further apart than a round trip; an idle
        // hold ends in a 204 every RACE_LONG_POLL_HOLD_S.
        const down = avg((seq) => pollAnswer(1, s.size, seq));
        const idle = gapMs > RACE_LONG_POLL_HOLD_S * 1000 ? 1 : 0;
        return { lane, downPerMsg: down + idle * 60, upPerMsg: null, latencyMs: 0 };
      }
      case 'sse':
        return {
          lane,
          downPerMsg: avg((seq) => {
            const text = raceSseEvent(seq, 'x'.repeat(0)).length;
            return text + chunkOverhead(text + s.size);
          }),
          upPerMsg: 0,
          latencyMs: 0,
        };
      case 'ws':
        return { lane, downPerMsg: wsFrameHeader(s.size), upPerMsg: 0, latencyMs: 0 };
      case 'mqttWs0':
      case 'mqttWs1': {
        const qos = lane === 'mqttWs1' ? 1 : 0;
        const packet = mqttPublishSize(TOPIC_LENGTH, s.size, qos);
        return {
          lane,
          downPerMsg: packet - s.size + wsFrameHeader(packet),
          upPerMsg: qos ? PUBACK_SIZE + wsFrameHeader(PUBACK_SIZE, true) : 0,
          latencyMs: 0,
        };
      }
      case 'mqttTcp':
        return {
          lane,
          downPerMsg: mqttPublishSize(TOPIC_LENGTH, s.size, 0) - s.size,
          upPerMsg: 0,
          latencyMs: 0,
        };
    }
  });
}
