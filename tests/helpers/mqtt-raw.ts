// A few hand-built MQTT 3.1.1 packets, for tests that must send what mqtt.js never would.

/** Remaining Length encoding (§2.2.3). */
export function varint(n: number): Buffer {
  const out: number[] = [];
  do {
    let d = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) d |= 0x80;
    out.push(d);
  } while (n > 0);
  return Buffer.from(out);
}

/** A UTF-8 string with its two-byte length (§1.5.3). */
export function str(s: string): Buffer {
  const b = Buffer.from(s);
  const len = Buffer.alloc(2);
  len.writeUInt16BE(b.length);
  return Buffer.concat([len, b]);
}

/** A whole packet from its first byte and body. */
export function packet(first: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([first]), varint(body.length), body]);
}

/** CONNECT, protocol level 4, clean session, keep-alive 0. */
export function connectPacket(clientId: string, flags = 0x02): Buffer {
  return packet(0x10, Buffer.concat([str('MQTT'), Buffer.from([4, flags, 0, 0]), str(clientId)]));
}

/** PUBLISH at QoS 0. */
export function publishPacket(topic: string, payload: Buffer): Buffer {
  return packet(0x30, Buffer.concat([str(topic), payload]));
}

/** SUBSCRIBE to one filter. */
export function subscribePacket(id: number, filter: string, qos: number): Buffer {
  const pid = Buffer.alloc(2);
  pid.writeUInt16BE(id);
  return packet(0x82, Buffer.concat([pid, str(filter), Buffer.from([qos])]));
}

/** An acknowledgement that carries only a packet identifier (PUBACK, PUBREC, PUBREL, PUBCOMP). */
export function ackPacket(first: number, id: number): Buffer {
  const pid = Buffer.alloc(2);
  pid.writeUInt16BE(id);
  return packet(first, pid);
}

/** One packet read off the wire: its type (the high nibble of the first byte) and body. */
export interface RawPacket {
  type: number;
  flags: number;
  body: Buffer;
}

/** The packet identifier of a PUBLISH at QoS > 0 or of an acknowledgement. */
export function packetId(p: RawPacket): number {
  if (p.type !== 3) return p.body.readUInt16BE(0);
  return p.body.readUInt16BE(2 + p.body.readUInt16BE(0));
}

/** Splits a byte stream into packets as they arrive; keeps a partial one for the next chunk. */
export class PacketReader {
  readonly packets: RawPacket[] = [];
  #pending = Buffer.alloc(0);

  /** Adds bytes from the socket. */
  feed(chunk: Buffer): void {
    this.#pending = Buffer.concat([this.#pending, chunk]);
    for (;;) {
      const b = this.#pending;
      let length = 0;
      let i = 1;
      for (let mult = 1; ; mult *= 128, i++) {
        if (i >= b.length) return;
        length += (b[i]! & 0x7f) * mult;
        if ((b[i]! & 0x80) === 0) break;
      }
      const end = i + 1 + length;
      if (b.length < end) return;
      this.packets.push({ type: b[0]! >> 4, flags: b[0]! & 0x0f, body: b.subarray(i + 1, end) });
      this.#pending = b.subarray(end);
    }
  }
}

/** A small deterministic PRNG (mulberry32), so a failing fuzz run can be replayed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A malformed or mutated packet: random bytes, a valid packet with flipped bytes, bad lengths. */
export function malformedPacket(rand: () => number, topic: string): Buffer {
  const pick = Math.floor(rand() * 7);
  const bytes = (n: number) =>
    Buffer.from(Array.from({ length: n }, () => Math.floor(rand() * 256)));
  const valid = [
    connectPacket(`fz${Math.floor(rand() * 1e6)}`),
    publishPacket(topic, bytes(8)),
    subscribePacket(1 + Math.floor(rand() * 100), `${topic}/+`, 1),
    packet(0xc0, Buffer.alloc(0)), // PINGREQ
  ];
  const base = Buffer.from(valid[Math.floor(rand() * valid.length)]!);
  switch (pick) {
    case 0:
      return bytes(1 + Math.floor(rand() * 64));
    case 1: {
      // Flip a few bytes of a valid packet.
      for (let k = 0; k < 1 + Math.floor(rand() * 3); k++) {
        base[Math.floor(rand() * base.length)] = Math.floor(rand() * 256);
      }
      return base;
    }
    case 2:
      // Truncated.
      return base.subarray(0, Math.max(1, Math.floor(rand() * base.length)));
    case 3:
      // Remaining Length longer than four bytes (§2.2.3).
      return Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x7f]);
    case 4:
      // Reserved packet types 0 and 15.
      return packet(rand() < 0.5 ? 0x00 : 0xf0, bytes(4));
    case 5:
      // Wrong fixed-header flags on SUBSCRIBE ([MQTT-3.8.1-1] requires 0b0010).
      return packet(0x80, base.subarray(2));
    default:
      // Topic with invalid UTF-8 (a lone 0xff) [MQTT-1.5.3-1].
      return packet(0x30, Buffer.concat([Buffer.from([0, 3, 0x61, 0xff, 0x62]), bytes(4)]));
  }
}
