// One publisher's messages reach a subscriber in the order they were sent, per QoS, when QoS 0
// and QoS 1 messages are interleaved, over the lab's TCP listener (writes gathered per turn)
// and its WebSocket endpoint: [MQTT-4.6.0-6] asks for order per topic and QoS. The QoS 0 fast
// path (fast-delivery.ts) writes straight to the socket while Aedes' QoS 1 writes are gathered
// for a turn, which must not reorder either kind.
//
// Order across QoS is not kept, by Aedes itself: a QoS 1 message waits for the persistence's
// subscriptionsByTopic (aedes.js enqueueOffline) before it is dispatched, so the QoS 0 messages
// right behind it overtake it. The spec allows this; the test records it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt, { type MqttClient } from 'mqtt';
import { startEmbedded, type BrokerUnderTest } from '../../../helpers/brokers.ts';
import { waitFor } from '../../../helpers/lab.ts';
import { prng } from '../../../helpers/mqtt-raw.ts';
import mqttPacket from 'mqtt-packet';

let broker: BrokerUnderTest;
beforeAll(async () => {
  broker = await startEmbedded();
});
afterAll(() => broker.stop());

async function connect(url: string, clientId: string): Promise<MqttClient> {
  const c = mqtt.connect(url, { clientId, reconnectPeriod: 0 });
  await new Promise<void>((resolve, reject) =>
    c.once('connect', () => resolve()).once('error', reject),
  );
  return c;
}

describe.each(['tcp', 'ws'] as const)('over %s', (transport) => {
  it('delivers 2,000 interleaved QoS 0 and QoS 1 messages from one publisher in order', async () => {
    const url = transport === 'tcp' ? broker.tcpUrl : broker.wsUrl;
    const topic = `lab/order-${transport}`;
    const sub = await connect(url, `order-sub-${transport}`);
    const pub = await connect(url, `order-pub-${transport}`);
    try {
      await sub.subscribeAsync(topic, { qos: 1 });
      const got: number[] = [];
      const qosOf: number[] = [];
      // In the order the packets came off the wire (mqtt.js emits 'message' for QoS 1 later).
      sub.on('packetreceive', (packet) => {
        if (packet.cmd !== 'publish') return;
        got.push(Number(packet.payload.toString()));
        qosOf.push(packet.qos);
      });
      // Runs of each QoS of random length, so that both kinds share a turn of the event loop
      // at the broker in every arrangement.
      const rand = prng(0x0de7);
      // Written as raw packets in a few large writes: mqtt.js would itself send a QoS 1
      // message only after storing it, i.e. after the QoS 0 messages that follow it.
      const packets: Buffer[] = [];
      const sentQos: number[] = [];
      let qos: 0 | 1 = 0;
      for (let n = 1; n <= 2_000; n++) {
        if (rand() < 0.3) qos = qos === 0 ? 1 : 0;
        sentQos.push(qos);
        const publish: mqttPacket.IPublishPacket = {
          cmd: 'publish',
          topic,
          payload: String(n),
          qos,
          retain: false,
          dup: false,
        };
        if (qos) publish.messageId = n;
        packets.push(mqttPacket.generate(publish));
      }
      for (let i = 0; i < packets.length; i += 500) {
        (pub.stream as unknown as { write(b: Buffer): boolean }).write(
          Buffer.concat(packets.slice(i, i + 500)),
        );
      }
      await waitFor(() => got.length >= 2_000, `2,000 messages, got ${got.length}`, 20_000);
      expect(qosOf).toContain(0);
      expect(qosOf).toContain(1);
      const inOrder = (q: number) => {
        const seq = got.filter((_n, i) => qosOf[i] === q);
        return seq.every((n, i) => i === 0 || n > seq[i - 1]!);
      };
      expect({ qos0: inOrder(0), qos1: inOrder(1), count: new Set(got).size }).toEqual({
        qos0: true,
        qos1: true,
        count: 2_000,
      });
      // Sent in order, each QoS of a different length: both kinds shared turns at the broker.
      expect(qosOf.filter((q) => q === 0).length).toBe(sentQos.filter((q) => q === 0).length);
    } finally {
      await Promise.all([sub.endAsync(true), pub.endAsync(true)]);
    }
  });
});
