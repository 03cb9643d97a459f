// The delivery path the lab replaces in Aedes (fast-delivery.ts, conformance.ts, encode.ts,
// write-batching.ts), tested on the wire over TCP with the broker built through
// applyBrokerPatches, as the lab builds it.
import net from 'node:net';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { Aedes, type AedesOptions, type Client } from 'aedes';
import mqtt from 'mqtt';
import mqttPacket, { type Packet } from 'mqtt-packet';
import { applyBrokerPatches } from '../../../../server/broker/patches/index.ts';
import { labAedesOptions } from '../../../../server/broker/embedded.ts';
import { rejectEmptyIdWithSession } from '../../../../server/broker/conformance.ts';
import { DEFAULT_LIMITS, type BrokerLimits } from '../../../../server/broker/limits.ts';
import { waitFor } from '../../../helpers/lab.ts';

const running: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((stop) => stop()));
});

/** A patched broker on a free loopback port, with counts of what it reports. */
async function startBroker(opts: AedesOptions = {}, limits: Partial<BrokerLimits> = {}) {
  const aedes = applyBrokerPatches(
    await Aedes.createBroker({ ...labAedesOptions(DEFAULT_LIMITS), ...opts }),
    { limits: { ...DEFAULT_LIMITS, ...limits }, onSlowDisconnect: () => slow++ },
  );
  let slow = 0;
  const clientErrors: string[] = [];
  aedes.on('clientError', (_c, err) => clientErrors.push(err.message));
  aedes.on('connectionError', () => {});
  const server = net.createServer({ noDelay: true }, (socket) => {
    socket.on('error', () => socket.destroy());
    aedes.handle(socket);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as net.AddressInfo).port;
  running.push(async () => {
    await new Promise<void>((r) => aedes.close(() => r()));
    server.close();
  });
  return { aedes, port, clientErrors, slowDisconnects: () => slow };
}

/** A raw MQTT 3.1.1 (or 3.1) connection that records every packet it gets. */
async function rawClient(port: number, clientId: string, protocolVersion: 3 | 4 = 4) {
  const socket = net.connect(port, '127.0.0.1');
  socket.on('error', () => {});
  const parser = mqttPacket.parser({ protocolVersion });
  const packets: Packet[] = [];
  parser.on('packet', (p: Packet) => packets.push(p));
  socket.on('data', (d: Buffer) => parser.parse(d));
  const send = (p: Packet) => socket.write(mqttPacket.generate(p, { protocolVersion }));
  const protocolId = protocolVersion === 3 ? 'MQIsdp' : 'MQTT';
  send({ cmd: 'connect', protocolId, protocolVersion, clientId, clean: true, keepalive: 0 });
  await waitFor(() => packets.some((p) => p.cmd === 'connack'), 'CONNACK');
  const publishes = () =>
    packets.filter((p): p is mqttPacket.IPublishPacket => p.cmd === 'publish');
  const subscribe = async (...filters: [string, 0 | 1 | 2][]) => {
    const messageId = packets.length + 1;
    send({
      cmd: 'subscribe',
      messageId,
      subscriptions: filters.map(([topic, qos]) => ({ topic, qos })),
    });
    await waitFor(
      () => packets.some((p) => p.cmd === 'suback' && p.messageId === messageId),
      'SUBACK',
    );
  };
  return { socket, packets, publishes, send, subscribe };
}

/** Publishes from the broker itself and waits until mqemitter has dispatched it. */
function brokerPublish(aedes: { publish: Aedes['publish'] }, topic: string, payload: string) {
  return new Promise<void>((resolve) =>
    aedes.publish(
      { cmd: 'publish', topic, payload: Buffer.from(payload), qos: 0, retain: false, dup: false },
      () => resolve(),
    ),
  );
}

/** The connected Aedes client with this id (Aedes' `clients` is not in its types). */
const clientOf = (aedes: object, id: string): Client =>
  (aedes as { clients: Record<string, Client> }).clients[id]!;

describe('the replaced QoS 0 delivery', () => {
  it('delivers a message once to a client whose subscriptions overlap, every time', async () => {
    const { aedes, port } = await startBroker();
    const sub = await rawClient(port, 'overlap');
    await sub.subscribe(['lab/a/b', 0], ['lab/a/+', 0], ['lab/#', 0], ['+/a/#', 0]);
    for (let i = 0; i < 3; i++) await brokerPublish(aedes, 'lab/a/b', `m${i}`);
    // A marker on the same topic and QoS comes after any copy of the messages before it
    // [MQTT-4.6.0-6], so when it is here a duplicate would be too.
    await brokerPublish(aedes, 'lab/a/b', 'end');
    await waitFor(() => sub.publishes().some((p) => String(p.payload) === 'end'), 'the marker');
    expect(sub.publishes().map((p) => String(p.payload))).toEqual(['m0', 'm1', 'm2', 'end']);
  });

  it('never sends a no-local message back to its publisher, and sends it to others', async () => {
    const { aedes, port } = await startBroker();
    const self = await rawClient(port, 'self');
    const other = await rawClient(port, 'other');
    // MQTT 5's no-local [MQTT-3.8.3-3] reaches deliver0 as a packet flag; a 3.1.1 connection
    // cannot ask for it, so the packet is handed to the replaced function directly.
    const packet = (n: number) => ({
      cmd: 'publish' as const,
      topic: 'lab/nl',
      payload: Buffer.from(`nl${n}`),
      qos: 0 as const,
      retain: false,
      dup: false,
      nl: true,
      clientId: 'self',
      brokerId: aedes.id,
      brokerCounter: 1_000_000 + n,
    });
    const deliver = (id: string, n: number) =>
      new Promise<void>((r) =>
        (
          clientOf(aedes, id) as unknown as { deliver0: (p: unknown, cb: () => void) => void }
        ).deliver0(packet(n), r),
      );
    await deliver('self', 1);
    await deliver('other', 2);
    await waitFor(() => other.publishes().length === 1, 'the other client’s copy');
    await brokerPublish(aedes, 'lab/nl-end', 'x');
    expect(self.publishes()).toEqual([]);
  });

  it('drops what authorizeForward refuses and sends what it returns instead', async () => {
    const { aedes, port } = await startBroker({
      authorizeForward: (_client, packet) => {
        if (String(packet.payload) === 'secret') return null;
        if (String(packet.payload) === 'rewrite') {
          // A changed packet: another topic, no payload at all, a truthy non-boolean RETAIN.
          return { ...packet, topic: 'lab/rewritten', payload: undefined, retain: 1 } as never;
        }
        return packet;
      },
    });
    const sub = await rawClient(port, 'forward');
    await sub.subscribe(['lab/f', 0]);
    for (const m of ['open', 'secret', 'rewrite', 'end']) await brokerPublish(aedes, 'lab/f', m);
    await waitFor(() => sub.publishes().length === 3, 'three messages');
    const got = sub.publishes().map((p) => [p.topic, String(p.payload), p.retain]);
    expect(got).toEqual([
      ['lab/f', 'open', false],
      ['lab/rewritten', '', true],
      ['lab/f', 'end', false],
    ]);
  });

  it('ends a client whose forwarded packet cannot be encoded, and keeps serving the others', async () => {
    const { aedes, port, clientErrors } = await startBroker({
      authorizeForward: (client, packet) =>
        client?.id === 'victim' ? ({ ...packet, payload: 42 } as never) : packet,
    });
    const victim = await rawClient(port, 'victim');
    const other = await rawClient(port, 'bystander');
    await victim.subscribe(['lab/bad', 0]);
    await other.subscribe(['lab/bad', 0]);
    const closed = once(victim.socket, 'close');
    await brokerPublish(aedes, 'lab/bad', 'x');
    await closed;
    await waitFor(() => other.publishes().length === 1, 'the bystander’s copy');
    expect(clientErrors).toContain('packet received not valid');
  });

  it('survives a subscriber closing in the middle of a turn of deliveries', async () => {
    // With two dispatches at a time, deliveries whose callbacks never came would stall the rest.
    const { aedes, port } = await startBroker({ concurrency: 2 });
    const leaving = await rawClient(port, 'leaving');
    const staying = await rawClient(port, 'staying');
    await leaving.subscribe(['lab/mid', 0]);
    await staying.subscribe(['lab/mid', 0]);
    const all: Promise<void>[] = [];
    for (let i = 0; i < 200; i++) {
      all.push(brokerPublish(aedes, 'lab/mid', String(i)));
      // Gone while this turn's deliveries to it are gathered and not yet written.
      if (i === 100) clientOf(aedes, 'leaving').close();
    }
    await Promise.all(all);
    await waitFor(() => staying.publishes().length === 200, 'all 200 at the other subscriber');
    expect(staying.publishes().map((p) => Number(String(p.payload)))).toEqual(
      Array.from({ length: 200 }, (_, i) => i),
    );
  });

  it('cuts off a reader that stops reading, without holding up the other subscribers', async () => {
    const max = 64 * 1024;
    const { aedes, port, slowDisconnects } = await startBroker(
      { concurrency: 2 },
      { maxOutgoingBytes: max },
    );
    const slow = await rawClient(port, 'slow');
    const fast = await rawClient(port, 'fast');
    await slow.subscribe(['lab/slow', 0]);
    await fast.subscribe(['lab/slow', 0]);
    slow.socket.pause();
    const payload = 'x'.repeat(8 * 1024);
    // Far more than the cap and the kernel's buffers can hold for the paused reader.
    const total = 2000;
    const all: Promise<void>[] = [];
    for (let i = 0; i < total; i++) all.push(brokerPublish(aedes, 'lab/slow', payload));
    await Promise.all(all);
    await waitFor(
      () => fast.publishes().length === total,
      `all ${total} at the fast reader`,
      15_000,
    );
    expect(slowDisconnects()).toBe(1);
    slow.socket.resume();
    await once(slow.socket, 'close');
  }, 30_000);
});

describe('an MQTT 3.1 client, end to end', () => {
  it('publishes and receives at QoS 0, 1 and 2, and gets retained messages', async () => {
    const { port } = await startBroker();
    const opts = { protocolId: 'MQIsdp', protocolVersion: 3, reconnectPeriod: 0 } as const;
    const pub = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { ...opts, clientId: 'p31' });
    const sub = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { ...opts, clientId: 's31' });
    try {
      await pub.publishAsync('lab/v31/kept', 'retained', { qos: 1, retain: true });
      const got: [string, string, number, boolean][] = [];
      sub.on('message', (t, p, pk) => got.push([t, String(p), pk.qos, pk.retain]));
      await sub.subscribeAsync('lab/v31/#', { qos: 2 });
      for (const qos of [0, 1, 2] as const) await pub.publishAsync('lab/v31/x', `q${qos}`, { qos });
      await waitFor(() => got.length === 4, 'the retained message and three live ones');
      expect(got.sort()).toEqual([
        ['lab/v31/kept', 'retained', 1, true],
        ['lab/v31/x', 'q0', 0, false],
        ['lab/v31/x', 'q1', 1, false],
        ['lab/v31/x', 'q2', 2, false],
      ]);
    } finally {
      await Promise.all([pub.endAsync(), sub.endAsync()]);
    }
  });
  // MQTT 3.1 (not 3.1.1) rules, from its specification (IBM/Eurotech, 2010), as Mosquitto 2
  // applies them: a Client Identifier has 1 to 23 characters, else CONNACK 0x02 "identifier
  // rejected"; the byte before the CONNACK return code is reserved (3.1.1 made its low bit
  // "session present", §3.2.2.2), so a resumed 3.1 session must not set it.
  it('refuses an empty or 24-character client id, and never marks a session present', async () => {
    // With the lab's client-id rule, as startEmbeddedBroker sets it.
    const { port } = await startBroker(
      rejectEmptyIdWithSession((_c, _u, _p, done) => done(null, true)),
    );
    /** A raw CONNECT (MQIsdp, level 3 unless told) and the CONNACK bytes that come back. */
    const connack = async (clientId: string, clean: boolean, name = 'MQIsdp', level = 3) => {
      const id = Buffer.from(clientId);
      const body = Buffer.concat([
        Buffer.from([0, name.length]),
        Buffer.from(name),
        Buffer.from([level, clean ? 0x02 : 0x00, 0, 0, id.length >> 8, id.length & 0xff]),
        id,
      ]);
      const socket = net.connect(port, '127.0.0.1');
      socket.on('error', () => {});
      socket.write(Buffer.concat([Buffer.from([0x10, body.length]), body]));
      const [bytes] = (await once(socket, 'data')) as [Buffer];
      return { bytes: [...bytes.subarray(0, 4)], socket };
    };
    expect((await connack('', true)).bytes).toEqual([0x20, 2, 0, 2]);
    expect((await connack('x'.repeat(24), true)).bytes).toEqual([0x20, 2, 0, 2]);
    expect((await connack('x'.repeat(23), true)).bytes).toEqual([0x20, 2, 0, 0]);
    // A persistent session with a subscription, resumed: 3.1 gets 0x00, 3.1.1 gets 0x01.
    for (const [name, level, flags] of [
      ['MQIsdp', 3, 0],
      ['MQTT', 4, 1],
    ] as const) {
      const first = await connack(`kept-${level}`, false, name, level);
      first.socket.write(Buffer.from([0x82, 8, 0, 1, 0, 3, 0x61, 0x2f, 0x62, 1]));
      await once(first.socket, 'data');
      first.socket.destroy();
      const again = await connack(`kept-${level}`, false, name, level);
      expect({ level, connack: again.bytes }).toEqual({ level, connack: [0x20, 2, flags, 0] });
      again.socket.destroy();
    }
  });
});
