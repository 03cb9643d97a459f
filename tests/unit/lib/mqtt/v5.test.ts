// The MQTT 5.0 side of the lab: packet sizes and fields of the packet log (differential against
// mqtt-packet, which encodes what mqtt.js sends), and the eight MQTT 5.0 experiments run with
// mqtt.js against the real Debian Mosquitto that `--broker mosquitto` starts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import mqtt, { type IClientOptions, type Packet } from 'mqtt';
import mqttPacket from 'mqtt-packet';
import type { Lab } from '../../../../server/app.ts';
import { PacketLog, packetBytes } from '../../../../src/lib/mqtt/packet-log.ts';
import type { ExperimentEnv } from '../../../../src/lib/mqtt/experiments.ts';
import * as v5 from '../../../../src/lib/mqtt/v5-experiments.ts';
import { startTestLab } from '../../../helpers/lab.ts';

const buf = (s: string) => Buffer.from(s);

/** Packets as mqtt.js hands them to mqtt-packet, with every property the experiments send. */
const SENT: Packet[] = [
  {
    cmd: 'connect',
    protocolId: 'MQTT',
    protocolVersion: 5,
    clientId: 'lab-sub-1',
    clean: false,
    keepalive: 60,
    properties: { sessionExpiryInterval: 2 },
  },
  {
    cmd: 'connect',
    protocolId: 'MQTT',
    protocolVersion: 5,
    clientId: 'lab-pub-1',
    clean: true,
    keepalive: 60,
    username: 'lab-nobody',
    password: buf('wrong'),
    will: { topic: 'lab/w', payload: buf('gone'), qos: 1, retain: false },
  },
  {
    cmd: 'publish',
    topic: 'lab/exp/thermostat/get',
    payload: 'temperature?',
    qos: 1,
    messageId: 7,
    retain: false,
    dup: false,
    properties: {
      responseTopic: 'lab/exp/replies/1',
      correlationData: buf('req-1'),
      messageExpiryInterval: 60,
      userProperties: { traceId: 't-1', unit: ['°C', 'K'] },
    },
  },
  {
    cmd: 'publish',
    topic: '',
    payload: '21.5',
    qos: 0,
    retain: false,
    dup: false,
    properties: { topicAlias: 1 },
  },
  {
    cmd: 'subscribe',
    messageId: 3,
    subscriptions: [{ topic: '$share/g/lab/jobs', qos: 1, nl: false, rap: false, rh: 2 }],
  },
  { cmd: 'unsubscribe', messageId: 4, unsubscriptions: ['lab/#'] },
  { cmd: 'puback', messageId: 5, reasonCode: 0 },
  { cmd: 'puback', messageId: 5, reasonCode: 0x10 },
  { cmd: 'disconnect', reasonCode: 0x04 },
  { cmd: 'disconnect', reasonCode: 0, properties: { sessionExpiryInterval: 0 } },
] as Packet[];

describe('the packet log in MQTT 5.0', () => {
  it('sizes each packet mqtt.js sends exactly as mqtt-packet encodes it', () => {
    for (const p of SENT) {
      const wire = mqttPacket.generate(p, { protocolVersion: 5 }).length;
      expect(packetBytes(p, 5), p.cmd).toBe(wire);
    }
  });

  it('shows reason codes, properties and subscription options, decoded', () => {
    const log = new PacketLog(() => 0);
    const [connect, , request, , subscribe] = SENT;
    expect(log.add('subscriber', 'out', connect!, 5).fields).toMatchObject({
      'prop.sessionExpiryInterval': '2',
    });
    expect(log.add('publisher', 'out', request!, 5).fields).toMatchObject({
      'prop.responseTopic': 'lab/exp/replies/1',
      'prop.correlationData': 'req-1',
      'prop.userProperties': '{"traceId":"t-1","unit":["°C","K"]}',
    });
    expect(log.add('publisher', 'out', subscribe!, 5).fields['subscriptions']).toBe(
      '$share/g/lab/jobs (QoS 1, retain handling 2)',
    );
    const puback = { cmd: 'puback', messageId: 5, reasonCode: 0x87, length: 3 } as Packet;
    expect(log.add('publisher', 'in', puback, 5).fields['reasonCode']).toBe('0x87');
    const connack = {
      cmd: 'connack',
      sessionPresent: false,
      reasonCode: 0,
      properties: { topicAliasMaximum: 10 },
      length: 6,
    } as Packet;
    expect(log.add('publisher', 'in', connack, 5).fields).toMatchObject({
      reasonCode: '0x00',
      'prop.topicAliasMaximum': '10',
    });
  });
});

const HAVE_MOSQUITTO = existsSync('/usr/sbin/mosquitto');

describe.runIf(HAVE_MOSQUITTO)('the MQTT 5.0 experiments against the managed Mosquitto', () => {
  let lab: Lab;
  let env: ExperimentEnv;

  beforeAll(async () => {
    lab = await startTestLab({ broker: { mode: 'mosquitto', mqttPort: 0, wsPort: 0, bin: null } });
    const url = `mqtt://127.0.0.1:${lab.mqttPort}`;
    const id = Math.floor(Math.random() * 0xffffff).toString(16);
    env = {
      open: (_role: string, opts: IClientOptions) => {
        const c = mqtt.connect(url, opts);
        c.on('error', () => {});
        return c;
      },
      prefix: `lab/exp-${id}`,
      id,
    };
  }, 30_000);
  afterAll(() => lab?.close());

  it('session expiry: the session is back within the interval and gone after it', async () => {
    const r = await v5.runSessionExpiry(env, 1);
    expect(r).toMatchObject({
      withinPresent: true,
      withinGot: ['while away 1'],
      afterPresent: false,
      afterGot: [],
    });
    expect(r.awayMs).toBeGreaterThanOrEqual(1000);
  });

  it('message expiry: the expired message is dropped, the other one comes with what is left', async () => {
    const r = await v5.runMessageExpiry(env, 1);
    expect(r.got.map((m) => m.payload)).toEqual(['firmware 2.1 available']);
    // [MQTT-3.3.2-6]: 60 s less the time it waited, in whole seconds.
    expect(r.got[0]?.expiryS).toBeLessThan(60);
    expect(r.got[0]?.expiryS).toBeGreaterThan(50);
  });

  it('reason codes: each refusal and the will on DISCONNECT 0x04', async () => {
    expect(await v5.runReasonCodes(env)).toEqual({
      badLogin: 0x87,
      subscribeAll: 0x87,
      publishVehicle: 0x87,
      publishNobody: 0x10,
      willAfterDisconnect: true,
    });
  });

  it('user properties arrive unchanged', async () => {
    const r = await v5.runUserProperties(env);
    expect(r.got).toEqual(r.sent);
  });

  it('topic aliases: the bytes saved per message are the topic less the alias property', async () => {
    const r = await v5.runTopicAlias(env);
    const topicBytes = Buffer.byteLength(r.topic);
    expect(r).toMatchObject({ aliasMaximum: 10, delivered: 2 * r.messages });
    // The alias property is 3 bytes (identifier, two-byte value).
    expect(r.firstAliasBytes - r.plainBytes).toBe(3);
    expect(r.savedPerMessage).toBe(topicBytes - 3);
  });

  it('shared subscriptions split the messages between the two members', async () => {
    const r = await v5.runSharedSubscription(env);
    expect(r.perMember[0] + r.perMember[1]).toBe(r.published);
    expect(Math.min(...r.perMember)).toBeGreaterThan(0);
    expect(r.ordinary).toBe(r.published);
  });

  it('request/response: the reply carries the request’s correlation data', async () => {
    const r = await v5.runRequestResponse(env);
    expect(r.gotCorrelation).toBe(r.correlation);
    expect(r.reply).toBe('21.5');
  });

  it('retain handling 0, 1, 2 and no local', async () => {
    expect(await v5.runRetainOptions(env)).toEqual({
      rh0: true,
      rh1New: true,
      rh1Again: false,
      rh2: false,
      noLocalOwn: false,
      noLocalOther: true,
    });
  });
});
