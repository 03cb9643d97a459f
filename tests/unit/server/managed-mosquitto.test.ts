// `npm start -- --broker mosquitto`: the lab runs the machine's Mosquitto with a generated
// configuration. These tests start the real Debian Mosquitto through the lab.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Lab } from '../../../server/app.ts';
import {
  MosquittoUnavailableError,
  findMosquitto,
  findDynsecPlugin,
  mosquittoConf,
  mosquittoDynsec,
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
    const conf = mosquittoConf({
      host: '0.0.0.0',
      tcpPort: 1883,
      wsPort: 9001,
      dir: '/x',
      plugin: '/p/dynsec.so',
    });
    const lines = conf.split('\n');
    expect(lines).toContain(`max_packet_size ${DEFAULT_LIMITS.maxPacketBytes}`);
    expect(lines).toContain(`max_queued_messages ${DEFAULT_LIMITS.maxQueuedPerSession}`);
    expect(lines).toContain('allow_anonymous true');
    expect(lines).toContain('plugin /p/dynsec.so');
    expect(lines).toContain('plugin_opt_config_file /x/dynamic-security.json');
    expect(conf).toContain('listener 1883 0.0.0.0\nprotocol mqtt\n');
    expect(conf).toContain('listener 9001 0.0.0.0\nprotocol websockets\n');
  });

  it('stores the device account’s password as the plugin checks it (PBKDF2-SHA512)', () => {
    const [client] = mosquittoDynsec(users).clients;
    const salt = Buffer.from(client!.salt, 'base64');
    expect(salt).toHaveLength(12);
    const hash = pbkdf2Sync(users[0]!.password, salt, client!.iterations, 64, 'sha512');
    expect(client!.password).toBe(hash.toString('base64'));
    expect(JSON.stringify(mosquittoDynsec(users))).not.toContain(users[0]!.password);
  });

  it.runIf(HAVE_MOSQUITTO)('finds the dynamic security plugin Debian installs', () => {
    expect(findDynsecPlugin('/usr/sbin/mosquitto')).toMatch(
      /^\/usr\/lib\/.*mosquitto_dynamic_security\.so$/,
    );
    expect(() => findDynsecPlugin('/nowhere/sbin/mosquitto')).toThrow(MosquittoUnavailableError);
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

/** What a broker answered: a CONNACK or SUBACK code, or what became of a PUBLISH. */
type Outcome =
  | Connack
  | `${Connack}, holder ${'kept' | 'disconnected'}`
  | `SUBACK 0x${string}`
  | 'delivered'
  | 'dropped'
  | 'connection closed';
type Connack = `CONNACK 0x${string}`;

/** One case of the access rules: how to try it, and the outcome on each broker. */
interface ParityCase {
  what: string;
  run: (url: string, open: MqttClient[]) => Promise<Outcome>;
  embedded: Outcome;
  /** Mosquitto's outcome where it cannot match the embedded broker's; the same when absent. */
  mosquitto?: Outcome;
}

const hex = (n: number): `0x${string}` => `0x${n.toString(16).padStart(2, '0')}`;
const tag = () => randomBytes(4).toString('hex');
const device = (): IClientOptions => {
  const { username, password } = fleetCredentials();
  return { username, password };
};

/** Connects and reports the CONNACK return code (§3.2.2.3). */
async function connack(url: string, opts: IClientOptions, open: MqttClient[]): Promise<Connack> {
  try {
    open.push(await connect(url, opts));
    return 'CONNACK 0x00';
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code !== 'number') throw err;
    return `CONNACK ${hex(code)}`;
  }
}

function connackOf(opts: IClientOptions): ParityCase['run'] {
  return (url, open) => connack(url, opts, open);
}

/** Subscribes to one filter and reports the SUBACK return code: the granted QoS or 0x80. */
function subackOf(filter: string, opts: IClientOptions = {}, qos: 0 | 1 = 0): ParityCase['run'] {
  return async (url, open) => {
    const c = await connect(url, opts);
    open.push(c);
    return new Promise((resolve, reject) =>
      c.subscribe(filter, { qos }, (err, granted) => {
        // A failed subscription is return code 0x80 [MQTT-3.8.4-5]; mqtt.js reports it as an error
        // carrying the SUBACK.
        const suback = (err as { packet?: { granted?: number[] } } | undefined)?.packet;
        const code = err ? suback?.granted?.[0] : granted?.[0]?.qos;
        if (typeof code === 'number') resolve(`SUBACK ${hex(code)}`);
        else reject(err ?? new Error('no SUBACK code'));
      }),
    );
  };
}

/**
 * Publishes on `topic` (QoS 0), then on a marker topic under `lab/`, while a device account watches
 * both (through `watch`, a filter matching `topic` it may hold): the message is delivered, dropped
 * (the marker arrives, the message never did), or the publisher's connection is closed.
 */
function publishOf(
  topic: string,
  opts: IClientOptions = {},
  watch: string = topic,
): ParityCase['run'] {
  return async (url, open) => {
    const marker = `lab/parity-marker-${tag()}`;
    const watcher = await connect(url, device());
    open.push(watcher);
    const seen: string[] = [];
    watcher.on('message', (t) => seen.push(t));
    await watcher.subscribeAsync([watch, marker]);
    const publisher = await connect(url, opts);
    open.push(publisher);
    publisher.on('error', () => {});
    const closed = new Promise<Outcome>((r) =>
      publisher.once('close', () => r('connection closed')),
    );
    const marked = new Promise<Outcome>((resolve) =>
      watcher.on('message', (t) => {
        if (t === marker) resolve(seen.includes(topic) ? 'delivered' : 'dropped');
      }),
    );
    publisher.publish(topic, 'parity');
    publisher.publish(marker, 'after');
    return Promise.race([closed, marked]);
  };
}

/** A device account connects with an id; an anonymous client then connects with the same id. */
function takeoverOf(prefix: string): ParityCase['run'] {
  return async (url, open) => {
    const clientId = `${prefix}${tag()}`;
    const holder = await connect(url, { ...device(), clientId });
    open.push(holder);
    const holderClosed = new Promise<void>((r) => holder.once('close', () => r()));
    const answer = await connack(url, { clientId }, open);
    if (answer === 'CONNACK 0x00') {
      await holderClosed;
      return `${answer}, holder disconnected`;
    }
    // The holder still answers a SUBSCRIBE after the refused attempt: it was not disconnected.
    await holder.subscribeAsync(`lab/parity-${tag()}`);
    return `${answer}, holder ${holder.connected ? 'kept' : 'disconnected'}`;
  };
}

/**
 * Sends Mosquitto's dynamic security plugin a command creating an account (QoS 1, so Mosquitto has
 * handled it when the PUBACK comes), then tries that account: CONNACK 0x05 if the command was refused.
 */
const createAccountThenConnect: ParityCase['run'] = async (url, open) => {
  const username = `intruder-${tag()}`;
  const password = 'intruder';
  const sender = await connect(url);
  open.push(sender);
  sender.on('error', () => {});
  const closed = new Promise<void>((r) => sender.once('close', () => r()));
  const command = JSON.stringify({ commands: [{ command: 'createClient', username, password }] });
  const acked = sender.publishAsync('$CONTROL/dynamic-security/v1', command, { qos: 1 });
  await Promise.race([closed, acked.catch(() => {})]);
  return connack(url, { username, password }, open);
};

const firehose = (plus: number) => [...Array<string>(plus).fill('+'), '#'].join('/');

/** The access rules of server/broker/acl.ts, each tried on both brokers. */
const PARITY: ParityCase[] = [
  { what: 'anonymous CONNECT', run: connackOf({}), embedded: 'CONNACK 0x00' },
  {
    what: 'the device account with a vehicle’s id',
    run: (url, open) => connackOf({ ...device(), clientId: `vehicle-${tag()}` })(url, open),
    embedded: 'CONNACK 0x00',
  },
  // §3.2.2.3 return code 0x05 "not authorized", for a wrong password and an unknown user alike.
  {
    what: 'the device account with a wrong password',
    run: connackOf({ ...device(), password: 'wrong' }),
    embedded: 'CONNACK 0x05',
  },
  {
    what: 'an unknown username',
    run: connackOf({ username: 'nobody', password: 'x' }),
    embedded: 'CONNACK 0x05',
  },
  {
    what: 'the device account’s username without a password',
    run: connackOf({ username: fleetCredentials().username }),
    embedded: 'CONNACK 0x05',
  },
  // The ids of the fleet's clients and of race lanes are reserved to credentials in the embedded
  // broker, so nobody can take a live one over [MQTT-3.1.4-2]. Mosquitto 2 has no setting or plugin
  // rule that refuses an anonymous CONNECT by its client id: it accepts it and ends the holder's.
  ...['vehicle-', 'fleet-aggregator-', 'fleet-probe-', 'race-'].map((prefix): ParityCase => ({
    what: `anonymous CONNECT with the ${prefix}… id a device account holds`,
    run: takeoverOf(prefix),
    embedded: 'CONNACK 0x05, holder kept',
    mosquitto: 'CONNACK 0x00, holder disconnected',
  })),
  // Anonymous clients may not subscribe to a firehose of the whole broker (0x80, [MQTT-3.8.4-5]).
  ...[0, 1, 2, DEFAULT_LIMITS.maxTopicLevels - 1].map((plus): ParityCase => ({
    what: `anonymous SUBSCRIBE ${firehose(plus).length > 12 ? `+/…/+/# (${plus + 1} levels)` : firehose(plus)}`,
    run: subackOf(firehose(plus)),
    embedded: 'SUBACK 0x80',
  })),
  { what: 'anonymous SUBSCRIBE lab/#', run: subackOf('lab/#'), embedded: 'SUBACK 0x00' },
  {
    what: 'anonymous SUBSCRIBE lab/x at QoS 1',
    run: subackOf('lab/x', {}, 1),
    embedded: 'SUBACK 0x01',
  },
  // `#` matches no topic starting with `$` [MQTT-4.7.2-1]: `$SYS/#` is one namespace, not all.
  { what: 'anonymous SUBSCRIBE $SYS/#', run: subackOf('$SYS/#'), embedded: 'SUBACK 0x00' },
  {
    what: 'anonymous SUBSCRIBE vehicle/+/status',
    run: subackOf('vehicle/+/status'),
    embedded: 'SUBACK 0x00',
  },
  { what: 'anonymous SUBSCRIBE +/status', run: subackOf('+/status'), embedded: 'SUBACK 0x00' },
  // A race's stream is its lanes' alone.
  { what: 'anonymous SUBSCRIBE race/r1/#', run: subackOf('race/r1/#'), embedded: 'SUBACK 0x80' },
  { what: 'anonymous SUBSCRIBE race', run: subackOf('race'), embedded: 'SUBACK 0x80' },
  { what: 'device SUBSCRIBE #', run: subackOf('#', device()), embedded: 'SUBACK 0x00' },
  { what: 'device SUBSCRIBE race/#', run: subackOf('race/#', device()), embedded: 'SUBACK 0x80' },
  {
    what: 'anonymous PUBLISH under lab/',
    run: (url, open) => publishOf(`lab/parity-${tag()}`)(url, open),
    embedded: 'delivered',
  },
  {
    what: 'anonymous PUBLISH under chat/',
    run: (url, open) => publishOf(`chat/parity-${tag()}`)(url, open),
    embedded: 'delivered',
  },
  {
    what: 'device PUBLISH on a vehicle topic',
    run: (url, open) => publishOf(`vehicle/parity-${tag()}/status`, device())(url, open),
    embedded: 'delivered',
  },
  // 3.1.1 has no negative acknowledgement of a PUBLISH: a server that refuses one either
  // acknowledges it as usual or closes the connection [MQTT-3.3.5-2]. The embedded broker closes
  // it, so the lab shows the refusal; Mosquitto drops the message and keeps the connection (to an
  // MQTT 5 client its QoS 1 PUBACK carries 0x87 "not authorized").
  ...['vehicle/parity/status', 'fleet/parity', '$SYS/parity'].map((topic): ParityCase => ({
    what: `anonymous PUBLISH on ${topic}`,
    run: publishOf(topic),
    embedded: 'connection closed',
    mosquitto: 'dropped',
  })),
  {
    what: 'anonymous createClient command on $CONTROL/dynamic-security/v1, then CONNECT as it',
    run: createAccountThenConnect,
    embedded: 'CONNACK 0x05',
  },
  {
    what: 'device PUBLISH on race/r1',
    // Nobody may subscribe below race/, so the device watches through a `+` first level.
    run: publishOf('race/r1', device(), '+/r1'),
    embedded: 'connection closed',
    mosquitto: 'dropped',
  },
];

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
    });
  }

  // The same cases against the embedded broker and this Mosquitto, over MQTT 3.1.1 on TCP. Where
  // Mosquitto cannot do what the embedded broker does, the row says so (README, "Three broker
  // modes"); every other row must give the same answer on both.
  describe('the embedded broker’s access rules, case by case', () => {
    let embedded: Lab;
    beforeAll(async () => {
      embedded = await startTestLab();
    });
    afterAll(() => embedded?.close());

    for (const row of PARITY) {
      const differs = row.mosquitto !== undefined && row.mosquitto !== row.embedded;
      it(`${row.what}: ${row.embedded}${differs ? ` (Mosquitto: ${row.mosquitto})` : ''}`, async () => {
        const [onEmbedded, onMosquitto] = await Promise.all([
          row.run(`mqtt://127.0.0.1:${embedded.mqttPort}`, clients),
          row.run(info.tcpUrl!, clients),
        ]);
        expect({ embedded: onEmbedded, mosquitto: onMosquitto }).toEqual({
          embedded: row.embedded,
          mosquitto: row.mosquitto ?? row.embedded,
        });
      });
    }
  });

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
