import { describe, expect, it } from 'vitest';
import mqttPacket, { type Packet } from 'mqtt-packet';
import { PacketFramer, type FrameSink } from '../../../../server/broker/ingress.ts';
import { prng } from '../../../helpers/mqtt-raw.ts';

/** A framer whose PUBLISH and other packets end up in one list, the second via mqtt-packet. */
function framed(opts: { decode?: boolean; max?: number } = {}) {
  const packets: Packet[] = [];
  const decoded: string[] = [];
  const others: Buffer[] = [];
  const parser = mqttPacket.parser({ protocolVersion: 4 });
  parser.on('packet', (p: Packet) => packets.push(p));
  const errors: Error[] = [];
  parser.on('error', (e: Error) => errors.push(e));
  const sink: FrameSink = {
    decodeCommon: () => opts.decode ?? true,
    packet: (p) => {
      decoded.push(p.topic ?? p.cmd);
      packets.push(p);
    },
    other: (bytes) => {
      others.push(bytes);
      parser.parse(bytes);
      return errors.length === 0;
    },
    open: () => true,
  };
  const framer = new PacketFramer(opts.max ?? 256 * 1024, sink);
  return { framer, packets, decoded, others, errors };
}

/** The fields a broker reads from a parsed packet (mqtt-packet's class adds nothing else). */
// The fields' values, and which fields exist (a field set to undefined counts: Aedes' own tests
// compare whole packets).
const plain = (p: Packet) => ({
  fields: Object.keys(p).sort(),
  values: JSON.parse(JSON.stringify(p)) as unknown,
});

const publish = (
  topic: string,
  payload: string | Buffer,
  qos: 0 | 1 | 2,
  messageId?: number,
  flags: { retain?: boolean; dup?: boolean } = {},
) =>
  mqttPacket.generate({
    cmd: 'publish',
    topic,
    payload,
    qos,
    retain: flags.retain ?? false,
    dup: flags.dup ?? false,
    ...(qos ? { messageId: messageId ?? 1 } : {}),
  });

describe('PacketFramer', () => {
  it('hands over the same packets as mqtt-packet, however the bytes are split', () => {
    const rand = prng(7);
    const stream: Buffer[] = [];
    for (let i = 0; i < 400; i++) {
      const kind = Math.floor(rand() * 8);
      const payload = Buffer.alloc(Math.floor(rand() * 300), i & 0xff);
      if (kind === 0) stream.push(publish(`lab/t/${i}`, payload, 0, 0, { retain: i % 2 === 0 }));
      else if (kind === 1)
        stream.push(publish(`lab/温度/${i}`, payload, 1, 1 + i, { dup: i % 2 === 0 }));
      else if (kind === 2) stream.push(publish('lab/q2', payload, 2, 1 + i));
      else if (kind === 3) stream.push(mqttPacket.generate({ cmd: 'puback', messageId: 1 + i }));
      else if (kind === 4) stream.push(mqttPacket.generate({ cmd: 'pubrec', messageId: 1 + i }));
      else if (kind === 5) stream.push(mqttPacket.generate({ cmd: 'pubrel', messageId: 1 + i }));
      else if (kind === 6) stream.push(mqttPacket.generate({ cmd: 'pubcomp', messageId: 1 + i }));
      else stream.push(mqttPacket.generate({ cmd: 'pingreq' }));
    }
    const bytes = Buffer.concat(stream);
    const expected: Packet[] = [];
    const reference = mqttPacket.parser({ protocolVersion: 4 });
    reference.on('packet', (p: Packet) => expected.push(p));
    reference.parse(bytes);

    const { framer, packets, decoded } = framed();
    for (let at = 0; at < bytes.length;) {
      const n = 1 + Math.floor(rand() * 200);
      expect(framer.feed(bytes.subarray(at, at + n))).toBe('ok');
      at += n;
    }
    expect(packets.map(plain)).toEqual(expected.map(plain));
    expect(decoded.length).toBeGreaterThan(300);
  });

  it('leaves everything to mqtt-packet until the connection has a protocol version', () => {
    const { framer, decoded, packets, others } = framed({ decode: false });
    const bytes = Buffer.concat([publish('lab/a', 'x', 0), publish('lab/b', 'y', 1)]);
    framer.feed(bytes);
    expect(decoded).toEqual([]);
    expect(packets.map((p) => (p as { topic: string }).topic)).toEqual(['lab/a', 'lab/b']);
    // Consecutive packets go over together.
    expect(others).toEqual([bytes]);
  });

  it('passes a PUBLISH with both QoS bits set to mqtt-packet, which rejects it [MQTT-3.3.1-4]', () => {
    const { framer, decoded, errors } = framed();
    const bad = publish('lab/a', 'x', 1);
    bad[0] = 0x36;
    framer.feed(Buffer.concat([publish('lab/ok', 'x', 0), bad, publish('lab/after', 'x', 0)]));
    expect(decoded).toEqual(['lab/ok']);
    expect(errors.map((e) => e.message)).toEqual(['Packet must not have both QoS bits set to 1']);
  });

  it('passes a PUBREL without its required flags to mqtt-packet, which rejects it [MQTT-3.6.1-1]', () => {
    const { framer, decoded, errors } = framed();
    framer.feed(Buffer.from([0x40, 2, 0, 1, 0x60, 2, 0, 2]));
    expect(decoded).toEqual(['puback']);
    expect(errors.map((e) => e.message)).toEqual([
      'Invalid header flag bits, must be 0x2 for pubrel packet',
    ]);
  });

  it('passes a PUBLISH whose topic is longer than the packet to mqtt-packet', () => {
    const { framer, decoded, errors } = framed();
    framer.feed(Buffer.from([0x30, 0x03, 0x00, 0x09, 0x61]));
    expect(decoded).toEqual([]);
    expect(errors.map((e) => e.message)).toEqual(['Cannot parse topic']);
  });

  it('refuses an oversized packet from its header, before the body arrives', () => {
    const { framer, packets } = framed({ max: 100 });
    expect(framer.feed(publish('lab/a', Buffer.alloc(90), 0))).toBe('ok');
    // Header of a 1,000-byte PUBLISH: type byte and a two-byte Remaining Length.
    expect(framer.feed(Buffer.from([0x30, 0xe8, 0x07]))).toBe('too-large');
    expect(packets).toHaveLength(1);
  });

  it('refuses a split header that grows past the limit, and garbage', () => {
    const split = framed({ max: 100 });
    expect(split.framer.feed(Buffer.from([0x30]))).toBe('ok');
    expect(split.framer.feed(Buffer.from([0xe8]))).toBe('ok');
    expect(split.framer.feed(Buffer.from([0x07]))).toBe('too-large');
    // Packet type 0 is reserved (§2.2.1); a fifth Remaining Length byte is not allowed (§2.2.3).
    expect(framed().framer.feed(Buffer.from([0x00, 0x00]))).toBe('malformed');
    expect(framed().framer.feed(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01]))).toBe(
      'malformed',
    );
  });
});
