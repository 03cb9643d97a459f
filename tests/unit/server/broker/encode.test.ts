import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import mqttPacket from 'mqtt-packet';
import {
  encodeAck,
  encodeCommon,
  encodePublish,
  writeCommonPacketsWhole,
} from '../../../../server/broker/encode.ts';

/** A stream that keeps each chunk written to it. */
function chunks() {
  const got: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      got.push(chunk);
      cb();
    },
  });
  return { stream, got };
}

describe('encodePublish', () => {
  const cases: [string, string | Buffer, string | Buffer, 0 | 1 | 2, boolean, boolean][] = [];
  // Payload sizes on both sides of each Remaining Length step (§2.2.3), every QoS and flag.
  for (const size of [0, 1, 117, 118, 119, 16_370, 16_371, 16_372, 2_097_140])
    for (const qos of [0, 1, 2] as const)
      cases.push(['lab/a', 'lab/a', Buffer.alloc(size, 0x61), qos, size % 2 === 0, qos === 1]);
  cases.push(['a UTF-8 topic and string payload', 'lab/温度', '21.5 °C', 1, false, true]);
  cases.push(['a Buffer topic', Buffer.from('lab/b'), Buffer.from('x'), 2, true, false]);

  it.each(cases)(
    'writes the bytes mqtt-packet writes: %s, QoS %#',
    (_name, topic, payload, qos, dup, retain) => {
      const messageId = qos ? 0xfeed : undefined;
      const reference = mqttPacket.generate({
        cmd: 'publish',
        topic: topic as string,
        payload,
        qos,
        dup,
        retain,
        ...(messageId ? { messageId } : {}),
      });
      const got = encodePublish(topic, payload, qos, messageId, dup, retain);
      // The head (fixed header, topic, id) with a readable diff, then every byte with
      // Buffer#equals: toEqual walks a 2 MiB buffer element by element, about 1 s a case.
      expect(got.subarray(0, 64)).toEqual(reference.subarray(0, 64));
      expect(got.length).toBe(reference.length);
      expect(got.equals(reference)).toBe(true);
    },
  );
});

describe('encodeAck', () => {
  it.each([
    ['puback', 4],
    ['pubrec', 5],
    ['pubrel', 6],
    ['pubcomp', 7],
  ] as const)('writes %s as mqtt-packet does, PUBREL with flags 0010', (cmd, type) => {
    for (const messageId of [1, 300, 65_535])
      expect(encodeAck(type, messageId)).toEqual(mqttPacket.generate({ cmd, messageId }));
  });
});

describe('encodeCommon', () => {
  it('leaves what it does not encode, or what mqtt-packet would refuse, to mqtt-packet', () => {
    const publish = { cmd: 'publish', topic: 'lab/a', payload: Buffer.from('x'), qos: 1 as const };
    expect(encodeCommon({ ...publish, messageId: 1 })).toBeDefined();
    expect(encodeCommon({ ...publish, messageId: 1, properties: {} })).toBeUndefined();
    expect(encodeCommon(publish)).toBeUndefined();
    expect(encodeCommon({ ...publish, messageId: 70_000 })).toBeUndefined();
    expect(encodeCommon({ ...publish, messageId: 1, qos: 3 })).toBeUndefined();
    expect(encodeCommon({ ...publish, messageId: 1, topic: 5 })).toBeUndefined();
    expect(encodeCommon({ cmd: 'puback' })).toBeUndefined();
    expect(encodeCommon({ cmd: 'pubrel', messageId: 1, dup: true })).toBeUndefined();
    expect(encodeCommon({ cmd: 'subscribe', messageId: 1 })).toBeUndefined();
    // A QoS 0 PUBLISH without a payload is an empty message, as in mqtt-packet.
    expect(encodeCommon({ cmd: 'publish', topic: 'lab/a' })).toEqual(
      mqttPacket.generate({
        cmd: 'publish',
        topic: 'lab/a',
        payload: '',
        qos: 0,
        dup: false,
        retain: false,
      }),
    );
  });
});

describe('writeCommonPacketsWhole', () => {
  it('makes an option-less PUBLISH or PUBACK one write, and leaves calls with options alone', async () => {
    writeCommonPacketsWhole();
    const puback = { cmd: 'puback' as const, messageId: 9 };
    const publish = {
      cmd: 'publish' as const,
      topic: 'lab/a',
      payload: Buffer.from('hello'),
      qos: 1 as const,
      messageId: 3,
      dup: false,
      retain: false,
    };
    for (const packet of [puback, publish]) {
      const whole = chunks();
      mqttPacket.writeToStream(packet, whole.stream);
      expect(whole.got).toEqual([mqttPacket.generate(packet)]);
      // mqtt.js passes its options: mqtt-packet's own encoder, chunk by chunk.
      const own = chunks();
      mqttPacket.writeToStream(packet, own.stream, { protocolVersion: 4 });
      // mqtt-packet corks the stream until the next tick.
      await new Promise((r) => process.nextTick(r));
      expect(own.got.length).toBeGreaterThan(1);
      expect(Buffer.concat(own.got)).toEqual(mqttPacket.generate(packet));
    }
  });

  it('still lets mqtt.js switch off mqtt-packet number cache', () => {
    writeCommonPacketsWhole();
    const w = mqttPacket.writeToStream as unknown as { cacheNumbers: boolean };
    expect(w.cacheNumbers).toBe(true);
    w.cacheNumbers = false;
    expect(w.cacheNumbers).toBe(false);
    w.cacheNumbers = true;
  });
});
