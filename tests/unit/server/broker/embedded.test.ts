import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import mqtt, { type MqttClient } from 'mqtt';
import WebSocket from 'ws';
import type { Lab } from '../../../../server/app.ts';
import type { HealthResponse } from '../../../../src/lib/wire/health.ts';
import { startTestLab, waitFor } from '../../../helpers/lab.ts';

let lab: Lab;
let tcpUrl: string;
let wsUrl: string;
const clients: MqttClient[] = [];

async function connect(url: string): Promise<MqttClient> {
  const client = await mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 5000 });
  clients.push(client);
  return client;
}

/** Resolves once the broker holds a subscription to `filter` (Aedes emits 'subscribe' then). */
function subscribed(filter: string): Promise<void> {
  const aedes = lab.broker!.aedes;
  return new Promise((resolve) => {
    const seen = (subs: { topic: string }[]) => {
      if (!subs.some((s) => s.topic === filter)) return;
      aedes.off('subscribe', seen);
      resolve();
    };
    aedes.on('subscribe', seen);
  });
}

function nextMessage(client: MqttClient): Promise<{ topic: string; payload: string }> {
  return new Promise((resolve) =>
    client.once('message', (topic, payload) => resolve({ topic, payload: payload.toString() })),
  );
}

async function health(): Promise<HealthResponse> {
  const res = await fetch(`http://127.0.0.1:${lab.port}/api/health`);
  return (await res.json()) as HealthResponse;
}

beforeAll(async () => {
  lab = await startTestLab();
  tcpUrl = `mqtt://127.0.0.1:${lab.mqttPort}`;
  wsUrl = `ws://127.0.0.1:${lab.port}/mqtt`;
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.endAsync(true)));
  await lab.close();
});

describe('the embedded broker', () => {
  it('delivers a publish from an MQTT/TCP client to an MQTT/WebSocket client', async () => {
    const sub = await connect(wsUrl);
    await sub.subscribeAsync('lab/tcp-to-ws', { qos: 1 });
    const pub = await connect(tcpUrl);
    const got = nextMessage(sub);
    await pub.publishAsync('lab/tcp-to-ws', 'hello from tcp', { qos: 1 });
    expect(await got).toEqual({ topic: 'lab/tcp-to-ws', payload: 'hello from tcp' });
  });

  it('delivers a publish from an MQTT/WebSocket client to an MQTT/TCP client', async () => {
    const sub = await connect(tcpUrl);
    await sub.subscribeAsync('lab/ws-to-tcp');
    const pub = await connect(wsUrl);
    const got = nextMessage(sub);
    await pub.publishAsync('lab/ws-to-tcp', 'hello from the browser side');
    expect(await got).toEqual({ topic: 'lab/ws-to-tcp', payload: 'hello from the browser side' });
  });

  it('selects the WebSocket subprotocol "mqtt"', async () => {
    const ws = new WebSocket(wsUrl, ['mqtt']);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    expect(ws.protocol).toBe('mqtt');
    ws.close();
  });

  it('answers 404 to a WebSocket upgrade on an unknown path, and keeps serving', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${lab.port}/nope`);
    const status = await new Promise<number>((resolve) =>
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)),
    );
    expect(status).toBe(404);
    expect((await health()).status).toBe('ok');
  });

  it('interoperates with mosquitto_pub and mosquitto_sub', async () => {
    // mosquitto_sub exits after one message (-C 1) and prints "topic payload" (-v).
    const held = subscribed('lab/interop/#');
    const sub = spawn('mosquitto_sub', [
      '-h',
      '127.0.0.1',
      '-p',
      String(lab.mqttPort),
      '-t',
      'lab/interop/#',
      '-C',
      '1',
      '-v',
      '-q',
      '1',
    ]);
    let out = '';
    sub.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => sub.on('exit', r));
    // Wait until the broker holds mosquitto_sub's subscription before publishing.
    await held;
    const probe = await connect(tcpUrl);
    await probe.subscribeAsync('lab/interop/#');

    const mqttjsGot = nextMessage(probe);
    const pub = spawn('mosquitto_pub', [
      '-h',
      '127.0.0.1',
      '-p',
      String(lab.mqttPort),
      '-t',
      'lab/interop/a',
      '-m',
      'from mosquitto_pub',
      '-q',
      '1',
    ]);
    expect(await new Promise((r) => pub.on('exit', r))).toBe(0);
    expect(await exited).toBe(0);
    expect(out.trim()).toBe('lab/interop/a from mosquitto_pub');
    expect(await mqttjsGot).toEqual({ topic: 'lab/interop/a', payload: 'from mosquitto_pub' });
  });

  it('lets mosquitto_sub receive what an mqtt.js client publishes', async () => {
    const held = subscribed('lab/interop2');
    const sub = spawn('mosquitto_sub', [
      '-h',
      '127.0.0.1',
      '-p',
      String(lab.mqttPort),
      '-t',
      'lab/interop2',
      '-C',
      '1',
    ]);
    let out = '';
    sub.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => sub.on('exit', r));
    await held;
    const pub = await connect(wsUrl);
    await pub.publishAsync('lab/interop2', 'from mqtt.js over WebSocket', { qos: 1 });
    expect(await exited).toBe(0);
    expect(out.trim()).toBe('from mqtt.js over WebSocket');
  });
});

describe('/api/health', () => {
  it('counts MQTT connections per transport, and the counts fall back when they close', async () => {
    const base = (await health()).connections;
    const a = await connect(tcpUrl);
    const b = await connect(tcpUrl);
    const c = await connect(wsUrl);
    await waitFor(async () => {
      const now = (await health()).connections;
      return now['mqttTcp'] === base['mqttTcp']! + 2 && now['mqttWs'] === base['mqttWs']! + 1;
    }, 'counts to rise');
    await Promise.all([a.endAsync(), b.endAsync(), c.endAsync()]);
    await waitFor(async () => {
      const now = (await health()).connections;
      return now['mqttTcp'] === base['mqttTcp'] && now['mqttWs'] === base['mqttWs'];
    }, 'counts to fall back');
  });

  it('reports version, uptime and the embedded broker', async () => {
    const body = await health();
    expect(body).toMatchObject({
      status: 'ok',
      name: 'realtime-lab',
      broker: { mode: 'embedded', wsUrl: null },
    });
    expect(body.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(body.uptimeS).toBeGreaterThanOrEqual(0);
    expect(body.broker.tcpUrl).toBe(`mqtt://127.0.0.1:${lab.mqttPort}`);
  });

  it('answers unknown API routes with JSON 404, never HTML', async () => {
    const res = await fetch(`http://127.0.0.1:${lab.port}/api/does-not-exist?x=1`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(await res.json()).toEqual({
      error: 'No route for GET /api/does-not-exist',
      statusCode: 404,
    });
  });
});

describe('with an external broker', () => {
  it('does not start the embedded one and says so', async () => {
    const ext = await startTestLab({
      broker: {
        mode: 'external',
        browserUrl: 'wss://broker.example:8084/mqtt',
        tcpUrl: 'mqtt://broker.example:1883',
      },
    });
    try {
      expect(ext.mqttPort).toBeNull();
      const body = (await (
        await fetch(`http://127.0.0.1:${ext.port}/api/health`)
      ).json()) as HealthResponse;
      expect(body.broker).toEqual({
        mode: 'external',
        wsUrl: 'wss://broker.example:8084/mqtt',
        tcpUrl: 'mqtt://broker.example:1883',
      });
      expect(body.connections).not.toHaveProperty('mqttTcp');
      const config = (await (await fetch(`http://127.0.0.1:${ext.port}/api/config`)).json()) as {
        broker: unknown;
      };
      expect(config.broker).toEqual(body.broker);
      // No /mqtt endpoint on this server now.
      const ws = new WebSocket(`ws://127.0.0.1:${ext.port}/mqtt`, ['mqtt']);
      const status = await new Promise<number>((resolve) =>
        ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)),
      );
      expect(status).toBe(404);
    } finally {
      await ext.close();
    }
  });
});
