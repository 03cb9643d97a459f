// The fleet's control API (/api/fleet) and the stand-alone simulator CLI (`npm run fleet`).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import net from 'node:net';
import mqtt, { type MqttClient } from 'mqtt';
import type { Lab } from '../../../server/app.ts';
import {
  ALL_ONLINE,
  ALL_STATUS,
  parseOnline,
  type FleetInfo,
} from '../../../src/lib/wire/fleet.ts';
import { startTestLab, waitFor } from '../../helpers/lab.ts';

let lab: Lab;
const clients: MqttClient[] = [];
const url = (p: string) => `http://127.0.0.1:${lab.port}${p}`;
const patch = (body: unknown, raw?: string) =>
  fetch(url('/api/fleet'), {
    method: 'PATCH',
    headers: { 'content-type': 'application/json' },
    body: raw ?? JSON.stringify(body),
  });
const info = async (): Promise<FleetInfo> =>
  (await (await fetch(url('/api/fleet'))).json()) as FleetInfo;

async function subscriber(): Promise<MqttClient> {
  const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${lab.mqttPort}`, { reconnectPeriod: 0 });
  clients.push(c);
  return c;
}

beforeAll(async () => {
  // No fleet unless asked: this lab starts with none.
  lab = await startTestLab();
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.endAsync(true)));
  await lab.close();
});

describe('the fleet control API', () => {
  it('runs no vehicles in a test lab until asked', async () => {
    expect(await info()).toMatchObject({ vehicles: 0, connected: 0, rateHz: 1, paused: false });
  });

  it.each([
    [{ vehicles: -1 }, 'vehicles'],
    [{ vehicles: 5001 }, 'vehicles'],
    [{ vehicles: 'many' }, 'vehicles'],
    [{ vehicles: 2.5 }, 'vehicles'],
    [{ rateHz: 0 }, 'rateHz'],
    [{ rateHz: 50 }, 'rateHz'],
    [{ paused: 'yes' }, 'paused'],
    [{ colour: 'red' }, 'colour'],
    [[1, 2], 'body'],
  ])('answers 400 naming the field for %j', async (body, field) => {
    const res = await patch(body);
    expect(res.status).toBe(400);
    const json = (await res.json()) as { error: string; statusCode: number; field: string };
    expect(json).toMatchObject({ statusCode: 400, field });
    expect(json.error).toContain(field);
  });

  it('answers 400 for malformed JSON, and keeps running', async () => {
    const res = await patch(null, '{"vehicles": ');
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ statusCode: 400, field: 'body' });
    expect((await fetch(url('/api/fleet'))).status).toBe(200);
  });

  it('grows, pauses, resumes and shrinks the fleet', async () => {
    const sub = await subscriber();
    const online = new Map<number, boolean | null>();
    let statuses = 0;
    sub.on('message', (topic, payload) => {
      if (topic.endsWith('/status')) statuses++;
      else online.set(Number(topic.split('/')[1]), parseOnline(payload));
    });
    await sub.subscribeAsync({ [ALL_ONLINE]: { qos: 1 }, [ALL_STATUS]: { qos: 0 } });

    expect(await (await patch({ vehicles: 3, rateHz: 5 })).json()).toMatchObject({
      vehicles: 3,
      rateHz: 5,
    });
    await waitFor(async () => (await info()).connected === 3, 'three vehicles', 10_000);
    await waitFor(() => statuses >= 6, 'statuses at 5 Hz', 10_000);

    expect(await (await patch({ paused: true })).json()).toMatchObject({ paused: true });
    await new Promise((r) => setTimeout(r, 400)); // let messages already on the way land
    const before = statuses;
    await new Promise((r) => setTimeout(r, 1500));
    expect(statuses, 'no status while paused').toBe(before);
    await patch({ paused: false });
    await waitFor(() => statuses > before, 'statuses after resuming', 10_000);

    // Vehicles leaving the fleet clear their retained flag instead of lingering as "online".
    await patch({ vehicles: 1 });
    await waitFor(
      () => online.get(2) === null && online.get(3) === null && online.get(1) === true,
      'vehicles 2 and 3 to leave',
      10_000,
    );
    expect(await info()).toMatchObject({ vehicles: 1, connected: 1 });
  });

  it('answers 404 for an unknown vehicle and 400 for a bad id or delay', async () => {
    const post = (p: string, body?: unknown) =>
      fetch(
        url(p),
        body === undefined
          ? { method: 'POST' }
          : {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify(body),
            },
      );
    expect((await post('/api/fleet/vehicles/999/disconnect')).status).toBe(404);
    expect((await post('/api/fleet/vehicles/999/brake')).status).toBe(404);
    const bad = await post('/api/fleet/vehicles/abc/brake');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ field: 'id' });
    const delay = await post('/api/fleet/vehicles/1/disconnect', { reconnectAfterS: -3 });
    expect(delay.status).toBe(400);
    expect(await delay.json()).toMatchObject({ field: 'reconnectAfterS' });
    expect((await post('/api/fleet/vehicles/1/brake')).status).toBe(200);
  });

  it('caps vehicles × rate at what the machine carries, even for the trainer', async () => {
    const small = await startTestLab({ fleetCapacity: 100 });
    try {
      const req = (body: object) =>
        small.app.inject({ method: 'PATCH', url: '/api/fleet', payload: body });
      // The probe that took a lab down: the largest fleet, then the highest rate.
      expect((await req({ vehicles: 5000 })).json()).toMatchObject({
        statusCode: 400,
        field: 'vehicles',
        capacity: 100,
      });
      expect((await req({ rateHz: 10 })).statusCode).toBe(200); // no vehicles yet: 0 × 10
      const over = await req({ vehicles: 20 });
      expect(over.statusCode).toBe(400);
      expect(over.json()).toMatchObject({ field: 'vehicles' });
      expect((await req({ vehicles: 101, rateHz: 0.2 })).json()).toMatchObject({
        field: 'vehicles',
      });
      const info = (await small.app.inject({ url: '/api/fleet' })).json<FleetInfo>();
      expect(info).toMatchObject({ vehicles: 0, rateHz: 10, capacity: 100, slowdown: 1 });
    } finally {
      await small.close();
    }
  });

  it('shrinks or closes while vehicles are still connecting, without a crash', async () => {
    // A vehicle retired between its CONNECT and the CONNACK used to publish from an ended
    // client, which throws outside any handler: the lab process died.
    for (let round = 0; round < 3; round++) {
      const busy = await startTestLab({ fleet: { vehicles: 60, rateHz: 1 } });
      const req = (body?: object) =>
        busy.app.inject(
          body ? { method: 'PATCH', url: '/api/fleet', payload: body } : { url: '/api/fleet' },
        );
      expect((await req()).statusCode).toBe(200);
      // The first vehicles are in, the rest on their way.
      await waitFor(async () => (await req()).json<FleetInfo>().connected > 0, 'a vehicle', 10_000);
      expect((await req({ vehicles: 5 })).statusCode).toBe(200);
      await busy.close();
    }
  });

  it('slows the fleet while the event loop lags, unless the backoff is off', async () => {
    const block = (ms: number) => {
      const until = performance.now() + ms;
      while (performance.now() < until); // the lab's own event loop, held up as a busy laptop's
    };
    const slowdownAfterLag = async (fleetBackoff: boolean): Promise<number> => {
      const one = await startTestLab({ fleet: { vehicles: 1, rateHz: 1 }, fleetBackoff });
      try {
        const get = async () =>
          (await one.app.inject({ url: '/api/fleet' })).json<FleetInfo>().slowdown ?? 1;
        await waitFor(
          async () => (await one.app.inject({ url: '/api/fleet' })).statusCode === 200,
          'the fleet',
        );
        // Two late samples of the lag watch (every 250 ms), each far over its 100 ms limit.
        for (let i = 0; i < 2; i++) {
          block(400);
          await new Promise((r) => setImmediate(r));
          await new Promise((r) => setTimeout(r, 0));
        }
        let seen = 1;
        await waitFor(async () => (seen = await get()) > 1, 'a slowdown', 2000).catch(() => {});
        return seen;
      } finally {
        await one.close();
      }
    };
    expect(await slowdownAfterLag(true)).toBeGreaterThan(1);
    expect(await slowdownAfterLag(false)).toBe(1);
  });

  it('answers 400 naming the field for a value nested 20,000 deep, never 500', async () => {
    const deep = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
    const cases: [string, string, string][] = [
      ['PATCH', '/api/fleet', 'vehicles'],
      ['PATCH', '/api/fleet', 'rateHz'],
      ['POST', '/api/fleet/vehicles/1/disconnect', 'reconnectAfterS'],
    ];
    for (const [method, path, field] of cases) {
      const res = await fetch(url(path), {
        method,
        headers: { 'content-type': 'application/json' },
        body: `{"${field}":${deep}}`,
      });
      expect(res.status, field).toBe(400);
      expect(await res.json()).toMatchObject({ statusCode: 400, field });
    }
    expect(await info()).toMatchObject({ vehicles: 1 });
  });
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runFleetCli(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['server/fleet/cli.ts', ...args]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() => resolve(typeof a === 'object' && a ? a.port : 1));
    });
  });
}

describe('npm run fleet', () => {
  it.each([
    [['--vehicles', '0'], /--vehicles must be a whole number from 1 to 5000/],
    [['--vehicles=-4'], /--vehicles must be a whole number/],
    [['--rate', '100'], /--rate must be a number .* from 0.2 to 10/],
    [['--broker-tcp-url', 'http://x'], /--broker-tcp-url must start with mqtt:\/\//],
    [['--bogus'], /Unknown option '--bogus'/],
  ])('exits 2 with a clear message for %j', async (args, message) => {
    const run = await runFleetCli(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });

  it('exits 2 when the broker cannot be reached', async () => {
    const port = await closedPort();
    const run = await runFleetCli(['--broker-tcp-url', `mqtt://127.0.0.1:${port}`]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/cannot reach the broker at mqtt:\/\/127\.0\.0\.1:\d+/);
  });

  it('runs vehicles against a broker and stops by itself', async () => {
    const sub = await subscriber();
    const seen = new Set<number>();
    sub.on('message', (topic, payload) => {
      if (parseOnline(payload) === true) seen.add(Number(topic.split('/')[1]));
    });
    // Ids 1-4 may already be taken by the API test's fleet; this one is separate (own ids suffix).
    await sub.subscribeAsync(ALL_ONLINE, { qos: 1 });
    const run = await runFleetCli([
      '--vehicles',
      '4',
      '--duration',
      '2',
      '--broker-tcp-url',
      `mqtt://127.0.0.1:${lab.mqttPort}`,
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/4 vehicles at 1 Hz/);
    expect([...seen].sort()).toEqual([1, 2, 3, 4]);
  });
});
