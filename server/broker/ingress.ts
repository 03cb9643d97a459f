/**
 * What the framer found: all well so far, a packet over the limit, garbage, or a PUBLISH it
 * holds back (with everything after it) until `resume()` because the broker is busy.
 */
export type ScanResult = 'ok' | 'too-large' | 'malformed' | 'paused' | 'too-many-filters';

/** A PUBLISH as mqtt-packet's parser would hand it to Aedes (MQTT 3.1.1 §3.3). */
export class IncomingPublish {
  readonly cmd = 'publish';
  retain: boolean;
  qos: 0 | 1 | 2;
  dup: boolean;
  length: number;
  topic: string;
  payload: Buffer;
  // Only at QoS 1 and 2, as mqtt-packet sets it [MQTT-2.3.1-5]; Aedes' own tests compare the
  // whole object, and a field declared here would exist (as undefined) at QoS 0 too.
  declare messageId?: number;

  constructor(
    first: number,
    length: number,
    topic: string,
    messageId: number | undefined,
    payload: Buffer,
  ) {
    this.retain = (first & 0x01) !== 0;
    this.qos = ((first >> 1) & 0x03) as 0 | 1 | 2;
    this.dup = (first & 0x08) !== 0;
    this.length = length;
    this.topic = topic;
    this.payload = payload;
    if (messageId !== undefined) this.messageId = messageId;
  }
}

const ACK_NAMES = ['puback', 'pubrec', 'pubrel', 'pubcomp'] as const;

/** PUBACK, PUBREC, PUBREL or PUBCOMP as mqtt-packet's parser would hand it to Aedes (§3.4-3.7). */
export class IncomingAck {
  cmd: (typeof ACK_NAMES)[number];
  readonly retain = false;
  qos: 0 | 1;
  readonly dup = false;
  readonly length = 2;
  readonly topic = null;
  readonly payload = null;
  messageId: number;

  constructor(type: number, messageId: number) {
    this.cmd = ACK_NAMES[type - 4]!;
    // PUBREL's fixed header flags are 0010, which mqtt-packet reads as QoS 1 [MQTT-3.6.1-1].
    this.qos = type === 6 ? 1 : 0;
    this.messageId = messageId;
  }
}

/** A packet decoded here. */
export type IncomingPacket = IncomingPublish | IncomingAck;

/** Where framed packets go: the common ones decoded here, the rest as bytes for mqtt-packet. */
export interface FrameSink {
  /** Whether packets may be decoded here (the connection speaks MQTT 3.1.1 or 3.1). */
  decodeCommon(): boolean;
  packet(packet: IncomingPacket): void;
  /** Whole packets only, in order; returns false to stop reading (the parser failed). */
  other(bytes: Buffer): boolean;
  /** Whether the connection can still take packets. */
  open(): boolean;
  /** Whether this PUBLISH (QoS, RETAIN) must wait: the broker's delivery queue is full. */
  wait?(publish: IncomingPublish): boolean;
  /** Whether this PUBLISH is dropped unread by the broker (QoS 0 while the queue is full). */
  shed?(publish: IncomingPublish): boolean;
}

/**
 * Splits a connection's incoming bytes into MQTT packets (§2.2: a type byte, then the
 * Remaining Length in 1-4 bytes of 7 bits each), checking each declared size before its body
 * arrives, so an oversized packet is refused without being buffered, however many reads or
 * WebSocket frames it spans.
 *
 * A well-formed PUBLISH, PUBACK, PUBREC, PUBREL or PUBCOMP of an MQTT 3.1.1 connection is
 * decoded here; everything else goes to mqtt-packet's parser, whole packets only, in order. In
 * a profile of QoS 0 fan-in the general parser (its buffer list, and a `debug` call at every
 * step) took about an eighth of the broker's time, nearly all of it on PUBLISH. Anything
 * unusual (both QoS bits set, a topic longer than the packet, wrong flags) is left to
 * mqtt-packet, so the errors stay its own.
 */
export class PacketFramer {
  readonly #max: number;
  readonly #maxFilters: number;
  readonly #sink: FrameSink;
  // A packet that has not fully arrived: its bytes so far and, once its header is read, its size.
  #held: Buffer[] = [];
  #heldBytes = 0;
  #heldSize = -1;
  // Bytes from a PUBLISH that had to wait on, and what arrived after it.
  #stalled: Buffer[] | null = null;

  constructor(maxPacketBytes: number, sink: FrameSink, maxFilters = Infinity) {
    this.#max = maxPacketBytes;
    this.#maxFilters = maxFilters;
    this.#sink = sink;
  }

  /** Whether a PUBLISH is being held back until `resume()`. */
  get paused(): boolean {
    return this.#stalled !== null;
  }

  /** Hands over what was held back; the answer is `feed`'s for those bytes. */
  resume(): ScanResult {
    const stalled = this.#stalled;
    if (!stalled) return 'ok';
    this.#stalled = null;
    return this.feed(stalled.length === 1 ? stalled[0]! : Buffer.concat(stalled));
  }

  /**
   * Feeds the next chunk; after 'too-large', 'malformed' or 'too-many-filters' (a SUBSCRIBE
   * with more topic filters than allowed) the connection must be closed, and
   * after 'paused' the caller stops reading until it calls `resume()`.
   */
  feed(chunk: Buffer): ScanResult {
    if (this.#stalled) {
      this.#stalled.push(chunk);
      return 'ok';
    }
    let buf = chunk;
    if (this.#heldBytes > 0) {
      this.#held.push(chunk);
      this.#heldBytes += chunk.length;
      // Wait without copying until the held packet is complete.
      if (this.#heldSize > 0 && this.#heldBytes < this.#heldSize) return 'ok';
      buf = Buffer.concat(this.#held, this.#heldBytes);
      this.#held = [];
      this.#heldBytes = 0;
      this.#heldSize = -1;
    }
    const sink = this.#sink;
    let at = 0;
    // Start of a run of packets for mqtt-packet, handed over together.
    let other = -1;
    while (at < buf.length) {
      const first = buf[at]!;
      // A packet type of 0 is reserved (§2.2.1).
      if (first >> 4 === 0) return 'malformed';
      let length = 0;
      let multiplier = 1;
      let i = at + 1;
      let complete = false;
      for (let n = 0; i < buf.length; n++) {
        const byte = buf[i++]!;
        length += (byte & 0x7f) * multiplier;
        multiplier *= 128;
        if ((byte & 0x80) === 0) {
          complete = true;
          break;
        }
        // §2.2.3: at most four bytes of Remaining Length.
        if (n >= 3) return 'malformed';
      }
      if (complete && i - at + length > this.#max) return 'too-large';
      const end = i + length;
      if (!complete || end > buf.length) {
        if (other >= 0 && !sink.other(buf.subarray(other, at))) return 'ok';
        this.#held = [buf.subarray(at)];
        this.#heldBytes = buf.length - at;
        this.#heldSize = complete ? end - at : -1;
        return 'ok';
      }
      const type = first >> 4;
      if (type === 8 && countFilters(buf, i, end) > this.#maxFilters) return 'too-many-filters';
      const decoded =
        type >= 3 && type <= 7 && sink.decodeCommon()
          ? type === 3
            ? this.#publish(buf, first, i, length)
            : this.#ack(buf, first, i, length)
          : undefined;
      if (decoded) {
        if (other >= 0) {
          if (!sink.other(buf.subarray(other, at))) return 'ok';
          other = -1;
        }
        if (!sink.open()) return 'ok';
        if (decoded instanceof IncomingPublish && sink.wait?.(decoded)) {
          this.#stalled = [buf.subarray(at)];
          return 'paused';
        }
        if (!(decoded instanceof IncomingPublish && sink.shed?.(decoded))) sink.packet(decoded);
      } else if (other < 0) other = at;
      at = end;
    }
    if (other >= 0) sink.other(buf.subarray(other, at));
    return 'ok';
  }

  #ack(buf: Buffer, first: number, start: number, length: number): IncomingAck | undefined {
    const type = first >> 4;
    // Reserved flags must be as Table 2.2 says [MQTT-2.2.2-1]; mqtt-packet reports it otherwise.
    if (length !== 2 || (first & 0x0f) !== (type === 6 ? 0x02 : 0)) return undefined;
    return new IncomingAck(type, buf.readUInt16BE(start));
  }

  #publish(buf: Buffer, first: number, start: number, length: number): IncomingPublish | undefined {
    const qos = (first >> 1) & 0x03;
    if (qos === 3 || length < 2) return undefined;
    const topicLength = buf.readUInt16BE(start);
    let at = start + 2 + topicLength;
    const end = start + length;
    if (at + (qos > 0 ? 2 : 0) > end) return undefined;
    const topic = buf.toString('utf8', start + 2, at);
    let messageId: number | undefined;
    if (qos > 0) {
      messageId = buf.readUInt16BE(at);
      at += 2;
    }
    // A view, as mqtt-packet gives: the payload is not copied.
    return new IncomingPublish(first, length, topic, messageId, buf.subarray(at, end));
  }
}

/**
 * The number of topic filters in a SUBSCRIBE whose body is `buf[start..end)` (§3.8.3: after
 * the packet identifier, each filter is a length-prefixed string and a QoS byte), counted
 * without decoding them; a malformed body counts what it holds and is left to mqtt-packet.
 */
export function countFilters(buf: Buffer, start: number, end: number): number {
  let n = 0;
  for (let at = start + 2; at + 2 <= end; n++) at += 2 + buf.readUInt16BE(at) + 1;
  return n;
}
