import { describe, expect, it } from 'vitest';
import mqttPacket from 'mqtt-packet';
import { encodePublish0 } from '../../../../server/broker/fast-delivery.ts';

/** What mqtt-packet (the encoder Aedes uses) writes for the same QoS 0 PUBLISH. */
function reference(topic: string, payload: Buffer, retain: boolean): Buffer {
  return mqttPacket.generate({ cmd: 'publish', topic, payload, qos: 0, dup: false, retain });
}

describe('encodePublish0', () => {
  // Payload sizes on both sides of each Remaining Length step (1, 2 and 3 bytes, §2.2.3).
  it.each([0, 1, 100, 122, 123, 124, 125, 16_378, 16_379, 16_380, 300_000])(
    'encodes a %i-byte payload exactly as mqtt-packet does',
    (size) => {
      const payload = Buffer.alloc(size, 0x61);
      expect(encodePublish0('lab/a', payload, false)).toEqual(reference('lab/a', payload, false));
    },
  );

  it('counts the topic in UTF-8 bytes and sets RETAIN when asked', () => {
    const payload = Buffer.from('21.5 °C');
    const topic = 'lab/温度/客厅';
    expect(encodePublish0(topic, payload, true)).toEqual(reference(topic, payload, true));
    expect(encodePublish0(topic, payload, true)[0]).toBe(0x31);
  });

  it('encodes a shared payload once per topic, and again when the topic or flag differs', () => {
    const payload = Buffer.from('x');
    const first = encodePublish0('lab/a', payload, false);
    expect(encodePublish0('lab/a', payload, false)).toBe(first);
    expect(encodePublish0('lab/b', payload, false)).toEqual(reference('lab/b', payload, false));
    expect(encodePublish0('lab/b', payload, true)).toEqual(reference('lab/b', payload, true));
  });

  it('accepts a string payload (publishes made by the server itself)', () => {
    expect(encodePublish0('$SYS/lab/stats', '{"clients":1}', false)).toEqual(
      reference('$SYS/lab/stats', Buffer.from('{"clients":1}'), false),
    );
  });
});
