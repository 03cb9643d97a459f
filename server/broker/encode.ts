import mqttPacket from 'mqtt-packet';
import type { Writable } from 'node:stream';

/** Packet type codes (MQTT 3.1.1 §2.2.1 Table 2.1) of the acknowledgements encoded here. */
const ACK_TYPES: Readonly<Record<string, number>> = { puback: 4, pubrec: 5, pubrel: 6, pubcomp: 7 };

/** A PUBLISH as one buffer (MQTT 3.1.1 §3.3): fixed header, topic, packet identifier, payload. */
export function encodePublish(
  topic: string | Buffer,
  payload: Buffer | string,
  qos: 0 | 1 | 2,
  messageId: number | undefined,
  dup: boolean,
  retain: boolean,
): Buffer {
  const topicLength = typeof topic === 'string' ? Buffer.byteLength(topic) : topic.length;
  const payloadLength = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
  const remaining = 2 + topicLength + (qos > 0 ? 2 : 0) + payloadLength;
  // Remaining Length: 1-4 bytes of 7 bits each (§2.2.3).
  let lengthBytes = 1;
  for (let n = remaining; n >= 128; n = Math.floor(n / 128)) lengthBytes++;
  const bytes = Buffer.allocUnsafe(1 + lengthBytes + remaining);
  let at = 0;
  bytes[at++] = 0x30 | (dup ? 0x08 : 0) | (qos << 1) | (retain ? 0x01 : 0);
  for (let n = remaining; ;) {
    const digit = n % 128;
    n = Math.floor(n / 128);
    bytes[at++] = n > 0 ? digit | 0x80 : digit;
    if (n === 0) break;
  }
  bytes.writeUInt16BE(topicLength, at);
  at += 2;
  at += typeof topic === 'string' ? bytes.write(topic, at, 'utf8') : topic.copy(bytes, at);
  // [MQTT-2.3.1-5]: a packet identifier only at QoS 1 and 2.
  if (qos > 0) at = bytes.writeUInt16BE(messageId!, at);
  if (typeof payload === 'string') bytes.write(payload, at, 'utf8');
  else payload.copy(bytes, at);
  return bytes;
}

/** PUBACK, PUBREC, PUBREL or PUBCOMP (§3.4-3.7): four bytes; PUBREL's flags are 0010 [MQTT-3.6.1-1]. */
export function encodeAck(type: number, messageId: number): Buffer {
  const bytes = Buffer.allocUnsafe(4);
  bytes[0] = (type << 4) | (type === 6 ? 0x02 : 0);
  bytes[1] = 2;
  bytes.writeUInt16BE(messageId, 2);
  return bytes;
}

/** The fields of an outgoing packet that decide whether it is encoded here. */
interface OutgoingPacket {
  cmd?: string;
  topic?: unknown;
  payload?: unknown;
  qos?: number;
  messageId?: unknown;
  dup?: unknown;
  retain?: unknown;
  properties?: unknown;
}

/** Largest Remaining Length of a packet (§2.2.3: four bytes of seven bits). */
const MAX_REMAINING = 268_435_455;

/**
 * Whether a PUBLISH with this topic and payload can be written by `encodePublish`: the types
 * mqtt-packet takes, a topic of at most 65,535 bytes (§1.5.3), and a packet within the largest
 * Remaining Length. Anything else is left to mqtt-packet, whose errors Aedes reports.
 */
export function encodable(topic: unknown, payload: unknown): topic is string | Buffer {
  if (typeof topic !== 'string' && !Buffer.isBuffer(topic)) return false;
  if (typeof payload !== 'string' && !Buffer.isBuffer(payload)) return false;
  const topicLength = typeof topic === 'string' ? Buffer.byteLength(topic) : topic.length;
  if (topicLength > 0xffff) return false;
  const payloadLength = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
  return 2 + topicLength + 2 + payloadLength <= MAX_REMAINING;
}

const validId = (id: unknown): id is number =>
  typeof id === 'number' && Number.isInteger(id) && id >= 0 && id <= 0xffff;

/**
 * The packet as one buffer, for the packets a busy broker writes most (PUBLISH and its
 * acknowledgements, MQTT 3.1.1 only); undefined for anything else, and for anything mqtt-packet
 * would refuse, so that its checks and errors stay its own.
 */
export function encodeCommon(packet: OutgoingPacket): Buffer | undefined {
  if (packet.properties !== undefined) return undefined;
  if (packet.cmd === 'publish') {
    const { topic, qos = 0 } = packet;
    const payload = packet.payload ?? Buffer.alloc(0);
    if (!encodable(topic, payload)) return undefined;
    if (qos !== 0 && qos !== 1 && qos !== 2) return undefined;
    if (qos > 0 && !validId(packet.messageId)) return undefined;
    const id = qos > 0 ? (packet.messageId as number) : undefined;
    const body = payload as string | Buffer;
    // Flags as mqtt-packet reads them: any truthy value sets them.
    return encodePublish(topic, body, qos, id, Boolean(packet.dup), Boolean(packet.retain));
  }
  const type = packet.cmd === undefined ? undefined : ACK_TYPES[packet.cmd];
  // mqtt-packet throws on a PUBREL marked DUP (3.1.1 has no such flag on it); Aedes reports that.
  if (type === undefined || !validId(packet.messageId) || packet.dup) return undefined;
  return encodeAck(type, packet.messageId);
}

type WriteToStream = (packet: object, stream: Writable, opts?: object) => boolean;

let installed = false;

/** The client each connection's stream belongs to, for what depends on its protocol level. */
const clientOfStream = new WeakMap<object, { version: number | null }>();

/** Tells the packet writer which client (and so which protocol level) `stream` is for. */
export function streamOfClient(stream: object, client: { version: number | null }): void {
  clientOfStream.set(stream, client);
}

/**
 * Makes the packet writes Aedes makes (through mqtt-packet's `writeToStream`, which it calls
 * without options, i.e. for MQTT 3.1.1) one buffer and one `write` each for PUBLISH and its
 * acknowledgements.
 *
 * mqtt-packet writes a packet as four to six small chunks and calls `debug` at each step; in
 * a profile of QoS 1 fan-in those writes and their logging took about a tenth of the broker's
 * CPU. The bytes are the same (the tests compare them with mqtt-packet's). Calls with options
 * (mqtt.js clients in the same process pass theirs) and every other packet keep mqtt-packet's
 * own encoder.
 */
export function writeCommonPacketsWhole(): void {
  if (installed) return;
  installed = true;
  const exports = mqttPacket as unknown as { writeToStream: WriteToStream };
  const original = exports.writeToStream;
  if (typeof original !== 'function') {
    throw new Error('mqtt-packet has no writeToStream(): see server/broker/patches/internals.ts');
  }
  const whole: WriteToStream = (packet, stream, opts) => {
    const p = packet as { cmd?: string; sessionPresent?: boolean };
    if (p.cmd === 'connack' && p.sessionPresent && clientOfStream.get(stream)?.version === 3) {
      // MQTT 3.1 reserves the byte before the return code ("not used"); 3.1.1 made its low
      // bit Session Present (§3.2.2.2). Aedes sets it for every level; Mosquitto, only from 4.
      return original({ ...packet, sessionPresent: false }, stream, opts);
    }
    const bytes = opts === undefined ? encodeCommon(packet) : undefined;
    return bytes ? stream.write(bytes) : original(packet, stream, opts);
  };
  // mqtt.js turns the number cache off through this property; it must still reach mqtt-packet.
  Object.defineProperty(whole, 'cacheNumbers', {
    get: () => (original as unknown as { cacheNumbers: boolean }).cacheNumbers,
    set: (value: boolean) => {
      (original as unknown as { cacheNumbers: boolean }).cacheNumbers = value;
    },
  });
  exports.writeToStream = whole;
}
