import { describe, expect, it } from 'vitest';
import type { Packet } from 'mqtt';
import { diagnose } from '../../../../src/lib/mqtt/doctor.ts';
import { PacketLog, packetBytes } from '../../../../src/lib/mqtt/packet-log.ts';
import {
  SETTINGS_KEY,
  defaultSettings,
  fromRecord,
  loadSettings,
  randomClientId,
  saveSettings,
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

  it('round-trips through a shared URL, without the password or the client id', () => {
    const s = {
      ...defaultSettings(),
      protocolVersion: 5 as const,
      clean: false,
      password: 'secret',
      willQos: 2 as const,
    };
    const params = toSearchParams(s);
    expect(params.toString()).not.toContain('secret');
    expect(params.toString()).not.toContain(s.clientId);
    const receiver = defaultSettings();
    const back = fromRecord(receiver, (k) => params.get(k));
    // The receiver keeps its own identity: sharing a link must not share a session.
    expect({ ...back, password: 'secret' }).toEqual({ ...s, clientId: receiver.clientId });
  });
});

/** A Map behind the Storage interface: one per tab (session) or one per origin (local). */
function memoryStorage() {
  const m = new Map<string, string>();
  return {
    getItem: (k: string) => m.get(k) ?? null,
    setItem: (k: string, v: string) => m.set(k, v),
  };
}

describe('client ids per tab', () => {
  it('two tabs of one origin get different ids, and each keeps its own across a reload', () => {
    const local = memoryStorage();
    const tabA = memoryStorage();
    const tabB = memoryStorage();
    const none = new URLSearchParams();
    const a = loadSettings(defaultSettings(), { local, session: tabA }, none);
    saveSettings({ ...a, keepalive: 45, clean: false }, { local, session: tabA });
    const b = loadSettings(defaultSettings(), { local, session: tabB }, none);
    // Shared settings travel between tabs; the identity does not.
    expect(b.keepalive).toBe(45);
    expect(b.clean).toBe(false);
    expect(b.clientId).not.toBe(a.clientId);
    // A reload of tab A (new defaults, same session storage) keeps A's id: its persistent session.
    const aAgain = loadSettings(defaultSettings(), { local, session: tabA }, none);
    expect(aAgain.clientId).toBe(a.clientId);
    expect(local.getItem(SETTINGS_KEY)).not.toContain(a.clientId);
  });

  it('an id the reader typed is this tab’s; a link carrying an old-style id is ignored', () => {
    const local = memoryStorage();
    const tab = memoryStorage();
    const s = loadSettings(defaultSettings(), { local, session: tab }, new URLSearchParams());
    saveSettings({ ...s, clientId: 'my-sensor' }, { local, session: tab });
    const link = new URLSearchParams({ 'mqtt.clientId': 'someone-else', 'mqtt.keepalive': '10' });
    const back = loadSettings(defaultSettings(), { local, session: tab }, link);
    expect(back.clientId).toBe('my-sensor');
    expect(back.keepalive).toBe(10);
  });

  it('works with storage refused (it throws), and ids need no secure context', () => {
    const refusing = {
      getItem: () => {
        throw new Error('SecurityError');
      },
      setItem: () => {
        throw new Error('SecurityError');
      },
    };
    const s = loadSettings(
      defaultSettings(),
      { local: refusing, session: refusing },
      new URLSearchParams(),
    );
    expect(s.clientId).toMatch(/^lab-[0-9a-f]{8}$/);
    expect(() => saveSettings(s, { local: refusing, session: refusing })).not.toThrow();
    // [MQTT-3.1.3-5]: at most 23 bytes.
    expect(new TextEncoder().encode(randomClientId()).length).toBeLessThanOrEqual(23);
    expect(randomClientId(() => new Uint8Array([0, 1, 0xab, 0xff]))).toBe('lab-0001abff');
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
