import type { Client } from 'aedes';
import type { Duplex } from 'node:stream';

type Callback = () => void;

/** The part of an Aedes packet a QoS 0 delivery reads. */
interface Publish {
  topic: string;
  payload: Buffer | string;
  qos: number;
  retain?: boolean;
  nl?: boolean;
  clientId?: string;
  brokerId?: string | null;
  brokerCounter?: number;
}

/** The Aedes 1.2.0 client internals a delivery goes through. */
interface ClientInternals {
  id: string | null;
  version: number | null;
  connected: boolean;
  connecting?: boolean;
  errored: boolean;
  conn: Duplex;
  duplicates: Record<string, number>;
  broker: { authorizeForward(client: Client, packet: Publish): Publish | null | undefined };
  deliver0: (packet: Publish, cb: Callback) => void;
  waitForDrain(cb: (err?: Error | null) => void): void;
  _onError(err?: Error | null): void;
}

// The bytes of the last message encoded for a payload: a message going out to many
// subscribers is encoded once (each subscription wraps the packet, but shares the payload).
const encoded = new WeakMap<Buffer, { topic: string; retain: boolean; bytes: Buffer }>();

/** A QoS 0 PUBLISH as one buffer (MQTT 3.1.1 §3.3): no packet identifier, DUP 0 [MQTT-3.3.1-2]. */
export function encodePublish0(topic: string, payload: Buffer | string, retain: boolean): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const hit = typeof payload === 'string' ? undefined : encoded.get(payload);
  if (hit && hit.topic === topic && hit.retain === retain) return hit.bytes;
  const topicLength = Buffer.byteLength(topic);
  const remaining = 2 + topicLength + body.length;
  // Remaining Length: 1-4 bytes of 7 bits each (§2.2.3).
  let lengthBytes = 1;
  for (let n = remaining; n >= 128; n = Math.floor(n / 128)) lengthBytes++;
  const bytes = Buffer.allocUnsafe(1 + lengthBytes + remaining);
  let at = 0;
  bytes[at++] = 0x30 | (retain ? 1 : 0);
  for (let n = remaining; ;) {
    const digit = n % 128;
    n = Math.floor(n / 128);
    bytes[at++] = n > 0 ? digit | 0x80 : digit;
    if (n === 0) break;
  }
  bytes.writeUInt16BE(topicLength, at);
  at += 2;
  at += bytes.write(topic, at, 'utf8');
  body.copy(bytes, at);
  if (typeof payload !== 'string') encoded.set(payload, { topic, retain, bytes });
  return bytes;
}

/**
 * Replaces an MQTT 3.1.1 client's QoS 0 delivery with one that writes each message as one
 * buffer, encoded once for all its subscribers.
 *
 * Aedes writes a PUBLISH through mqtt-packet as four or five small writes (header, length,
 * topic, payload), each a trip through Node's stream machinery, and encodes it again for every
 * subscriber: in a profile of QoS 0 fan-in, stream calls, encoding and its debug logging took
 * more time than the broker's own logic. The checks and their order are Aedes' own (no-local,
 * one delivery per message, `authorizeForward`), and the write still waits for the next turn
 * of the event loop, as Aedes' does, so QoS 0 and QoS 1/2 messages keep their order. Clients of
 * other protocol versions keep Aedes' delivery.
 */
export function fastQos0Delivery(client: Client): void {
  const c = client as unknown as ClientInternals;
  const original = c.deliver0;
  c.deliver0 = (packet, cb) => {
    if (c.version !== 3 && c.version !== 4) {
      original(packet, cb);
      return;
    }
    // MQTT 5 no-local: never back to the client that published it.
    if (packet.nl && packet.clientId === c.id) {
      setImmediate(cb);
      return;
    }
    // One delivery per message, however many of the client's subscriptions match.
    const id = packet.brokerId;
    if (id) {
      const counter = packet.brokerCounter ?? 0;
      if ((c.duplicates[id] ?? 0) >= counter) {
        setImmediate(cb);
        return;
      }
      c.duplicates[id] = counter;
    }
    const forward = c.broker.authorizeForward(client, packet);
    if (!forward) {
      setImmediate(cb);
      return;
    }
    setImmediate(() => {
      if (!c.connected && !c.connecting) {
        c._onError(new Error('connection closed'));
        cb();
        return;
      }
      const bytes = encodePublish0(forward.topic, forward.payload, forward.retain === true);
      if (!c.conn.write(bytes) && !c.errored) {
        c.waitForDrain((err) => {
          c._onError(err);
          cb();
        });
        return;
      }
      cb();
    });
  };
}
