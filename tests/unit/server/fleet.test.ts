// Integration: the companion server's fleet (200 vehicles, each its own MQTT/TCP connection)
// against the embedded broker and against Debian's Mosquitto as an external broker.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import type { Lab } from '../../../server/app.ts';
import type { LabConfig } from '../../../server/config.ts';
import {
  ALL_ONLINE,
  SNAPSHOT_TOPIC,
  decodeSnapshot,
  onlineTopic,
  parseOnline,
  parseStatus,
  statusTopic,
  type FleetInfo,
} from '../../../src/lib/wire/fleet.ts';
import { startTestLab, waitFor } from '../../helpers/lab.ts';

const VEHICLES = 200;
const MOSQUITTO = '/usr/sbin/mosquitto';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

/** Debian's Mosquitto on free ports with a generated config; a WebSocket listener if it can. */
async function startMosquitto(): Promise<{ tcpUrl: string; wsUrl: string | null; stop(): void }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lab-mosquitto-'));
  const tryStart = async (withWs: boolean) => {
    const port = await freePort();
    const wsPort = await freePort();
    const conf = [
      'per_listener_settings false',
      'allow_anonymous true',
      'persistence false',
      `listener ${port} 127.0.0.1`,
      ...(withWs ? [`listener ${wsPort} 127.0.0.1`, 'protocol websockets'] : []),
      '',
    ].join('\n');
    const file = path.join(dir, 'mosquitto.conf');
    writeFileSync(file, conf);
    const child: ChildProcess = spawn(MOSQUITTO, ['-c', file], { stdio: 'ignore' });
    let exited = false;
    child.once('exit', () => (exited = true));
    const tcpUrl = `mqtt://127.0.0.1:${port}`;
    try {
      await waitFor(
        async () => {
          if (exited) throw new Error('mosquitto exited');
          const ok = await new Promise<boolean>((resolve) => {
            const s = net.connect(port, '127.0.0.1', () => {
              s.destroy();
              resolve(true);
            });
            s.on('error', () => resolve(false));
          });
          return ok;
        },
        'mosquitto to listen',
        10_000,
      );
    } catch (err) {
      child.kill();
      throw err;
    }
    return {
      tcpUrl,
      wsUrl: withWs ? `ws://127.0.0.1:${wsPort}` : null,
      stop() {
        child.kill();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  };
  // Debian builds Mosquitto with libwebsockets; fall back to TCP only if this one lacks it.
  return tryStart(true).catch(() => tryStart(false));
}

interface Setup {
  lab: Lab;
  /** URL a test subscriber uses (the same broker the fleet talks to). */
  brokerUrl: string;
  stop(): Promise<void>;
}

const brokers: [string, () => Promise<Setup>][] = [
  [
    'the embedded broker',
    async () => {
      const lab = await startTestLab({ fleet: { vehicles: VEHICLES, rateHz: 1 } });
      return { lab, brokerUrl: `mqtt://127.0.0.1:${lab.mqttPort}`, stop: () => lab.close() };
    },
  ],
];
if (existsSync(MOSQUITTO)) {
  brokers.push([
    "Debian's Mosquitto as an external broker",
    async () => {
      const mosq = await startMosquitto();
      const broker: LabConfig['broker'] = {
        mode: 'external',
        browserUrl: mosq.wsUrl,
        tcpUrl: mosq.tcpUrl,
      };
      const lab = await startTestLab({ broker, fleet: { vehicles: VEHICLES, rateHz: 1 } });
      return {
        lab,
        brokerUrl: mosq.tcpUrl,
        async stop() {
          await lab.close();
          mosq.stop();
        },
      };
    },
  ]);
}

describe.each(brokers)('the fleet on %s', (_name, setup) => {
  let s: Setup;
  const clients: MqttClient[] = [];
  const api = (p: string, init?: RequestInit) => fetch(`http://127.0.0.1:${s.lab.port}${p}`, init);
  const subscriber = async (): Promise<MqttClient> => {
    const c = await mqtt.connectAsync(s.brokerUrl, { reconnectPeriod: 0, connectTimeout: 5000 });
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    s = await setup();
    // The fleet starts on the first request to /api/fleet.
    expect(((await (await api('/api/fleet')).json()) as FleetInfo).vehicles).toBe(VEHICLES);
    await waitFor(
      async () => ((await (await api('/api/fleet')).json()) as FleetInfo).connected === VEHICLES,
      `${VEHICLES} vehicles to connect`,
      30_000,
    );
  }, 60_000);

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.endAsync(true)));
    await s?.stop();
  });

  it('has every vehicle online as a retained "true"', async () => {
    const sub = await subscriber();
    const online = new Map<number, boolean>();
    sub.on('message', (topic, payload, packet) => {
      const id = Number(topic.split('/')[1]);
      // [MQTT-3.3.1-8] Messages sent because of a new subscription carry the RETAIN flag.
      if (packet.retain) online.set(id, parseOnline(payload) === true);
    });
    await sub.subscribeAsync(ALL_ONLINE, { qos: 1 });
    await waitFor(() => online.size >= VEHICLES, 'retained online flags', 15_000);
    const ids = [...online.keys()].sort((a, b) => a - b);
    expect(ids).toEqual(Array.from({ length: VEHICLES }, (_, k) => k + 1));
    expect([...online.values()].every(Boolean)).toBe(true);
  });

  it('delivers vehicle 42 only to a subscriber of vehicle/42/status', async () => {
    const sub = await subscriber();
    const got: { topic: string; id: number | undefined }[] = [];
    sub.on('message', (topic, payload) => got.push({ topic, id: parseStatus(payload)?.id }));
    await sub.subscribeAsync(statusTopic(42));
    await waitFor(() => got.length >= 3, 'three statuses of vehicle 42', 15_000);
    expect(got.every((m) => m.topic === 'vehicle/42/status' && m.id === 42)).toBe(true);
  });

  it('publishes a snapshot with every online vehicle', async () => {
    const sub = await subscriber();
    let ids: number[] = [];
    sub.on('message', (_t, payload) => {
      ids = decodeSnapshot(new Uint8Array(payload)).vehicles.map((v) => v.id);
    });
    await sub.subscribeAsync(SNAPSHOT_TOPIC);
    const expected = Array.from({ length: VEHICLES }, (_, k) => k + 1);
    await waitFor(() => ids.join() === expected.join(), 'a snapshot of the whole fleet', 15_000);
  });

  it('publishes the retained "false" will when a vehicle loses its connection', async () => {
    const res = await api('/api/fleet/vehicles/7/disconnect', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ reconnectAfterS: 600 }),
    });
    expect(res.status).toBe(200);
    // A subscriber that arrives afterwards learns it from the retained message alone.
    let flag: boolean | null = null;
    await waitFor(
      async () => {
        const sub = await subscriber();
        const got = new Promise<boolean | null>((resolve) => {
          sub.once('message', (_t, payload, packet) =>
            resolve(packet.retain ? parseOnline(payload) : null),
          );
          setTimeout(() => resolve(null), 1000);
        });
        await sub.subscribeAsync(onlineTopic(7), { qos: 1 });
        flag = await got;
        await sub.endAsync(true);
        return flag === false;
      },
      'the will of vehicle 7',
      15_000,
    );
    expect(flag).toBe(false);
    // And the overview drops it while every other vehicle stays.
    const sub = await subscriber();
    let ids: number[] = [];
    sub.on(
      'message',
      (_t, p) => (ids = decodeSnapshot(new Uint8Array(p)).vehicles.map((v) => v.id)),
    );
    await sub.subscribeAsync(SNAPSHOT_TOPIC);
    await waitFor(
      () => ids.length === VEHICLES - 1 && !ids.includes(7),
      'a snapshot without 7',
      15_000,
    );
  });
});
