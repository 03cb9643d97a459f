// The lab's experiments and the robustness checks, run against the embedded broker
// (behaviour-embedded.test.ts, behaviour-embedded-robustness.test.ts) and Debian's Mosquitto 2
// (behaviour-mosquitto.test.ts, behaviour-mosquitto-robustness.test.ts) through the same client
// code. Four files of about 10 s each, so that vitest spreads them over its workers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import WebSocket from 'ws';
import {
  runQosExperiment,
  runRetainedExperiment,
  runSessionExperiment,
  runWillExperiment,
  connected,
  kill,
  close,
  Tally,
  type ExperimentEnv,
} from '../../src/lib/mqtt/experiments.ts';
import { runTakeoverExperiment } from '../../src/lib/mqtt/takeover.ts';
import { fleetCredentials } from '../../server/broker/users.ts';
import type { BrokerUnderTest } from './brokers.ts';
import { waitFor } from './lab.ts';
import { connectPacket, malformedPacket, prng, subscribePacket, varint } from './mqtt-raw.ts';

const uid = () => randomBytes(4).toString('hex');

/**
 * Debian 12's Mosquitto 2.0.11 stalls on the QoS 2 cut run (see below). It is a known defect of
 * that package, not of the lab, so it is checked only when asked for:
 * LAB_CHECK_MOSQUITTO_QOS2=1 runs it, as a test expected to fail until a fixed package arrives.
 */
const checkMosquittoQos2 = process.env['LAB_CHECK_MOSQUITTO_QOS2'] === '1';

/** Defines one part of the suite for one broker: the guided experiments, or the robustness checks. */
export function behaviourSuite(
  name: BrokerUnderTest['name'],
  start: () => Promise<BrokerUnderTest>,
  part: 'experiments' | 'robustness',
): void {
  describe(`the ${name} broker`, () => {
    let broker: BrokerUnderTest;
    const open: MqttClient[] = [];

    beforeAll(async () => {
      broker = await start();
    }, 30_000);
    afterAll(async () => {
      await Promise.all(open.map((c) => c.endAsync(true).catch(() => {})));
      await broker.stop();
    });

    const env = (transport: 'tcp' | 'ws' = 'tcp'): ExperimentEnv => ({
      open: (_role, opts) => {
        const c = mqtt.connect(transport === 'tcp' ? broker.tcpUrl : broker.wsUrl, opts);
        c.on('error', () => {});
        open.push(c);
        return c;
      },
      prefix: `lab/test-${uid()}`,
      id: uid(),
    });

    async function client(opts: IClientOptions = {}, url = broker.tcpUrl): Promise<MqttClient> {
      const c = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 10_000, ...opts });
      open.push(c);
      await connected(c);
      return c;
    }

    /** A QoS 1 message from one client to another still goes through. */
    async function roundTrip(): Promise<void> {
      const topic = `lab/ping-${uid()}`;
      const sub = await client();
      await sub.subscribeAsync(topic, { qos: 1 });
      const pub = await client();
      const got = new Promise<string>((r) => sub.once('message', (_t, p) => r(p.toString())));
      await pub.publishAsync(topic, 'pong', { qos: 1 });
      expect(await got).toBe('pong');
      await Promise.all([close(sub), close(pub)]);
    }

    if (part === 'experiments')
      describe('the guided experiments', () => {
        it('1. QoS 0: what is published while the subscriber is cut off may be lost; 1 packet each', async () => {
          const r = await runQosExperiment(env(), 0);
          expect(r).toMatchObject({ published: 100, duplicates: 0, packetsPerMessage: 1 });
          // A server may keep QoS 0 messages for an offline session, or not (MQTT 3.1.1 §3.1.2.4):
          // Aedes drops them all; Mosquitto 2.0 keeps them.
          if (name === 'embedded') expect(r.lost).toBe(r.publishedWhileOffline);
          else expect(r.lost).toBeLessThanOrEqual(r.publishedWhileOffline);
          expect(r.missing.every((n) => n > 50)).toBe(true);
        });

        it('1. QoS 1: nothing lost across the cut (persistent session); 2 packets each', async () => {
          const r = await runQosExperiment(env(), 1);
          expect(r).toMatchObject({ published: 100, received: 100, lost: 0, packetsPerMessage: 2 });
        });

        // Stock Aedes 1.2.0 lost every second message here (51, 53, …) when the session's queue was
        // replayed: see keepReleasesApart in server/broker/conformance.ts.
        it.each(['tcp', 'ws'] as const)(
          '1. QoS 2 over %s: nothing lost, nothing twice; 4 packets each',
          async (transport) => {
            const r = await runQosExperiment(env(transport), 2);
            expect(r).toMatchObject({
              received: 100,
              lost: 0,
              duplicates: 0,
              packetsPerMessage: 4,
            });
          },
        );

        it('2. a late subscriber gets the retained value at once, and nothing once it is cleared', async () => {
          const r = await runRetainedExperiment(env());
          expect(r.lateSubscriberGot).toMatch(/°C/);
          expect(r.retainFlag).toBe(true);
          expect(r.afterClearGot).toBeNull();
        });

        it('3. killing the publisher delivers its will within 1.5 × keep-alive', async () => {
          const r = await runWillExperiment(env(), 2);
          expect(r.willReceived).toBe(true);
          expect(r.afterMs).toBeLessThanOrEqual(r.limitMs);
        });

        it('4. a persistent session gets all 20 messages back; a clean one gets none', async () => {
          const e = env();
          const kept = await runSessionExperiment(e, false);
          expect(kept).toMatchObject({ receivedAfterReturn: 20, sessionPresent: true });
          const lost = await runSessionExperiment(e, true);
          expect(lost).toMatchObject({ receivedAfterReturn: 0, sessionPresent: false });
        });

        it('5. wildcards: + matches one level, # any number, and an invalid filter ends the connection', async () => {
          const p = `lab/wild-${uid()}`;
          const sub = await client();
          const granted = await sub.subscribeAsync([`${p}/+/temp`, `${p}/b/#`], { qos: 1 });
          expect(granted.map((g) => g.qos)).toEqual([1, 1]);
          const got: string[] = [];
          sub.on('message', (t) => got.push(t));
          const pub = await client();
          for (const t of [`${p}/a/temp`, `${p}/a/x/temp`, `${p}/b`, `${p}/b/c/d`, `${p}/c`]) {
            await pub.publishAsync(t, 'x', { qos: 1 });
          }
          await waitFor(() => got.length >= 3, `three matches, got ${got.join()}`);
          await new Promise((r) => setTimeout(r, 200));
          expect(got.sort()).toEqual([`${p}/a/temp`, `${p}/b`, `${p}/b/c/d`]);
          // "a/#/b": # must be last [MQTT-4.7.1-2]. mqtt.js refuses to send it, so send it raw:
          // a 3.1.1 broker closes the connection.
          const socket = net.connect(Number(new URL(broker.tcpUrl).port), '127.0.0.1');
          socket.on('error', () => {});
          // Read (and drop) what arrives, or the end of the stream is never seen.
          socket.resume();
          const closed = new Promise<void>((r) => socket.once('close', () => r()));
          socket.write(
            Buffer.concat([connectPacket(`bad-${uid()}`), subscribePacket(1, `${p}/#/b`, 0)]),
          );
          await closed;
        });

        // [MQTT-3.1.2-8] ties the will to the network connection: a takeover closes it with no
        // DISCONNECT from the client, so a 3.1.1 broker must publish the first client's will. Aedes
        // does; Mosquitto 2.0.11 skips it when both connections ask for a persistent session, as it
        // would for a 5.0 session that carries on, and publishes it when they are clean.
        it.each([false, true])(
          '6. a second client with the same id cuts the first off (clean session %s)',
          async (clean) => {
            const r = await runTakeoverExperiment(env(), clean);
            expect(r).toMatchObject({ firstClosed: true, disconnectCode: null });
            // [MQTT-3.2.2-2]: the first client's session (its subscription) went to the second.
            expect(r.sessionPresent).toBe(!clean);
            expect(r.willPublished).toBe(clean || name === 'embedded');
          },
        );
      });

    if (part === 'robustness') {
      /**
       * Publishes `total` numbered messages at `qos` to a subscriber with a persistent session,
       * whose connection is cut after every 100th new message it gets, `cuts` times. The same
       * client object comes back each time, keeping the QoS 2 messages it has received but not yet
       * been released, as a client must [MQTT-4.1.0-1]. Waits up to `patience` ms for them all.
       */
      async function cutRun(qos: 1 | 2, total: number, cuts: number, patience: number) {
        const topic = `lab/cuts${qos}-${uid()}`;
        const tally = new Tally();
        const sub = mqtt.connect(broker.tcpUrl, {
          clientId: `lab-cuts${qos}-${uid()}`,
          clean: false,
          reconnectPeriod: 20,
        });
        open.push(sub);
        sub.on('error', () => {});
        await connected(sub);
        await sub.subscribeAsync(topic, { qos });
        let made = 0;
        sub.on('message', (_t, p) => {
          tally.add(Number(p.toString()));
          if (made < cuts && tally.distinct >= (made + 1) * 100 && sub.connected) {
            made++;
            sub.stream.destroy();
          }
        });
        const pub = await client();
        for (let n = 1; n <= total; n += 100) {
          const batch = [];
          for (let k = n; k < n + 100; k++) batch.push(pub.publishAsync(topic, String(k), { qos }));
          await Promise.all(batch);
        }
        await waitFor(() => tally.distinct === total, `all ${total} messages`, patience).catch(
          (e: Error) => {
            throw new Error(`${e.message}: got ${tally.distinct}, ${made} cuts`);
          },
        );
        // A late duplicate would come with a resent PUBLISH after a reconnect: give it a moment.
        await new Promise((r) => setTimeout(r, 300));
        sub.options.reconnectPeriod = 0;
        await sub.endAsync();
        await close(pub);
        return { tally, cuts: made };
      }

      it('QoS 1 with a persistent session loses 0 of 10,000 messages across 100 forced disconnects', async () => {
        const run = await cutRun(1, 10_000, 100, 60_000);
        expect(run.tally.lost(10_000)).toBe(0);
        expect(run.cuts).toBe(100);
        // Duplicates are allowed at QoS 1 ([MQTT-4.3.2]); report them.
        console.info(`${broker.name}: QoS 1, 100 cuts: ${run.tally.duplicates} duplicates`);
      }, 120_000);

      // KNOWN DEFECT of Debian 12's Mosquitto 2.0.11: after a cut that leaves PUBRELs in flight, it
      // resends them on reconnect and then never sends the rest of the session's queue, not even
      // after another reconnect or a new message (stuck at 400 of 2,000 here). Its maintainer
      // points to fixes to the in-flight quota in 2.0.13 (eclipse-mosquitto/mosquitto#2362).
      // Skipped for Mosquitto in the normal run; with LAB_CHECK_MOSQUITTO_QOS2=1 it runs as an
      // expected failure, with a short wait, so that a fixed package shows up there.
      (name === 'mosquitto' ? (checkMosquittoQos2 ? it.fails : it.skip) : it)(
        'QoS 2 with a persistent session loses 0 of 2,000 messages and repeats none across 20 cuts mid-stream',
        async () => {
          // Cuts land while messages are in every state of the four-packet flow (PUBLISH sent, PUBREC
          // on its way, PUBREL sent, PUBCOMP on its way), which the end-of-run cut of experiment 1
          // never reaches.
          const run = await cutRun(2, 2_000, 20, name === 'mosquitto' ? 10_000 : 60_000);
          expect({
            lost: run.tally.lost(2_000),
            duplicates: run.tally.duplicates,
            cuts: run.cuts,
          }).toEqual({
            lost: 0,
            duplicates: 0,
            cuts: 20,
          });
        },
        120_000,
      );

      it('50 killed clients produce 50 wills', async () => {
        const p = `lab/wills-${uid()}`;
        const watcher = await client();
        await watcher.subscribeAsync(`${p}/+`, { qos: 1 });
        const wills = new Set<string>();
        watcher.on('message', (t) => wills.add(t));
        const devices = await Promise.all(
          Array.from({ length: 50 }, (_, i) =>
            client({
              keepalive: 5,
              will: { topic: `${p}/${i}`, payload: Buffer.from('gone'), qos: 1, retain: false },
            }),
          ),
        );
        for (const d of devices) kill(d);
        await waitFor(() => wills.size === 50, '50 wills', 15_000);
        expect(wills.size).toBe(50);
      }, 30_000);

      it('100 wrong passwords get 100 CONNACK 0x05', async () => {
        const { username } = fleetCredentials();
        const codes: number[] = [];
        for (let round = 0; round < 10; round++) {
          await Promise.all(
            Array.from({ length: 10 }, async (_, i) => {
              const c = mqtt.connect(broker.tcpUrl, {
                username,
                password: `wrong-${round}-${i}`,
                reconnectPeriod: 0,
              });
              open.push(c);
              const err = await new Promise<Error & { code?: number }>((r) => c.once('error', r));
              codes.push(err.code ?? -1);
              c.end(true);
            }),
          );
        }
        expect(codes).toHaveLength(100);
        expect(new Set(codes)).toEqual(new Set([5]));
        // The right password still gets in.
        await close(await client(fleetCredentials()));
      }, 30_000);

      it('an oversized packet closes the connection without the broker buffering it', async () => {
        const before = broker.rss();
        const url = new URL(broker.tcpUrl);
        const socket = net.connect(Number(url.port), '127.0.0.1');
        const closed = new Promise<void>((r) => socket.once('close', () => r()));
        socket.on('error', () => {});
        socket.write(connectPacket(`big-${uid()}`));
        // A PUBLISH that says it is 64 MiB long, then 16 MiB of it, unless the broker hangs up first.
        socket.write(Buffer.concat([Buffer.from([0x30]), varint(64 * 1024 * 1024)]));
        const chunk = Buffer.alloc(64 * 1024, 0x61);
        let sent = 0;
        let isClosed = false;
        void closed.then(() => (isClosed = true));
        while (!isClosed && sent < 16 * 1024 * 1024) {
          if (!socket.write(chunk)) {
            await Promise.race([new Promise((r) => socket.once('drain', r)), closed]);
          }
          sent += chunk.length;
        }
        await closed;
        expect(sent).toBeLessThan(16 * 1024 * 1024);
        await new Promise((r) => setTimeout(r, 300));
        expect(broker.rss() - before).toBeLessThan(10 * 1024 * 1024);
        await roundTrip();
      }, 30_000);

      it('an oversized packet over WebSocket, split over several frames, closes the WebSocket', async () => {
        const ws = new WebSocket(broker.wsUrl, ['mqtt']);
        await new Promise((r, j) => ws.once('open', r).once('error', j));
        const code = new Promise<number>((r) => ws.once('close', (c) => r(c)));
        ws.on('error', () => {});
        ws.send(connectPacket(`bigws-${uid()}`));
        // 1 MiB announced, sent as 200 KiB frames: each frame alone is under the 256 KiB limit.
        ws.send(Buffer.concat([Buffer.from([0x30]), varint(1024 * 1024)]));
        for (let i = 0; i < 5 && ws.readyState === WebSocket.OPEN; i++)
          ws.send(Buffer.alloc(200 * 1024));
        if (broker.name === 'embedded') {
          expect(await code).toBe(1009);
        } else {
          // Mosquitto 2.0.11 keeps such a WebSocket open here; only check that it still serves.
          setTimeout(() => ws.terminate(), 2000);
          await code;
        }
        await roundTrip();
      });

      it('20,000 malformed packets over TCP leave it serving (a round trip after every 250)', async () => {
        const rand = prng(0x5eed);
        const port = Number(new URL(broker.tcpUrl).port);
        const topic = `lab/fuzz-${uid()}`;
        for (let round = 0; round < 80; round++) {
          // 10 connections × 25 packets, each connection opened with a valid CONNECT.
          await Promise.all(
            Array.from(
              { length: 10 },
              () =>
                new Promise<void>((resolve) => {
                  const s = net.connect(port, '127.0.0.1');
                  s.on('error', () => {});
                  s.once('close', () => resolve());
                  const junk = Array.from({ length: 25 }, () => malformedPacket(rand, topic));
                  // Send it all and half-close: the broker reads every byte before it sees the end,
                  // and then closes (or has already closed) the connection.
                  s.once('connect', () =>
                    s.end(Buffer.concat([connectPacket(`fz-${uid()}`), ...junk])),
                  );
                  s.resume();
                  setTimeout(() => s.destroy(), 3000).unref();
                }),
            ),
          );
          await roundTrip();
        }
      }, 180_000);

      it('5,000 malformed packets over WebSocket leave it serving (a round trip after every 250)', async () => {
        const rand = prng(0xbad);
        const topic = `lab/fuzzws-${uid()}`;
        for (let round = 0; round < 20; round++) {
          await Promise.all(
            Array.from(
              { length: 10 },
              () =>
                new Promise<void>((resolve) => {
                  const ws = new WebSocket(broker.wsUrl, ['mqtt']);
                  ws.on('error', () => {});
                  ws.once('close', () => resolve());
                  ws.once('open', () => {
                    ws.send(connectPacket(`fzw-${uid()}`));
                    // Sometimes one packet per frame, sometimes several in one.
                    for (let k = 0; k < 25; k++) ws.send(malformedPacket(rand, topic));
                    // A close frame comes after the data frames, so the broker sees them all first.
                    ws.close();
                  });
                  setTimeout(() => ws.terminate(), 3000).unref();
                }),
            ),
          );
          await roundTrip();
        }
      }, 120_000);
    }
  });
}
