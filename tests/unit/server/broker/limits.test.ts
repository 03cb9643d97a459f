// The embedded broker against a hostile client: every protective limit answers as MQTT 3.1.1
// says, is counted in $SYS/lab/stats, and loses nothing already accepted from others. Each
// case runs over MQTT/TCP and MQTT over WebSocket, on a lab with small limits injected.
import { afterEach, describe, expect, it } from 'vitest';
import net from 'node:net';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Lab } from '../../../../server/app.ts';
import type { BrokerLimits } from '../../../../server/broker/limits.ts';
import { fleetCredentials } from '../../../../server/broker/users.ts';
import type { PatchedAedes } from '../../../../server/broker/patches/index.ts';
import { connected } from '../../../../src/lib/mqtt/experiments.ts';
import { SYS_STATS_TOPIC, parseBrokerStats } from '../../../../src/lib/wire/mqtt-stats.ts';
import { startTestLab, waitFor } from '../../../helpers/lab.ts';
import {
  ackPacket,
  packet,
  PacketReader,
  packetId,
  publishPacket,
  str,
  type RawPacket,
} from '../../../helpers/mqtt-raw.ts';

type Transport = 'tcp' | 'ws';
const TRANSPORTS: Transport[] = ['tcp', 'ws'];
const uid = () => randomBytes(4).toString('hex');

const labs: Lab[] = [];
const clients: MqttClient[] = [];
const raws: Raw[] = [];
afterEach(async () => {
  for (const r of raws.splice(0)) r.close();
  await Promise.all(clients.splice(0).map((c) => c.endAsync(true).catch(() => {})));
  await Promise.all(labs.splice(0).map((l) => l.close()));
});

async function lab(limits: Partial<BrokerLimits> = {}): Promise<Lab> {
  const l = await startTestLab({ broker: { mode: 'embedded', mqttPort: 0, limits } });
  labs.push(l);
  return l;
}

function url(l: Lab, t: Transport): string {
  return t === 'tcp' ? `mqtt://127.0.0.1:${l.mqttPort}` : `ws://127.0.0.1:${l.port}/mqtt`;
}

async function client(l: Lab, t: Transport, opts: IClientOptions = {}): Promise<MqttClient> {
  const c = mqtt.connect(url(l, t), { reconnectPeriod: 0, ...opts });
  c.on('error', () => {});
  clients.push(c);
  await connected(c);
  return c;
}

/** Resolves when the client's connection closes. */
function closed(c: MqttClient): Promise<void> {
  return new Promise((resolve) => c.once('close', () => resolve()));
}

/** An MQTT connection that sends whatever bytes a test builds, over either transport. */
class Raw {
  readonly reader = new PacketReader();
  isClosed = false;
  readonly closed: Promise<void>;
  #taken = new Set<RawPacket>();
  #wake: (() => void)[] = [];
  #send: (b: Buffer) => void;
  #close: () => void;

  constructor(send: (b: Buffer) => void, close: () => void, closed: Promise<void>) {
    this.#send = send;
    this.#close = close;
    this.closed = closed.then(() => {
      this.isClosed = true;
      this.#notify();
    });
  }

  feed(chunk: Buffer): void {
    this.reader.feed(chunk);
    this.#notify();
  }

  #notify(): void {
    for (const w of this.#wake.splice(0)) w();
  }

  send(bytes: Buffer): void {
    this.#send(bytes);
  }

  close(): void {
    this.#close();
  }

  /** The next packet of `type` not taken yet; rejects if the connection closes first. */
  async take(type: number): Promise<RawPacket> {
    for (;;) {
      const p = this.reader.packets.find((x) => x.type === type && !this.#taken.has(x));
      if (p) {
        this.#taken.add(p);
        return p;
      }
      if (this.isClosed) throw new Error(`closed before a packet of type ${type}`);
      await new Promise<void>((r) => this.#wake.push(r));
    }
  }
}

async function openRaw(l: Lab, t: Transport): Promise<Raw> {
  let raw: Raw;
  if (t === 'tcp') {
    const s = net.connect(l.mqttPort!, '127.0.0.1');
    s.on('error', () => {});
    raw = new Raw(
      (b) => s.write(b),
      () => s.destroy(),
      once(s, 'close').then(() => {}),
    );
    s.on('data', (d: Buffer) => raw.feed(d));
    await once(s, 'connect');
  } else {
    const ws = new WebSocket(url(l, t), 'mqtt');
    ws.on('error', () => {});
    raw = new Raw(
      (b) => ws.send(b),
      () => ws.terminate(),
      once(ws, 'close').then(() => {}),
    );
    ws.on('message', (d: Buffer) => raw.feed(d));
    await once(ws, 'open');
  }
  raws.push(raw);
  return raw;
}

/** CONNECT with any protocol name and level (§3.1.2); flags 0x02 = clean session. */
function connectBytes(
  id: string,
  o: { level?: number; name?: string; clean?: boolean; user?: string; pass?: string } = {},
): Buffer {
  let flags = o.clean === false ? 0 : 0x02;
  const tail = [str(id)];
  if (o.user !== undefined) {
    flags |= 0x80;
    tail.push(str(o.user));
    if (o.pass !== undefined) {
      flags |= 0x40;
      tail.push(str(o.pass));
    }
  }
  const head = Buffer.concat([str(o.name ?? 'MQTT'), Buffer.from([o.level ?? 4, flags, 0, 0])]);
  return packet(0x10, Buffer.concat([head, ...tail]));
}

/** Opens a raw connection and sends CONNECT; resolves with it and the CONNACK return code. */
async function rawConnect(
  l: Lab,
  t: Transport,
  id: string,
  o: Parameters<typeof connectBytes>[1] = {},
): Promise<{ raw: Raw; code: number }> {
  const raw = await openRaw(l, t);
  raw.send(connectBytes(id, o));
  const connack = await raw.take(2);
  return { raw, code: connack.body[1]! };
}

/** One SUBSCRIBE carrying every filter in `filters` (§3.8). */
function subscribeMany(id: number, filters: string[], qos: number): Buffer {
  const pid = Buffer.alloc(2);
  pid.writeUInt16BE(id);
  const body = filters.flatMap((f) => [str(f), Buffer.from([qos])]);
  return packet(0x82, Buffer.concat([pid, ...body]));
}

/** PUBLISH at QoS 1 or 2 with a packet identifier, optionally retained. */
function publishQos(topic: string, payload: Buffer, qos: 1 | 2, id: number, retain = false) {
  const pid = Buffer.alloc(2);
  pid.writeUInt16BE(id);
  return packet(0x30 | (qos << 1) | (retain ? 1 : 0), Buffer.concat([str(topic), pid, payload]));
}

/** The longest /api/health answer (ms) seen while `start()` runs, asking again as each returns. */
async function worstHealth(l: Lab, start: () => Promise<unknown>): Promise<number> {
  // The first request in a process also sets up the HTTP client: not the server's time.
  await (await fetch(`http://127.0.0.1:${l.port}/api/health`)).arrayBuffer();
  let done = false;
  const finished = start().finally(() => {
    done = true;
  });
  let worst = 0;
  let answers = 0;
  while (!done || answers < 3) {
    const t0 = performance.now();
    const res = await fetch(`http://127.0.0.1:${l.port}/api/health`);
    await res.arrayBuffer();
    expect(res.status).toBe(200);
    worst = Math.max(worst, performance.now() - t0);
    answers++;
  }
  await finished;
  return worst;
}

/**
 * The lowest of up to three `worstHealth` runs, stopping at the first under `bound`: a server
 * that stalls stalls every time, while other test files sharing the CPU only sometimes delay
 * a request.
 */
async function bestWorstHealth(
  l: Lab,
  bound: number,
  start: () => Promise<unknown>,
): Promise<number> {
  let best = Infinity;
  for (let attempt = 0; attempt < 3 && best >= bound; attempt++) {
    best = Math.min(best, await worstHealth(l, start));
  }
  return best;
}

describe.each(TRANSPORTS)('over %s', (t) => {
  describe('1. subscriptions', () => {
    it('grants at most the per-client number of filters (0x80 past it) and closes a SUBSCRIBE with too many', async () => {
      const l = await lab({ maxFiltersPerSubscribe: 4, maxSubscriptionsPerClient: 6 });
      const p = `lab/cap-${uid()}`;
      const { raw } = await rawConnect(l, t, `cap-${uid()}`);
      raw.send(
        subscribeMany(
          1,
          [1, 2, 3, 4].map((i) => `${p}/${i}`),
          1,
        ),
      );
      expect([...(await raw.take(9)).body.subarray(2)]).toEqual([1, 1, 1, 1]);
      // Two more fit under the client's cap; re-subscribing a held filter is no new one.
      // [MQTT-3.9.3-1] one return code per filter, in order.
      raw.send(subscribeMany(2, [`${p}/1`, `${p}/5`, `${p}/6`, `${p}/7`], 0));
      expect([...(await raw.take(9)).body.subarray(2)]).toEqual([0, 0, 0, 0x80]);
      expect(l.broker!.stats.limits.subscriptions).toBe(1);
      // Granted filters deliver; refused ones do not.
      const pub = await client(l, t);
      await pub.publishAsync(`${p}/7`, 'no', { qos: 0 });
      await pub.publishAsync(`${p}/6`, 'yes', { qos: 0 });
      const got = await raw.take(3);
      expect(got.body.subarray(2 + got.body.readUInt16BE(0)).toString()).toBe('yes');
      // Five filters in one SUBSCRIBE: no SUBACK, the connection is closed.
      raw.send(
        subscribeMany(
          3,
          [1, 2, 3, 4, 5].map((i) => `${p}/x${i}`),
          0,
        ),
      );
      await raw.closed;
      expect(raw.reader.packets.filter((x) => x.type === 9)).toHaveLength(2);
      expect(l.broker!.stats.limits.subscriptions).toBe(2);
    });

    it('closes the connection of a SUBSCRIBE with 10,000 filters; /api/health keeps answering within 100 ms', async () => {
      const l = await lab();
      // 199 KB, under the 256 KiB packet limit; built before the clock starts.
      const big = subscribeMany(
        1,
        Array.from({ length: 10_000 }, (_, i) => `lab/bigsub/${i}/+`),
        0,
      );
      let suback = false;
      const work = async () => {
        const { raw } = await rawConnect(l, t, `big-${uid()}`);
        raw.send(big);
        await raw.closed;
        suback ||= raw.reader.packets.some((p) => p.type === 9);
      };
      expect(await bestWorstHealth(l, 100, work)).toBeLessThan(100);
      expect(suback).toBe(false);
      expect(l.broker!.stats.limits.subscriptions).toBeGreaterThanOrEqual(1);
    });

    // Aedes' own unsubscribing of 10,000 filters takes one turn of ~100-250 ms here: the
    // default caps keep a client far below that, and this shows what is left is linear
    // (each removal used to rescan every filter left: ~12 s for 5,000, ~45 s for 10,000).
    it('a client holding 5,000 filters (cap raised) disconnects without stalling /api/health for 1 s', async () => {
      const l = await lab({ maxSubscriptionsPerClient: 5000, maxFiltersPerSubscribe: 1000 });
      const per = l.broker!.limits.maxFiltersPerSubscribe;
      const subscribed = async () => {
        const id = `big-${uid()}`;
        const { raw } = await rawConnect(l, t, id);
        for (let n = 0; n < 5000; n += per) {
          const filters = Array.from({ length: per }, (_, i) => `lab/bigsub/${n + i}/+`);
          raw.send(subscribeMany(1 + n / per, filters, (n / per) % 3));
          await raw.take(9);
        }
        const gone = new Promise<void>((resolve) => {
          l.broker!.aedes.on('clientDisconnect', (c) => {
            if (c.id === id) resolve();
          });
        });
        return () => {
          raw.close();
          return gone;
        };
      };
      let best = Infinity;
      for (let attempt = 0; attempt < 3 && best >= 1000; attempt++) {
        const disconnect = await subscribed();
        best = Math.min(best, await worstHealth(l, disconnect));
      }
      expect(best).toBeLessThan(1000);
      // The broker still serves MQTT afterwards.
      const c = await client(l, t);
      await c.subscribeAsync('lab/after', { qos: 0 });
    });
  });

  describe('5. $ topics [MQTT-4.7.2-1]', () => {
    it('keeps retained and live $SYS/lab/stats from filters starting with a wildcard', async () => {
      const l = await lab();
      const mark = `lab/${uid()}/mark`;
      // The statistics are retained; this makes sure they are there before anyone subscribes.
      l.broker!.stats.publish();
      const pub = await client(l, t);
      await pub.publishAsync(mark, 'retained', { qos: 1, retain: true });
      const sub = await client(l, t);
      const got: [string, number][] = [];
      sub.on('message', (topic, _p, pk) => got.push([topic, pk.qos]));
      await sub.subscribeAsync({ '+/+/+': { qos: 1 }, '+/lab/stats': { qos: 1 } });
      await waitFor(() => got.some(([topic]) => topic === mark), 'the retained mark');
      // Live: the broker publishes its statistics, then a client publishes a mark.
      l.broker!.stats.publish();
      await pub.publishAsync(mark, 'live', { qos: 1 });
      await waitFor(() => got.filter(([topic]) => topic === mark).length === 2, 'the live mark');
      expect(got.filter(([topic]) => topic.startsWith('$'))).toEqual([]);
      // Named explicitly, the topic is delivered, at the QoS of that filter alone.
      const named = await client(l, t);
      const stats: number[] = [];
      named.on('message', (topic, payload, pk) => {
        if (topic === SYS_STATS_TOPIC && parseBrokerStats(payload.toString())) stats.push(pk.qos);
      });
      await named.subscribeAsync({ [SYS_STATS_TOPIC]: { qos: 0 }, '+/+/+': { qos: 1 } });
      await waitFor(() => stats.length === 1, 'the retained statistics');
      l.broker!.stats.publish();
      await waitFor(() => stats.length === 2, 'live statistics');
      expect(stats).toEqual([0, 0]);
      await pub.publishAsync(mark, '', { qos: 1, retain: true });
    });
  });

  describe('6. CONNECT edges', () => {
    it.each([
      ['level 5', { level: 5 }],
      ['level 6', { level: 6 }],
      ['level 3 named "MQTT"', { level: 3 }],
      ['level 4 named "MQIsdp"', { level: 4, name: 'MQIsdp' }],
    ] as const)('answers %s with CONNACK 0x01, then closes [MQTT-3.1.2-2]', async (_n, o) => {
      const l = await lab();
      const raw = await openRaw(l, t);
      raw.send(connectBytes(`lv-${uid()}`, o));
      await raw.closed;
      expect(raw.reader.packets.map((p) => [p.type, ...p.body])).toEqual([[2, 0, 1]]);
      expect(l.broker!.stats.limits.protocol).toBe(1);
    });

    it('still accepts MQTT 3.1.1 and MQTT 3.1 as each names itself', async () => {
      const l = await lab();
      expect((await rawConnect(l, t, `v4-${uid()}`)).code).toBe(0);
      expect(
        (await rawConnect(l, t, `v3-${uid()}`.slice(0, 23), { level: 3, name: 'MQIsdp' })).code,
      ).toBe(0);
    });
  });

  describe('3. identities', () => {
    it("hides other clients' ids from anonymous $SYS subscribers, not from the fleet account", async () => {
      const l = await lab();
      const anon = await client(l, t);
      const device = await client(l, t, {
        ...fleetCredentials(),
        clientId: `fleet-aggregator-${uid()}`,
      });
      const seen = { anon: [] as string[], device: [] as string[] };
      anon.on('message', (topic) => seen.anon.push(topic));
      device.on('message', (topic) => seen.device.push(topic));
      for (const c of [anon, device])
        await c.subscribeAsync(['$SYS/#', '$SYS/+/new/clients'], { qos: 0 });
      const id = `lab-victim-${uid()}`;
      await client(l, t, { clientId: id });
      await waitFor(
        () => seen.device.some((x) => x.endsWith('/new/clients')),
        'the device sees the id',
      );
      // Anything sent to the anonymous client before this would be in front of it.
      l.broker!.stats.publish();
      await waitFor(
        () => seen.anon.includes(SYS_STATS_TOPIC),
        'statistics for the anonymous client',
      );
      expect(seen.anon.filter((x) => x !== SYS_STATS_TOPIC)).toEqual([]);
    });

    it.each(['fleet-aggregator-', 'vehicle-', 'fleet-probe-'])(
      'refuses an anonymous CONNECT with a %s… id (CONNACK 0x05) and accepts it with the fleet credentials',
      async (prefix) => {
        const l = await lab();
        const id = `${prefix}${uid()}`;
        const anon = await rawConnect(l, t, id);
        expect(anon.code).toBe(5);
        await anon.raw.closed;
        const { username, password } = fleetCredentials();
        const device = await rawConnect(l, t, id, { user: username, pass: password });
        expect(device.code).toBe(0);
        // The anonymous attempt did not disconnect the fleet's client.
        const again = await rawConnect(l, t, id);
        expect(again.code).toBe(5);
        expect(device.raw.isClosed).toBe(false);
        expect(l.broker!.stats.limits.identities).toBe(2);
        // The browsers' fleet view keeps its anonymous ids.
        expect((await rawConnect(l, t, `fleet-view-${uid()}`)).code).toBe(0);
      },
    );
  });

  describe('4. stored state', () => {
    it('caps retained messages per client and in total; the publisher past a cap is disconnected', async () => {
      const l = await lab({
        maxRetainedPerClient: 2,
        maxRetainedBytesPerClient: 1000,
        maxRetainedTotal: 3,
        maxRetainedBytesTotal: 1500,
      });
      const p = `lab/ret-${uid()}`;
      const a = await client(l, t);
      await a.publishAsync(`${p}/a1`, 'one', { qos: 1, retain: true });
      await a.publishAsync(`${p}/a2`, 'two', { qos: 1, retain: true });
      // Replacing one of its own is no new one.
      await a.publishAsync(`${p}/a2`, 'two again', { qos: 1, retain: true });
      const gone = closed(a);
      a.publish(`${p}/a3`, 'three', { qos: 1, retain: true });
      await gone;
      // Too many bytes for one client.
      const b = await client(l, t);
      const goneB = closed(b);
      b.publish(`${p}/b1`, Buffer.alloc(1200), { qos: 1, retain: true });
      await goneB;
      // The total: one more topic fits, then none, whoever sends it.
      const c = await client(l, t);
      await c.publishAsync(`${p}/c1`, 'c', { qos: 1, retain: true });
      const d = await client(l, t);
      const goneD = closed(d);
      d.publish(`${p}/d1`, 'd', { qos: 1, retain: true });
      await goneD;
      expect(l.broker!.stats.limits.retained).toBe(3);
      // What was accepted is all there, and nothing refused was kept.
      const sub = await client(l, t);
      const got = new Map<string, string>();
      sub.on('message', (topic, payload) => got.set(topic, payload.toString()));
      await sub.subscribeAsync(`${p}/#`, { qos: 1 });
      await waitFor(() => got.size >= 3, 'the retained messages');
      expect(Object.fromEntries(got)).toEqual({
        [`${p}/a1`]: 'one',
        [`${p}/a2`]: 'two again',
        [`${p}/c1`]: 'c',
      });
      // Clearing one makes room again [MQTT-3.3.1-10].
      await c.publishAsync(`${p}/c1`, '', { qos: 1, retain: true });
      const e = await client(l, t);
      await e.publishAsync(`${p}/e1`, 'e', { qos: 1, retain: true });
    });

    it('refuses a new persistent session past the cap with CONNACK 0x03; known ones come back', async () => {
      const l = await lab({ maxSessions: 2 });
      const ids = [`s1-${uid()}`, `s2-${uid()}`, `s3-${uid()}`];
      for (const id of ids.slice(0, 2)) {
        const { raw, code } = await rawConnect(l, t, id, { clean: false });
        expect(code).toBe(0);
        raw.close();
      }
      expect((await rawConnect(l, t, ids[2]!, { clean: false })).code).toBe(3);
      // Clean sessions never count.
      expect((await rawConnect(l, t, `c-${uid()}`)).code).toBe(0);
      const back = await rawConnect(l, t, ids[0]!, { clean: false });
      expect(back.code).toBe(0);
      // A clean CONNECT ends a session [MQTT-3.1.2-6], which makes room.
      back.raw.close();
      expect((await rawConnect(l, t, ids[0]!)).code).toBe(0);
      expect((await rawConnect(l, t, ids[2]!, { clean: false })).code).toBe(0);
      expect(l.broker!.stats.limits.sessions).toBe(1);
    });

    it('queues at most the cap for an absent session, keeping the oldest; the rest are counted', async () => {
      const l = await lab({ maxQueuedPerSession: 5 });
      const topic = `lab/q-${uid()}`;
      const id = `q-${uid()}`;
      const opts = { clientId: id, clean: false };
      const first = await client(l, t, opts);
      await first.subscribeAsync(topic, { qos: 1 });
      await first.endAsync();
      const pub = await client(l, t);
      for (let i = 0; i < 8; i++) await pub.publishAsync(topic, `m${i}`, { qos: 1 });
      const got: string[] = [];
      const back = mqtt.connect(url(l, t), { ...opts, reconnectPeriod: 0 });
      clients.push(back);
      back.on('message', (_t, payload) => got.push(payload.toString()));
      await connected(back);
      await waitFor(() => got.length >= 5, 'the queued messages');
      // A message published now arrives after the queue: nothing more was in it.
      await pub.publishAsync(topic, 'live', { qos: 1 });
      await waitFor(() => got.includes('live'), 'the live message');
      expect(got).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'live']);
      expect(l.broker!.stats.limits.queued).toBe(3);
    });

    it("keeps a session's unreleased QoS 2 messages counted across reconnects", async () => {
      const l = await lab({ maxInflightInbound: 3 });
      const id = `u-${uid()}`;
      const first = await rawConnect(l, t, id, { clean: false });
      for (let m = 1; m <= 3; m++) {
        first.raw.send(publishQos(`lab/u-${id}`, Buffer.alloc(64), 2, m));
        expect(packetId(await first.raw.take(5))).toBe(m);
      }
      first.raw.close();
      await first.raw.closed;
      // The session still holds 3 messages without PUBREL: a fourth is one too many.
      const second = await rawConnect(l, t, id, { clean: false });
      second.raw.send(publishQos(`lab/u-${id}`, Buffer.alloc(64), 2, 4));
      await second.raw.closed;
      expect(second.raw.reader.packets.filter((p) => p.type === 5)).toEqual([]);
      expect(l.broker!.stats.limits.inflight).toBe(1);
      // Releasing them makes room: PUBREL, PUBCOMP, then a new one is taken.
      const third = await rawConnect(l, t, id, { clean: false });
      for (let m = 1; m <= 3; m++) {
        third.raw.send(ackPacket(0x62, m));
        expect(packetId(await third.raw.take(7))).toBe(m);
      }
      third.raw.send(publishQos(`lab/u-${id}`, Buffer.alloc(64), 2, 4));
      expect(packetId(await third.raw.take(5))).toBe(4);
    });
  });

  describe('2. overload', () => {
    it('bounds the delivery queue: sheds QoS 0, holds QoS 1 publishers back, loses no QoS 1, recovers', async () => {
      const max = 50;
      // Turns off taking turns (read-governor.ts), which would otherwise let the queue drain
      // every 64 packets: this case is about the queue's own bound.
      const l = await lab({ maxDeliveryQueue: max, maxPublishesPerTurn: 1e6 });
      const p = `lab/flood-${uid()}`;
      const sub = await client(l, t);
      const q0: number[] = [];
      const q1: number[] = [];
      sub.on('message', (topic, payload) => {
        (topic.endsWith('/q1') ? q1 : q0).push(payload.readUInt32BE(0));
      });
      await sub.subscribeAsync(`${p}/#`, { qos: 1 });
      // mqemitter's queue of messages waiting for a dispatch slot.
      const mq = (l.broker!.aedes as unknown as { mq: { length: number } }).mq;
      let longest = 0;
      l.broker!.aedes.on('publish', () => {
        longest = Math.max(longest, mq.length);
      });
      const { raw } = await rawConnect(l, t, `flood-${uid()}`);
      const n = (i: number) => {
        const b = Buffer.alloc(4);
        b.writeUInt32BE(i);
        return b;
      };
      // One write: 2,000 QoS 0 messages, then 200 at QoS 1, far more than 50 can wait.
      const flood = [
        ...Array.from({ length: 2000 }, (_, i) => publishPacket(`${p}/q0`, n(i))),
        ...Array.from({ length: 200 }, (_, i) => publishQos(`${p}/q1`, n(i), 1, i + 1)),
      ];
      raw.send(Buffer.concat(flood));
      for (let i = 1; i <= 200; i++) expect(packetId(await raw.take(4))).toBe(i);
      await waitFor(() => q1.length === 200, 'every QoS 1 message');
      expect(q1).toEqual(Array.from({ length: 200 }, (_, i) => i));
      // Unbounded, 2,000 would wait; one connection stops at the cap (+1 for the broker's own).
      expect(longest).toBeLessThanOrEqual(max + 1);
      // QoS 0: some shed, the rest in order [MQTT-4.6.0-6].
      expect(q0).toEqual([...q0].sort((a, b) => a - b));
      const limits = l.broker!.stats.limits;
      expect(limits.shed).toBeGreaterThan(0);
      expect(limits.paused).toBeGreaterThan(0);
      expect(q0.length + limits.shed).toBe(2000);
      // Back to normal: the next message goes straight through.
      const pub = await client(l, t);
      await pub.publishAsync(`${p}/q1`, n(999), { qos: 1 });
      await waitFor(() => q1.includes(999), 'a message after the flood');
      expect(mq.length).toBe(0);
      expect(l.broker!.stats.snapshot().queued).toBe(0);
    });

    it('leaves what a held-back publisher sends in its socket, where TCP pushes back', async () => {
      // A delivery queue of 1, which the connection's own PUBLISH in progress fills: every
      // QoS 1 PUBLISH must wait, so the connection stays held (QoS 0 from others still flows).
      const l = await lab({ maxDeliveryQueue: 1 });
      const sockets: { bytesRead: number }[] = [];
      l.broker!.aedes.on('client', (c) => {
        sockets.push((c as unknown as { conn: { bytesRead?: number } }).conn as never);
      });
      const { raw } = await rawConnect(l, t, `held-${uid()}`);
      const one = publishQos(`lab/held-${uid()}`, Buffer.alloc(1000), 1, 1);
      // 16 MB that the broker must not take into memory while it cannot hand any of it over, in
      // writes (and WebSocket messages) of 200 packets.
      const batch = Buffer.concat(Array.from({ length: 200 }, () => one));
      for (let i = 0; i < 80; i++) raw.send(batch);
      // Another client's round trip at QoS 0 (never held): the broker has had turns to read.
      const other = await client(l, t);
      const topic = `lab/other-${uid()}`;
      await other.subscribeAsync(topic, { qos: 0 });
      const back = new Promise((r) => other.once('message', r));
      other.publish(topic, 'x', { qos: 0 });
      await back;
      if (t === 'tcp') {
        const read = sockets[0]!.bytesRead;
        expect(read).toBeLessThan(1024 * 1024);
      }
      expect(l.broker!.stats.limits.paused).toBe(1);
    });

    it('takes turns: a flood from one connection is handed over 64 packets at a time, in order, and another client is not held behind it', async () => {
      const l = await lab();
      const p = `lab/turns-${uid()}`;
      const sub = await client(l, t);
      const flood: number[] = [];
      let probeAt = -1;
      sub.on('message', (topic, payload) => {
        if (topic.endsWith('/probe')) probeAt = flood.length;
        else flood.push(payload.readUInt32BE(0));
      });
      await sub.subscribeAsync(`${p}/#`, { qos: 1 });
      const other = await client(l, t);
      const { raw } = await rawConnect(l, t, `flood-${uid()}`);
      const governor = (l.broker!.aedes as unknown as PatchedAedes).readGovernor;
      const yieldsBefore = governor.yields;
      // QoS 1, which is never shed, so that every message must arrive.
      const n = 3000;
      const started = new Promise<void>((resolve) =>
        l.broker!.aedes.on('publish', (packet) => {
          if (packet.topic === `${p}/q`) resolve();
        }),
      );
      raw.send(
        Buffer.concat(
          Array.from({ length: n }, (_, i) => {
            const b = Buffer.alloc(4);
            b.writeUInt32BE(i);
            return publishQos(`${p}/q`, b, 1, i + 1);
          }),
        ),
      );
      await started;
      other.publish(`${p}/probe`, 'x', { qos: 0 });
      await waitFor(() => flood.length === n && probeAt >= 0, 'the flood and the probe');
      expect(flood).toEqual(Array.from({ length: n }, (_, i) => i));
      // The flooder yielded after each 64 packets (at least once per 64 after the first).
      expect(governor.yields - yieldsBefore).toBeGreaterThanOrEqual(Math.floor(n / 64) - 1);
      expect(probeAt).toBeLessThan(n);
      expect(l.broker!.stats.limits.shed).toBe(0);
    });
  });
});
