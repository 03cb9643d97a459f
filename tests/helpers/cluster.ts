// What the tests of several lab instances sharing one Redis have in common (redis-cluster,
// redis-outage and redis-failover .test.ts: three files, so that vitest runs their slow parts
// side by side).
import { spawn, type ChildProcess } from 'node:child_process';
import { expect } from 'vitest';
import mqtt, { type MqttClient } from 'mqtt';
import { EventSourceParserStream } from 'eventsource-parser/stream';
import type { Lab } from '../../server/app.ts';
import type { TickerEvent } from '../../src/lib/wire/http-demos.ts';
import { freePort } from './redis.ts';

/** Connects MQTT clients (no reconnection unless asked) and ends them all at the end. */
export function mqttClients() {
  const clients: MqttClient[] = [];
  return {
    /** Connected, or rejected. */
    connect: async (url: string, opts: mqtt.IClientOptions = {}): Promise<MqttClient> => {
      const client = await mqtt.connectAsync(url, { reconnectPeriod: 0, ...opts });
      clients.push(client);
      return client;
    },
    /** Ends `client` too, in endAll. */
    track: (client: MqttClient): MqttClient => {
      clients.push(client);
      return client;
    },
    endAll: async (): Promise<void> => {
      await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
    },
  };
}

/** The next message on `topic`. */
export function nextMessage(client: MqttClient, topic: string): Promise<string> {
  return new Promise((resolve) => {
    const on = (t: string, payload: Buffer): void => {
      if (t !== topic) return;
      client.off('message', on);
      resolve(payload.toString());
    };
    client.on('message', on);
  });
}

/**
 * Runs the CLI as its own process, so that the test can `kill -9` it. Its start takes seconds
 * on a busy machine (CI type-checks beside the tests): the tests that use it wait up to 90 s.
 */
export async function startCliLab(
  redisUrl: string,
  fleet = ['--no-fleet'],
): Promise<{ child: ChildProcess; port: number; mqttPort: number }> {
  const [port, mqttPort] = [await freePort(), await freePort()];
  const child = spawn(
    process.execPath,
    [
      'server/cli.ts',
      ...['--no-site', ...fleet, '--host', '127.0.0.1'],
      ...['--port', String(port), '--mqtt-port', String(mqttPort), '--redis-url', redisUrl],
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PORT: '', MQTT_PORT: '' } },
  );
  let out = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('Ctrl-C')) resolve();
    });
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => reject(new Error(`lab exited ${code}: ${out}`)));
  });
  return { child, port, mqttPort };
}

/** Kills a lab started by startCliLab as a power cut would, and waits for it to be gone. */
export async function kill9(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

/** An instance's HTTP origin. */
export const base = (l: Lab): string => `http://127.0.0.1:${l.port}`;

/** Presses "send event now" on an instance; resolves with the event's seq. */
export async function emitOn(l: Lab, clientId: string): Promise<number> {
  const res = await fetch(`${base(l)}/api/ticker/emit?clientId=${clientId}`, { method: 'POST' });
  expect(res.status).toBe(200);
  return ((await res.json()) as { event: TickerEvent }).event.seq;
}

/** An event stream read with fetch, so the test chooses the Last-Event-ID header itself. */
export function openSse(l: Lab, lastEventId?: number) {
  const ctrl = new AbortController();
  const events: { event: string; id: number | null }[] = [];
  const opened = fetch(`${base(l)}/api/sse?clientId=sse-${l.port}`, {
    signal: ctrl.signal,
    headers: lastEventId === undefined ? {} : { 'Last-Event-ID': String(lastEventId) },
  }).then(async (res) => {
    const reader = res
      .body!.pipeThrough(new TextDecoderStream())
      .pipeThrough(new EventSourceParserStream())
      .getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      if (value.event) {
        events.push({ event: value.event, id: value.id === undefined ? null : Number(value.id) });
      }
    }
  });
  opened.catch(() => {}); // aborted at the end
  return { events, close: () => ctrl.abort() };
}
