import { describe, expect, it } from 'vitest';
import type { Packet } from 'mqtt';
import { diagnose } from '../../../../src/lib/mqtt/doctor.ts';
import { PacketLog, packetBytes } from '../../../../src/lib/mqtt/packet-log.ts';
import {
  defaultSettings,
  fromRecord,
  toSearchParams,
  validateSettings,
} from '../../../../src/lib/mqtt/settings.ts';
import { Tally } from '../../../../src/lib/mqtt/experiments.ts';

const here = 'ws://127.0.0.1:4321/mqtt';

describe('settings', () => {
  it('accepts the defaults once the server’s URL is known', () => {
    expect(validateSettings(defaultSettings(), here)).toEqual([]);
  });

  it('explains each bad value before connecting', () => {
    const s = {
      ...defaultSettings(),
      preset: 'custom' as const,
      customUrl: 'http://x',
      keepalive: -1,
      reconnectPeriod: 1.5,
      clean: false,
      clientId: '',
      willTopic: 'a/#',
    };
    expect(validateSettings(s, here).map((p) => p.key)).toEqual([
      'err.url',
      'err.clientId',
      'err.keepalive',
      'err.reconnect',
      'err.willTopic',
    ]);
  });

  it('round-trips through a shared URL, without the password', () => {
    const s = {
      ...defaultSettings(),
      protocolVersion: 5 as const,
      clean: false,
      password: 'secret',
      willQos: 2 as const,
    };
    const params = toSearchParams(s);
    expect(params.toString()).not.toContain('secret');
    const back = fromRecord(defaultSettings(), (k) => params.get(k));
    expect({ ...back, password: 'secret' }).toEqual(s);
  });

  it('ignores values it does not understand', () => {
    const base = defaultSettings();
    const back = fromRecord(
      base,
      (k) => ({ 'mqtt.protocolVersion': '7', 'mqtt.keepalive': 'x' })[k] ?? null,
    );
    expect(back).toEqual(base);
  });
});

describe('the connection doctor', () => {
  const base = {
    url: 'ws://h/mqtt',
    pageProtocol: 'http:',
    protocolVersion: 4 as const,
    opened: true,
  };
  it.each([
    [{ ...base, pageProtocol: 'https:', opened: false }, 'mixed-content'],
    [{ ...base, url: 'http://h' }, 'bad-url'],
    [{ ...base, opened: false }, 'refused'],
    [{ ...base, code: 5 }, 'connack-5'],
    [{ ...base, code: 2 }, 'connack-2'],
    [{ ...base, protocolVersion: 5 as const, code: 1 }, 'v5-unsupported'],
    [{ ...base, message: 'connack timeout' }, 'timeout'],
    [{ ...base }, 'closed'],
  ])('%j → %s', (symptoms, expected) => {
    expect(diagnose(symptoms)).toBe(expected);
  });
});

describe('the packet log', () => {
  it('sizes packets as they go on the wire', () => {
    // PUBLISH QoS 1 "a/b" with 5 bytes: 1 + 1 + (2+3 + 2 + 5) = 14.
    expect(
      packetBytes({
        cmd: 'publish',
        topic: 'a/b',
        payload: Buffer.from('hello'),
        qos: 1,
        retain: false,
        dup: false,
        messageId: 1,
      }),
    ).toBe(14);
    expect(packetBytes({ cmd: 'puback', messageId: 1 })).toBe(4);
    expect(packetBytes({ cmd: 'pingreq' })).toBe(2);
    // A received packet carries its Remaining Length from the parser.
    expect(packetBytes({ cmd: 'publish', length: 200 } as unknown as Packet)).toBe(203);
  });

  it('records time, direction and fields, and keeps a bounded history', () => {
    let t = 1000;
    const log = new PacketLog(() => t, 3);
    t = 1005;
    const row = log.add('publisher', 'out', {
      cmd: 'subscribe',
      messageId: 7,
      subscriptions: [{ topic: 'lab/#', qos: 1 }],
    });
    expect(row).toMatchObject({
      t: 5,
      dir: 'out',
      type: 'SUBSCRIBE',
      fields: { subscriptions: 'lab/# (QoS 1)', messageId: '7' },
    });
    for (let i = 0; i < 5; i++) log.add('subscriber', 'in', { cmd: 'pingresp' });
    expect(log.rows).toHaveLength(3);
    expect(log.rows.every((r) => r.ping)).toBe(true);
  });
});

describe('scenario bookkeeping', () => {
  it('counts distinct, duplicate and missing messages', () => {
    const tally = new Tally();
    for (const n of [1, 2, 2, 3, 5, 5, 5]) tally.add(n);
    expect(tally.distinct).toBe(4);
    expect(tally.duplicates).toBe(3);
    expect(tally.missing(6)).toEqual([4, 6]);
    expect(tally.lost(6)).toBe(2);
  });
});
