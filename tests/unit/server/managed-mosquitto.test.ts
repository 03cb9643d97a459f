// `npm start -- --broker mosquitto`: the lab runs the machine's Mosquitto with a generated
// configuration. These tests start the real Debian Mosquitto through the lab.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Lab } from '../../../server/app.ts';
import {
  MosquittoUnavailableError,
  findMosquitto,
  mosquittoAcl,
  mosquittoConf,
  mosquittoVersion,
  parseMosquittoVersion,
} from '../../../server/broker/mosquitto.ts';
import { fleetCredentials } from '../../../server/broker/users.ts';
import { DEFAULT_LIMITS } from '../../../server/broker/limits.ts';
import type { HealthResponse } from '../../../src/lib/wire/health.ts';
import { startTestLab, waitFor } from '../../helpers/lab.ts';

const run = promisify(execFile);
const HAVE_MOSQUITTO = existsSync('/usr/sbin/mosquitto');

describe('the generated configuration', () => {
  const users = [fleetCredentials({})];

  it('listens for MQTT and WebSocket on the given address with the embedded broker’s caps', () => {
    const conf = mosquittoConf({ host: '0.0.0.0', tcpPort: 1883, wsPort: 9001, dir: '/x', users });
    const lines = conf.split('\n');
    expect(lines).toContain(`max_packet_size ${DEFAULT_LIMITS.maxPacketBytes}`);
    expect(lines).toContain(`max_queued_messages ${DEFAULT_LIMITS.maxQueuedPerSession}`);
    expect(lines).toContain('allow_anonymous true');
    expect(lines).toContain('acl_file /x/acl');
    expect(conf).toContain('listener 1883 0.0.0.0\nprotocol mqtt\n');
    expect(conf).toContain('listener 9001 0.0.0.0\nprotocol websockets\n');
  });

  it('gives anonymous clients lab/ and chat/ to publish, and the device account vehicle/ and fleet/', () => {
    const acl = mosquittoAcl(users);
    const [anon, device] = acl.split(/^user /m);
    expect(anon).toMatch(/^topic readwrite lab\/#$/m);
    expect(anon).toMatch(/^topic readwrite chat\/#$/m);
    expect(anon).toMatch(/^topic read vehicle\/#$/m);
    expect(anon).not.toMatch(/^topic (read|readwrite) #$/m);
    expect(anon).not.toMatch(/write vehicle|write fleet/);
    expect(device).toMatch(/^fleet-sim$/m);
    expect(device).toMatch(/^topic readwrite vehicle\/#$/m);
    expect(device).toMatch(/^topic readwrite fleet\/#$/m);
  });

  it('reads Mosquitto’s version line', () => {
    expect(parseMosquittoVersion('mosquitto version 2.0.11\n\nmosquitto is an MQTT')).toEqual([
      2, 0, 11,
    ]);
    expect(parseMosquittoVersion('command not found')).toBeNull();
  });
});

describe('a missing or old Mosquitto', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'lab-fake-mosquitto-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('names the way to install it', () => {
    expect(() => findMosquitto(null, dir, [])).toThrow(MosquittoUnavailableError);
    expect(() => findMosquitto(null, dir, [])).toThrow(
      /not found: install it \(Debian\/Ubuntu: sudo apt install mosquitto; macOS: brew install mosquitto\)/,
    );
    expect(() => findMosquitto(path.join(dir, 'absent'))).toThrow(/is not an executable file/);
  });

  it('refuses a version older than 2.0 with the install hint', async () => {
    const old = path.join(dir, 'mosquitto');
    writeFileSync(old, '#!/bin/sh\necho "mosquitto version 1.6.9"\nexit 3\n');
    chmodSync(old, 0o755);
    await expect(mosquittoVersion(old)).rejects.toThrow(
      /1\.6\.9 is too old.*apt install mosquitto/,
    );
  });

  it('makes `npm start -- --broker mosquitto` exit 1 with one line', async () => {
    const err = await run(
      process.execPath,
      [
        'server/cli.ts',
        '--broker',
        'mosquitto',
        '--mosquitto-bin',
        path.join(dir, 'absent'),
        '--no-site',
        '--port',
        '0',
      ],
      { timeout: 20_000 },
    ).then(
      () => null,
      (e: { code: number; stderr: string }) => e,
    );
    expect(err?.code).toBe(1);
    expect(err?.stderr.trim().split('\n')).toHaveLength(1);
    expect(err?.stderr).toMatch(/^realtime-lab: --mosquitto-bin .* is not an executable file/);
  });
});

function connect(url: string, opts: IClientOptions = {}): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const c = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 5000, ...opts });
    c.once('connect', () => resolve(c));
    c.once('error', (e) => {
      c.end(true);
      reject(e);
    });
  });
}

function subscribe(c: MqttClient, filter: string): Promise<number> {
  return new Promise((resolve, reject) =>
    c.subscribe(filter, { qos: 0 }, (err, granted) =>
      err ? reject(err) : resolve(granted?.[0]?.qos ?? -1),
    ),
  );
}

describe.runIf(HAVE_MOSQUITTO)('the lab with --broker mosquitto', () => {
  let lab: Lab;
  let info: HealthResponse['broker'];
  const lines: string[] = [];
  const clients: MqttClient[] = [];
  const client = async (url: string, opts: IClientOptions = {}) => {
    const c = await connect(url, opts);
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    lab = await startTestLab({
      broker: { mode: 'mosquitto', mqttPort: 0, wsPort: 0, bin: null },
      fleet: { vehicles: 5, rateHz: 2 },
      mosquittoLog: (line) => lines.push(line),
    });
    const res = await fetch(`http://127.0.0.1:${lab.port}/api/health`);
    info = ((await res.json()) as HealthResponse).broker;
  });
  afterAll(async () => {
    for (const c of clients) c.end(true);
    await lab?.close();
  });

  it('says in /api/health which broker runs and that it speaks MQTT 5', () => {
    expect(info.mode).toBe('mosquitto');
    expect(info.software).toMatch(/^Mosquitto 2\./);
    expect(info.versions).toContain('5.0');
    expect(info.wsUrl).toBe(`ws://127.0.0.1:${lab.mosquitto?.wsPort}`);
    expect(info.tcpUrl).toBe(`mqtt://127.0.0.1:${lab.mqttPort}`);
  });

  it('runs the fleet and its aggregator against it: browsers see statuses and snapshots over WebSocket', async () => {
    // The fleet starts when a page first asks for it.
    await fetch(`http://127.0.0.1:${lab.port}/api/fleet`);
    const browser = await client(info.wsUrl!);
    const seen = new Set<string>();
    browser.on('message', (topic) => seen.add(topic.replace(/^vehicle\/\d+\//, 'vehicle/+/')));
    expect(await subscribe(browser, 'vehicle/+/status')).toBe(0);
    expect(await subscribe(browser, 'fleet/snapshot')).toBe(0);
    await waitFor(
      () => seen.has('vehicle/+/status') && seen.has('fleet/snapshot'),
      'a status and a snapshot',
      20_000,
    );
  });

  it('speaks MQTT 5 where the embedded broker answers CONNACK 0x01', async () => {
    const v5 = await client(info.tcpUrl!, { protocolVersion: 5 });
    expect(v5.connected).toBe(true);
  });

  // The embedded broker's refusals (server/broker/acl.ts), each over TCP and WebSocket.
  for (const via of ['tcp', 'ws'] as const) {
    it(`refuses what the embedded broker refuses (${via})`, async () => {
      const url = via === 'tcp' ? info.tcpUrl! : info.wsUrl!;
      const anon = await client(url);
      const watcher = await client(url);
      const got: string[] = [];
      watcher.on('message', (topic, payload) => got.push(`${topic}=${payload.toString()}`));
      await subscribe(watcher, 'vehicle/999/status');
      await subscribe(watcher, 'fleet/forged');
      await subscribe(watcher, 'lab/acl-marker');
      // Anonymous publishes under vehicle/ and fleet/ reach nobody; one under lab/ does.
      anon.publish('vehicle/999/status', 'forged');
      anon.publish('fleet/forged', 'forged');
      anon.publish('lab/acl-marker', 'after');
      await waitFor(() => got.includes('lab/acl-marker=after'), 'the marker');
      expect(got).toEqual(['lab/acl-marker=after']);

      // The device account may publish there.
      const { username, password } = fleetCredentials();
      const device = await client(url, { username, password, clientId: `vehicle-test-${via}` });
      device.publish('vehicle/999/status', 'real');
      await waitFor(() => got.includes('vehicle/999/status=real'), 'the device’s status');

      // A wrong password is refused: CONNACK 0x05 [MQTT-3.2.2-3].
      await expect(connect(url, { username, password: 'wrong' })).rejects.toThrow(
        /Not authorized/i,
      );

      // Mosquitto's acl_file checks read rules per message, not at SUBSCRIBE: `#` is granted, and
      // delivers only the namespaces an anonymous client could subscribe to one by one. The
      // embedded broker refuses it outright (0x80), to keep one socket from taking everything.
      expect(await subscribe(anon, 'vehicle/+/status')).toBe(0);
      expect(await subscribe(anon, '#')).toBe(0);
    });
  }

  it('restarts Mosquitto when it dies, says so, and serves again on the same ports', async () => {
    const before = lab.mosquitto!.pid()!;
    process.kill(before, 'SIGKILL');
    await waitFor(
      () => {
        const now = lab.mosquitto!.pid();
        return now !== undefined && now !== before;
      },
      'a new Mosquitto',
      10_000,
    );
    expect(lines.join('\n')).toMatch(
      /Mosquitto stopped unexpectedly \(signal SIGKILL\).*restarting/,
    );
    let again: MqttClient | null = null;
    await waitFor(
      async () => {
        again = await connect(info.tcpUrl!).catch(() => null);
        return again !== null;
      },
      'Mosquitto to accept again',
      10_000,
    );
    clients.push(again!);
    expect(lab.mosquitto!.restarts()).toBe(1);
  });

  it('stops Mosquitto with the lab', async () => {
    const pid = lab.mosquitto!.pid()!;
    await lab.close();
    expect(() => process.kill(pid, 0)).toThrow();
  });
});
