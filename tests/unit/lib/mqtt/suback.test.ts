// The lab reports what the broker's SUBACK said, never the QoS it asked for. The last test runs the
// real mqtt.js against the real embedded broker, so a change in how mqtt.js reports a refusal fails
// here rather than in front of a learner.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt, { type ClientSubscribeCallback, type MqttClient } from 'mqtt';
import type { Lab } from '../../../../server/app.ts';
import { PacketLog } from '../../../../src/lib/mqtt/packet-log.ts';
import { hexCode, readSuback, refusalReason } from '../../../../src/lib/mqtt/suback.ts';
import { isFirehose } from '../../../../src/lib/wire/mqtt-topic.ts';
import { startTestLab } from '../../../helpers/lab.ts';

describe('reading a SUBACK', () => {
  const asked = [
    { topic: 'lab/#', qos: 2 },
    { topic: '#', qos: 2 },
  ];

  it('takes each filter’s answer from the packet’s return codes, in order [MQTT-3.9.3-1]', () => {
    // What mqtt.js hands the callback when one code is a failure: an error, and the SUBACK.
    const err = new Error('Subscribe error: Unspecified error');
    expect(readSuback(asked, err, { granted: [1, 0x80] })).toEqual([
      { kind: 'granted', filter: 'lab/#', requested: 2, qos: 1 },
      { kind: 'refused', filter: '#', requested: 2, code: 0x80 },
    ]);
    expect(readSuback(asked.slice(0, 1), null, { granted: [2] })).toEqual([
      { kind: 'granted', filter: 'lab/#', requested: 2, qos: 2 },
    ]);
  });

  it('reads any MQTT 5.0 reason code from 0x80 up as a refusal', () => {
    expect(readSuback(asked.slice(1), new Error('x'), { granted: [0x87] })[0]).toMatchObject({
      kind: 'refused',
      code: 0x87,
    });
    expect(hexCode(0x87)).toBe('0x87');
    expect(hexCode(0x80)).toBe('0x80');
  });

  it('tells "nothing was sent" from "no SUBACK came"', () => {
    // mqtt.js calls back (null, []) without a packet when the client already holds the filter.
    expect(readSuback(asked.slice(0, 1), null, undefined)[0]!.kind).toBe('not-sent');
    expect(readSuback(asked.slice(0, 1), new Error('Connection closed'), undefined)[0]).toEqual({
      kind: 'no-answer',
      filter: 'lab/#',
      requested: 2,
      message: 'Connection closed',
    });
  });

  it('blames the lab’s access rule only where it applies', () => {
    const embedded = { protocolVersion: 4 as const, embeddedBroker: true, anonymous: true };
    expect(refusalReason('#', 0x80, embedded)).toBe('acl');
    expect(refusalReason('+/+/#', 0x80, embedded)).toBe('acl');
    expect(refusalReason('race/#', 0x80, embedded)).toBe('race');
    expect(refusalReason('race/x', 0x80, { ...embedded, embeddedBroker: false })).toBe('v311');
    // Logged-in clients, other filters and other brokers get the generic 3.1.1 explanation.
    expect(refusalReason('#', 0x80, { ...embedded, anonymous: false })).toBe('v311');
    expect(refusalReason('lab/#', 0x80, embedded)).toBe('v311');
    expect(refusalReason('#', 0x80, { ...embedded, embeddedBroker: false })).toBe('v311');
    expect(refusalReason('#', 0x87, { ...embedded, protocolVersion: 5 })).toBe('v5');
    for (const f of ['#', '+/#', '+/+/#']) expect(isFirehose(f)).toBe(true);
    for (const f of ['lab/#', '+/x', '$SYS/#', 'a/+']) expect(isFirehose(f)).toBe(false);
  });

  it('marks a refused SUBACK in the packet diagram, in the spec’s hex notation', () => {
    const log = new PacketLog(() => 0);
    const row = log.add('subscriber', 'in', { cmd: 'suback', messageId: 3, granted: [1, 0x80] });
    expect(row.refused).toEqual([0x80]);
    expect(row.fields['granted']).toBe('1, 0x80');
    expect(
      log.add('subscriber', 'in', { cmd: 'suback', messageId: 4, granted: [2] }).refused,
    ).toEqual([]);
  });
});

describe('mqtt.js against the lab’s broker', () => {
  let lab: Lab;
  let client: MqttClient;

  beforeAll(async () => {
    lab = await startTestLab();
    client = await mqtt.connectAsync(`ws://127.0.0.1:${lab.port}/mqtt`, {
      protocolVersion: 4,
      reconnectPeriod: 0,
    });
  });
  afterAll(async () => {
    await client.endAsync(true);
    await lab.close();
  });

  /** Subscribes and returns exactly what mqtt.js passes to the callback. */
  function subscribe(filter: string, qos: 0 | 1 | 2): Promise<Parameters<ClientSubscribeCallback>> {
    return new Promise((resolve) =>
      client.subscribe(filter, { qos }, (err, granted, packet) => resolve([err, granted, packet])),
    );
  }

  it('reports a refused "#" as granted at the requested QoS unless the SUBACK is read', async () => {
    const [err, granted, packet] = await subscribe('#', 2);
    // The trap the lab fell into: the second argument still says QoS 2.
    expect(err).toBeInstanceOf(Error);
    expect(granted?.[0]?.qos).toBe(2);
    expect(packet?.granted).toEqual([0x80]);
    expect(readSuback([{ topic: '#', qos: 2 }], err, packet)).toEqual([
      { kind: 'refused', filter: '#', requested: 2, code: 0x80 },
    ]);
  });

  it('reads a granted subscription as granted', async () => {
    const [err, , packet] = await subscribe('lab/suback/#', 2);
    expect(readSuback([{ topic: 'lab/suback/#', qos: 2 }], err, packet)).toEqual([
      { kind: 'granted', filter: 'lab/suback/#', requested: 2, qos: 2 },
    ]);
  });
});
