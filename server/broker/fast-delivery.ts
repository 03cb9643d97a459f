import type { Client } from 'aedes';
import type { Duplex } from 'node:stream';
import mqttPacket from 'mqtt-packet';
import { encodable, encodePublish } from './encode.ts';

type Callback = () => void;

/** The part of an Aedes packet a QoS 0 delivery reads. */
interface Publish {
  cmd?: string;
  topic: string | Buffer;
  payload?: Buffer | string | null;
  qos: number;
  retain?: boolean;
  dup?: boolean;
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

const EMPTY = Buffer.alloc(0);
const noop = (): void => {};

// The last message encoded. A message going out to many subscribers reaches them one after
// another (each subscription wraps the packet, but shares the payload), so one entry is enough
// for it to be encoded once; a WeakMap of every payload cost more in garbage collection than
// it saved when each message goes to one subscriber.
let last: { payload: Buffer; topic: string | Buffer; retain: boolean; bytes: Buffer } | undefined;

/** A QoS 0 PUBLISH as one buffer (MQTT 3.1.1 §3.3): no packet identifier, DUP 0 [MQTT-3.3.1-2]. */
export function encodePublish0(
  topic: string | Buffer,
  payload: Buffer | string,
  retain: boolean,
): Buffer {
  if (last && last.payload === payload && last.topic === topic && last.retain === retain) {
    return last.bytes;
  }
  const bytes = encodePublish(topic, payload, 0, undefined, false, retain);
  if (typeof payload !== 'string') last = { payload, topic, retain, bytes };
  return bytes;
}

/**
 * Replaces an MQTT 3.1.1 client's QoS 0 delivery with one that writes each message as one
 * buffer, encoded once for all its subscribers, and handles a turn's deliveries together.
 *
 * Aedes writes a PUBLISH through mqtt-packet as four or five small writes (header, length,
 * topic, payload), each a trip through Node's stream machinery, encodes it again for every
 * subscriber, and gives every delivery an immediate of its own: in a profile of QoS 0 fan-in,
 * stream calls, encoding and its debug logging took more time than the broker's own logic.
 * The checks and their order are Aedes' own (no-local, one delivery per message,
 * `authorizeForward`), and the writes still wait for the next turn of the event loop, as
 * Aedes' do. QoS 0 messages keep their order; the spec asks for order within one topic and
 * QoS [MQTT-4.6.0-6], and Aedes' QoS 1/2 path (untouched) already takes turns of its own.
 * Clients of other protocol versions keep Aedes' delivery.
 */
export function fastQos0Delivery(client: Client): void {
  const c = client as unknown as ClientInternals;
  // Internals of Aedes 1.2; a release without them must fail loudly here, not lose messages.
  for (const name of ['deliver0', 'waitForDrain', '_onError'] as const) {
    if (typeof c[name] !== 'function') {
      throw new Error(`Aedes client has no ${name}(): see server/broker/patches/internals.ts`);
    }
  }
  if (typeof c.duplicates !== 'object' || typeof c.broker.authorizeForward !== 'function') {
    throw new Error('Aedes client internals changed: see server/broker/patches/internals.ts');
  }
  const original = c.deliver0;
  // This turn's deliveries: the bytes to write (or, for what our encoder does not take, the
  // packet for mqtt-packet), and whom to tell once they are written.
  let bytes: (Buffer | Publish)[] = [];
  let callbacks: Callback[] = [];

  const run = (): void => {
    const out = bytes;
    const done = callbacks;
    bytes = [];
    callbacks = [];
    let full = false;
    // The checks of Aedes' lib/write.js, in its order: the connection's state, then the write.
    if (!c.connected && !c.connecting) c._onError(new Error('connection closed'));
    else {
      // The turn's encoded messages as one write with a callback: write batching
      // (write-batching.ts) hands such a write, after whatever it had gathered, straight to the
      // socket, instead of waiting for one more turn of the event loop as for Aedes' own writes.
      // This is already the end of the turn in which they were delivered.
      let whole: Buffer[] = [];
      const writeWhole = (): void => {
        if (whole.length === 0) return;
        const buf = whole.length === 1 ? whole[0]! : Buffer.concat(whole);
        whole = [];
        if (!c.conn.write(buf, noop) && !c.errored) full = true;
      };
      for (const b of out) {
        if (Buffer.isBuffer(b)) {
          whole.push(b);
          continue;
        }
        writeWhole();
        try {
          // mqtt-packet destroys the stream itself for a bad topic, and throws for a bad payload.
          if (!mqttPacket.writeToStream(b as mqttPacket.IPublishPacket, c.conn) && !c.errored) {
            full = true;
          }
        } catch {
          c._onError(new Error('packet received not valid'));
          whole = [];
          break;
        }
      }
      writeWhole();
    }
    if (full) {
      c.waitForDrain((err) => {
        c._onError(err);
        for (const cb of done) cb();
      });
      return;
    }
    for (const cb of done) cb();
  };

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
    if (bytes.length === 0) setImmediate(run);
    // As Aedes' Packet and mqtt-packet read what authorizeForward returns: no payload is an
    // empty one, and any truthy RETAIN sets the flag.
    const payload = forward.payload || EMPTY;
    const retain = Boolean(forward.retain);
    if (encodable(forward.topic, payload)) {
      bytes.push(encodePublish0(forward.topic, payload, retain));
    } else {
      bytes.push({ cmd: 'publish', topic: forward.topic, payload, qos: 0, retain, dup: false });
    }
    callbacks.push(cb);
  };
}
