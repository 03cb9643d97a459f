// Several lab instances sharing one Redis (`--redis-url`): each test talks to one instance and
// checks what a client of another instance sees. The redis-server is the test's own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import mqtt, { type MqttClient } from 'mqtt';
import { Redis } from 'ioredis';
import { WebSocket } from 'ws';
import type { Lab } from '../../../server/app.ts';
import { STORE_UNAVAILABLE, type HealthResponse } from '../../../src/lib/wire/health.ts';
import type { EventsResponse, TickerEvent } from '../../../src/lib/wire/http-demos.ts';
import type { FleetInfo } from '../../../src/lib/wire/fleet.ts';
import { startTestLab, waitFor } from '../../helpers/lab.ts';
import { freePort, startTestRedis, type TestRedis } from '../../helpers/redis.ts';
import { joinedChat, rawChat, type RawChat } from '../../helpers/chat.ts';

let redis: TestRedis;
let labs: Lab[] = [];
const clients: MqttClient[] = [];

beforeAll(async () => {
  redis = await startTestRedis();
  labs = await Promise.all(
    [0, 1, 2].map(() => startTestLab({ redisUrl: redis.url, fleet: { vehicles: 0, rateHz: 1 } })),
  );
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.endAsync(true)));
  await Promise.all(labs.map((l) => l.close()));
  await redis?.stop();
});

const lab = (i: number): Lab => labs[i]!;

async function connect(url: string, opts: mqtt.IClientOptions = {}): Promise<MqttClient> {
  const client = await mqtt.connectAsync(url, { reconnectPeriod: 0, ...opts });
  clients.push(client);
  return client;
}

function nextMessage(client: MqttClient, topic: string): Promise<string> {
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
async function startCliLab(
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

async function kill9(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

describe('--redis-url', () => {
  it('reports Redis in /api/health, up while it answers', async () => {
    const res = await fetch(`http://127.0.0.1:${lab(0).port}/api/health`);
    const body = (await res.json()) as HealthResponse;
    expect(body.redis).toBe('up');
    const alone = await startTestLab();
    try {
      const plain = (await (
        await fetch(`http://127.0.0.1:${alone.port}/api/health`)
      ).json()) as HealthResponse;
      expect(plain).not.toHaveProperty('redis');
    } finally {
      await alone.close();
    }
  });

  it('exits 1 with one line when Redis does not answer', async () => {
    const nobody = await freePort();
    const child = spawn(
      process.execPath,
      [
        'server/cli.ts',
        ...['--no-site', '--no-fleet', '--host', '127.0.0.1', '--port', '0', '--mqtt-port', '0'],
        ...['--redis-url', `redis://127.0.0.1:${nobody}`],
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise((r) => child.once('exit', r));
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain(`cannot reach Redis at redis://127.0.0.1:${nobody}`);
  });
});

describe('Redis going away while the lab runs', () => {
  it('is reported by /api/health and the demos, and everything recovers when it is back', async () => {
    const own = await startTestRedis({ durable: true });
    const one = await startTestLab({ redisUrl: own.url });
    const health = async (): Promise<HealthResponse['redis']> =>
      ((await (await fetch(`${base(one)}/api/health`)).json()) as HealthResponse).redis;
    try {
      const sub = await connect(`mqtt://127.0.0.1:${one.mqttPort}`, { reconnectPeriod: 200 });
      await sub.subscribeAsync('lab/outage/t', { qos: 1 });
      const chat = await joinedChat(one, 'otto', 'outage');
      const willed = await connect(`mqtt://127.0.0.1:${one.mqttPort}`, {
        will: { topic: 'lab/outage/will', payload: Buffer.from('gone'), qos: 0, retain: false },
      });

      await own.kill();
      // Leaving while Redis is away: Aedes deletes the will, which the store does without
      // waiting for every command (a rejection nobody handles would end the process).
      await willed.endAsync();
      await waitFor(async () => (await health()) === 'down', 'health to say down');
      const emit = await fetch(`${base(one)}/api/ticker/emit?clientId=out`, { method: 'POST' });
      expect(emit.status).toBe(503);
      // Pages say this in their own language: the code, not the English text, is what they read.
      expect(await emit.json()).toMatchObject({ statusCode: 503, code: STORE_UNAVAILABLE });
      const race = await fetch(`${base(one)}/api/race`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ rate: 5, size: 60, durationS: 5, pollIntervalS: 0.5 }),
      });
      expect(await race.json()).toMatchObject({ statusCode: 503, code: STORE_UNAVAILABLE });
      chat.send({ type: 'chat', room: 'outage', text: 'lost?', clientMsgId: 'o1' });
      // Two Redis commands (the rate window, then the post), each failing only after two
      // reconnection attempts up to a second apart: this answer took over 5 s at times.
      expect((await chat.next('error', (m) => m.ref === 'o1', 0, 20_000)).code).toBe('unavailable');

      await own.restart();
      await waitFor(async () => (await health()) === 'up', 'health to say up', 10_000);
      expect(
        (await fetch(`${base(one)}/api/ticker/emit?clientId=out`, { method: 'POST' })).status,
      ).toBe(200);
      chat.send({ type: 'chat', room: 'outage', text: 'back', clientMsgId: 'o2' });
      await chat.next('chat', (m) => m.text === 'back', 0);
      await waitFor(() => sub.connected, 'the MQTT client to be connected', 10_000);
      const got = nextMessage(sub, 'lab/outage/t');
      const pub = await connect(`mqtt://127.0.0.1:${one.mqttPort}`);
      await pub.publishAsync('lab/outage/t', 'after', { qos: 1 });
      expect(await got).toBe('after');
      chat.close();
    } finally {
      await one.close();
      await own.stop();
    }
    // About 8 s on an idle machine, most of it real waiting: while Redis is away a command fails
    // only after two reconnection attempts, up to a second apart, and the clients reconnect
    // after it is back. Beside lint and the type checks on 2 cores it took over 30 s once.
  }, 90_000);
});

describe('the broker across instances', () => {
  it('delivers a message published on B to a subscriber on A, over TCP and WebSocket', async () => {
    const tcpSub = await connect(`mqtt://127.0.0.1:${lab(0).mqttPort}`);
    const wsSub = await connect(`ws://127.0.0.1:${lab(0).port}/mqtt`);
    await tcpSub.subscribeAsync('lab/cluster/a', { qos: 1 });
    await wsSub.subscribeAsync('lab/cluster/a', { qos: 1 });
    const pub = await connect(`mqtt://127.0.0.1:${lab(1).mqttPort}`);
    const got = Promise.all([
      nextMessage(tcpSub, 'lab/cluster/a'),
      nextMessage(wsSub, 'lab/cluster/a'),
    ]);
    await pub.publishAsync('lab/cluster/a', 'from B', { qos: 1 });
    expect(await got).toEqual(['from B', 'from B']);

    // And the other way: a WebSocket publisher on C, a TCP subscriber on A.
    const wsPub = await connect(`ws://127.0.0.1:${lab(2).port}/mqtt`);
    const again = nextMessage(tcpSub, 'lab/cluster/a');
    await wsPub.publishAsync('lab/cluster/a', 'from C', { qos: 0 });
    expect(await again).toBe('from C');

    // QoS 2 both ways (the PUBREL patch is off over the Redis store, which matches PUBRELs itself).
    const q2 = await connect(`mqtt://127.0.0.1:${lab(0).mqttPort}`);
    await q2.subscribeAsync('lab/cluster/q2', { qos: 2 });
    const exactly = nextMessage(q2, 'lab/cluster/q2');
    await pub.publishAsync('lab/cluster/q2', 'once', { qos: 2 });
    expect(await exactly).toBe('once');
  });

  it('keeps retained messages, a session’s queued QoS 1 messages and chat history through kill -9', async () => {
    const d = await startCliLab(redis.url);
    const onD = { port: d.port } as Lab;
    const talker = await joinedChat(onD, 'dora', 'durable');
    talker.send({ type: 'chat', room: 'durable', text: 'before the kill', clientMsgId: 'd1' });
    await talker.next('chat', (m) => m.text === 'before the kill');
    talker.close();
    const at = (port: number): string => `mqtt://127.0.0.1:${port}`;
    const session = { clientId: 'cluster-session', clean: false };
    const sub = await connect(at(d.mqttPort), session);
    await sub.subscribeAsync('lab/cluster/q', { qos: 1 });
    await sub.endAsync();
    const pub = await connect(at(d.mqttPort));
    await pub.publishAsync('lab/cluster/retained', 'kept', { qos: 1, retain: true });
    for (const n of [1, 2, 3]) await pub.publishAsync('lab/cluster/q', `m${n}`, { qos: 1 });
    await pub.endAsync();
    // The instance acknowledges before it stores for offline sessions: wait until Redis has them.
    const probe = new Redis(redis.url);
    try {
      await waitFor(
        async () => (await probe.llen('outgoing:cluster-session')) === 3,
        'three queued messages in Redis',
      );
    } finally {
      probe.disconnect();
    }
    await kill9(d.child);

    const back = await startCliLab(redis.url);
    try {
      const got: string[] = [];
      const resumed = mqtt.connect(at(back.mqttPort), { ...session, reconnectPeriod: 0 });
      clients.push(resumed);
      resumed.on('message', (_t, p) => got.push(p.toString()));
      await waitFor(() => got.length === 3, 'the queued messages', 15_000);
      expect(got).toEqual(['m1', 'm2', 'm3']);

      // The retained message, to a new subscriber on another instance.
      const fresh = await connect(at(lab(1).mqttPort!));
      const retained = nextMessage(fresh, 'lab/cluster/retained');
      await fresh.subscribeAsync('lab/cluster/retained');
      expect(await retained).toBe('kept');

      const reader = await joinedChat({ port: back.port } as Lab, 'dora', 'durable');
      const joined = reader.frames.find((f) => f.type === 'joined');
      expect(joined?.type === 'joined' && joined.history.map((m) => m.text)).toEqual([
        'before the kill',
      ]);
      reader.close();
    } finally {
      await kill9(back.child);
    }
  }, 90_000);
});

const base = (l: Lab): string => `http://127.0.0.1:${l.port}`;

/** Presses "send event now" on an instance; resolves with the event's seq. */
async function emitOn(l: Lab, clientId: string): Promise<number> {
  const res = await fetch(`${base(l)}/api/ticker/emit?clientId=${clientId}`, { method: 'POST' });
  expect(res.status).toBe(200);
  return ((await res.json()) as { event: TickerEvent }).event.seq;
}

/** An event stream read by hand, so the test chooses the Last-Event-ID header itself. */
function openSse(l: Lab, lastEventId?: number) {
  const ctrl = new AbortController();
  const events: { event: string; id: number | null }[] = [];
  const opened = fetch(`${base(l)}/api/sse?clientId=sse-${l.port}`, {
    signal: ctrl.signal,
    headers: lastEventId === undefined ? {} : { 'Last-Event-ID': String(lastEventId) },
  }).then(async (res) => {
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      text += value;
      let end;
      while ((end = text.indexOf('\n\n')) >= 0) {
        const block = text.slice(0, end);
        text = text.slice(end + 2);
        const field = (name: string): string | undefined =>
          block
            .split('\n')
            .find((line) => line.startsWith(`${name}: `))
            ?.slice(name.length + 2);
        const event = field('event');
        const id = field('id');
        if (event) events.push({ event, id: id === undefined ? null : Number(id) });
      }
    }
  });
  opened.catch(() => {}); // aborted at the end
  return { events, close: () => ctrl.abort() };
}

describe('the ticker across instances', () => {
  it('is run by exactly one instance, holder of the lock', async () => {
    const probe = new Redis(redis.url);
    try {
      const holder = await probe.get('lab:ticker:lock');
      expect(labs.filter((l) => l.redis!.instanceId === holder)).toHaveLength(1);
    } finally {
      probe.disconnect();
    }
  });

  it('resumes an SSE stream on another instance with nothing lost, and polls continue there', async () => {
    const onA = openSse(lab(0));
    await waitFor(() => onA.events.some((e) => e.event === 'hello'), 'hello on A');
    const first = [await emitOn(lab(1), 'e1'), await emitOn(lab(1), 'e1')];
    await waitFor(() => onA.events.some((e) => e.id === first[1]), 'the events on A');
    onA.close();
    const seen = Math.max(...onA.events.map((e) => e.id ?? 0));

    // While the client is away, events are made on a third instance.
    const missed = [await emitOn(lab(2), 'e2'), await emitOn(lab(2), 'e2')];
    const onB = openSse(lab(1), seen);
    await waitFor(() => onB.events.some((e) => e.id === missed[1]), 'the missed events on B');
    onB.close();
    expect(onB.events.map((e) => e.event)).not.toContain('reset');
    const ids = onB.events.filter((e) => e.event !== 'hello').map((e) => e.id!);
    // Every seq after the one the client had, in order, without a gap.
    expect(ids[0]).toBe(seen + 1);
    expect(ids).toEqual(ids.map((_, i) => seen + 1 + i));
    expect(ids).toEqual(expect.arrayContaining(missed));

    // A short poll on C from the same cursor gets the same events.
    const poll = (await (
      await fetch(`${base(lab(2))}/api/poll?clientId=p1&after=${seen}`)
    ).json()) as EventsResponse;
    expect(poll.rewound).toBe(false);
    expect(poll.events.map((e) => e.seq).slice(0, ids.length)).toEqual(ids);

    // A long poll held on A is answered by an event made on B.
    const latest = poll.latest;
    const held = fetch(`${base(lab(0))}/api/long-poll?clientId=lp1&after=${latest}`).then(
      async (r) => (await r.json()) as EventsResponse,
    );
    const made = await emitOn(lab(1), 'e3');
    const answer = await held;
    expect(answer.events.map((e) => e.seq)).toContain(made);
    expect(answer.events[0]!.seq).toBe(latest + 1);
  });

  it('moves with the fleet to another instance within seconds when its holder is killed, and clients go on', async () => {
    // A deployment of its own (Redis database 1): the CLI instance starts alone and holds the lock.
    const url = `${redis.url}/1`;
    const d = await startCliLab(url, ['--fleet', '3']);
    const e = await startTestLab({
      redisUrl: url,
      redisLeaseMs: 600,
      fleet: { vehicles: 3, rateHz: 1 },
    });
    const fleetInfo = async (): Promise<FleetInfo> =>
      (await (await fetch(`${base(e)}/api/fleet`)).json()) as FleetInfo;
    const probe = new Redis(url);
    try {
      expect(await probe.get('lab:ticker:lock')).not.toBe(e.redis!.instanceId);
      const sse = openSse(e);
      const timed = (): number[] =>
        sse.events.filter((x) => x.event !== 'hello' && x.id !== null).map((x) => x.id!);
      await waitFor(() => timed().length > 0, 'a tick of the first holder', 5000);

      // The fleet runs on D; E passes the trainer's change on and serves D's snapshot.
      await waitFor(async () => (await fleetInfo()).connected === 3, 'D’s vehicles', 15_000);
      const patched = await fetch(`${base(e)}/api/fleet`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ vehicles: 2 }),
      });
      expect(patched.status).toBe(200);
      await waitFor(
        async () => (await fleetInfo()).connected === 2,
        'D to apply the change',
        10_000,
      );
      const watcher = await connect(`ws://127.0.0.1:${e.port}/mqtt`);
      const snapshot = nextMessage(watcher, 'fleet/snapshot');
      await watcher.subscribeAsync('fleet/snapshot');
      expect((await snapshot).length).toBeGreaterThan(0);
      // One fleet for the deployment: none of its vehicles (or its aggregator) runs on E.
      expect(e.gauges.snapshot()['mqttTcp']).toBe(0);
      // A chat member on D, as a client of E sees it.
      const kim = await joinedChat({ port: d.port } as Lab, 'kim', 'killed');
      const wes = await joinedChat(e, 'wes', 'killed');
      const seen = wes.frames.find((f) => f.type === 'joined');
      expect(seen?.type === 'joined' && [...seen.members].sort()).toEqual(['kim', 'wes']);

      await kill9(d.child);
      const killedAt = Date.now();
      await waitFor(
        async () => (await probe.get('lab:ticker:lock')) === e.redis!.instanceId,
        'the lock to move',
        12_000,
      );
      // The CLI's lease is 3 s and the survivor checks every 200 ms (slack for a busy machine).
      expect(Date.now() - killedAt).toBeLessThan(10_000);
      // D's alive key ran out as its lease did: E drops its chat member and says so.
      const gone = await wes.next('presence', (m) => m.event === 'leave' && m.nick === 'kim');
      expect(gone.members).toEqual(['wes']);
      expect(Date.now() - killedAt).toBeLessThan(10_000);
      wes.close();
      kim.close();
      const before = timed().length;
      await waitFor(() => timed().length >= before + 2, 'ticks of the new holder', 10_000);
      sse.close();
      const ids = timed();
      expect(ids).toEqual(ids.map((_, i) => ids[0]! + i));
      // The fleet moved too, with the trainer's size.
      await waitFor(async () => (await fleetInfo()).connected === 2, 'E’s vehicles', 15_000);
      expect(e.gauges.snapshot()['mqttTcp']).toBe(3); // 2 vehicles and the aggregator
    } finally {
      probe.disconnect();
      await e.close();
      await kill9(d.child);
    }
  }, 90_000);
});

describe('the chat across instances', () => {
  it('lets clients on different instances talk, and a client moved to a third replays once', async () => {
    const ann = await joinedChat(lab(0), 'ann', 'cluster');
    const bob = await joinedChat(lab(1), 'bob', 'cluster');
    const carol = await joinedChat(lab(0), 'carol', 'cluster');
    const boots = [ann, bob].map((c) => c.frames.find((f) => f.type === 'welcome')!);
    expect(new Set(boots.map((w) => (w.type === 'welcome' ? w.bootId : '')))).toHaveProperty(
      'size',
      1,
    );

    ann.send({ type: 'chat', room: 'cluster', text: 'hi from A', clientMsgId: 'a1' });
    const atBob = await bob.next('chat', (m) => m.text === 'hi from A');
    bob.send({ type: 'chat', room: 'cluster', text: 'hi from B', clientMsgId: 'b1' });
    const atAnn = await ann.next('chat', (m) => m.text === 'hi from B');
    expect(atAnn.id).toBe(atBob.id + 1);
    const seen = await carol.next('chat', (m) => m.id === atAnn.id);
    carol.close();

    // While Carol is away, both talk; then the load balancer sends her to the third instance.
    ann.send({ type: 'chat', room: 'cluster', text: 'missed 1', clientMsgId: 'a2' });
    await bob.next('chat', (m) => m.text === 'missed 1');
    bob.send({ type: 'chat', room: 'cluster', text: 'missed 2', clientMsgId: 'b2' });
    await ann.next('chat', (m) => m.text === 'missed 2');
    const back = await rawChat(lab(2));
    back.send({ type: 'hello', nick: 'carol' });
    back.send({ type: 'join', room: 'cluster', afterId: seen.id });
    const joined = await back.next('joined', (m) => m.room === 'cluster');
    expect(joined.history.map((m) => m.text)).toEqual(['missed 1', 'missed 2']);
    expect(joined.truncated).toBe(false);
    // Once: nothing of it comes again as a live message.
    ann.send({ type: 'chat', room: 'cluster', text: 'after', clientMsgId: 'a3' });
    await back.next('chat', (m) => m.text === 'after');
    expect(back.frames.filter((f) => f.type === 'chat').map((f) => f.text)).toEqual(['after']);
    for (const c of [ann, bob, back]) c.close();
  });

  it('keeps apart two clients on different instances that use the same message id', async () => {
    // Two fresh instances (database 2): each one's first connection, so equal per-process ids.
    const url = `${redis.url}/2`;
    const x = await startTestLab({ redisUrl: url });
    const y = await startTestLab({ redisUrl: url });
    try {
      const xena = await joinedChat(x, 'xena', 'same-id');
      const yuri = await joinedChat(y, 'yuri', 'same-id');
      xena.send({ type: 'chat', room: 'same-id', text: 'from x', clientMsgId: 'm1' });
      await yuri.next('chat', (m) => m.text === 'from x');
      yuri.send({ type: 'chat', room: 'same-id', text: 'from y', clientMsgId: 'm1' });
      await xena.next('chat', (m) => m.text === 'from y');
      xena.close();
      yuri.close();
    } finally {
      await Promise.all([x.close(), y.close()]);
    }
  });

  it('counts one visitor’s messages against one limit on every instance', async () => {
    const cookie = { cookie: 'lab_vid=cluster-rate-visitor-0000000' };
    const [a, b] = [await rawChat(lab(0), cookie), await rawChat(lab(1), cookie)];
    for (const [c, nick] of [
      [a, 'rate-a'],
      [b, 'rate-b'],
    ] as const) {
      c.send({ type: 'hello', nick });
      c.send({ type: 'join', room: 'cluster-rate' });
      await c.next('joined');
    }
    // 8 each: within each connection's own 10 per second, over the visitor's 10 together.
    for (let i = 0; i < 8; i++) {
      a.send({ type: 'chat', room: 'cluster-rate', text: `a${i}`, clientMsgId: `ra${i}` });
      b.send({ type: 'chat', room: 'cluster-rate', text: `b${i}`, clientMsgId: `rb${i}` });
    }
    const answered = (c: RawChat): number =>
      c.frames.filter(
        (f) =>
          (f.type === 'error' && f.code === 'rate_limited') ||
          (f.type === 'chat' && f.nick === (c === a ? 'rate-a' : 'rate-b')),
      ).length;
    await waitFor(() => answered(a) === 8 && answered(b) === 8, 'every message answered');
    const limited = [...a.frames, ...b.frames].filter(
      (f) => f.type === 'error' && f.code === 'rate_limited',
    ).length;
    // The visitor's 10 per second (the hello and join frames counted too).
    expect(limited).toBeGreaterThanOrEqual(16 + 4 - 10);
    a.close();
    b.close();
  });
});

describe('per-visitor state shared by every instance', () => {
  it('lists chat members and typing across instances and refuses a nick taken on another', async () => {
    const pam = await joinedChat(lab(0), 'pam', 'presence');
    const pete = await joinedChat(lab(1), 'pete', 'presence');
    const joined = pete.frames.find((f) => f.type === 'joined');
    expect(joined?.type === 'joined' && [...joined.members].sort()).toEqual(['pam', 'pete']);
    await pam.next('presence', (m) => m.event === 'join' && m.nick === 'pete');
    pete.send({ type: 'typing', room: 'presence' });
    await pam.next('typing', (m) => m.nick === 'pete');

    // The same nick (folded: case does not make it another) on a third instance.
    const copy = await rawChat(lab(2));
    copy.send({ type: 'hello', nick: 'PAM' });
    copy.send({ type: 'join', room: 'presence' });
    await copy.next('error', (e) => e.code === 'nick_taken');

    pete.close();
    const left = await pam.next('presence', (m) => m.event === 'leave' && m.nick === 'pete');
    expect(left.members).toEqual(['pam']);
    for (const c of [pam, copy]) c.close();
  });

  it('counts "send event now" of one client against one limit on every instance', async () => {
    const id = `emit-shared-${Date.now()}`;
    // The window starts with the first request, and the whole burst fits in it.
    const burst = await Promise.all(
      [0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1].map((i) =>
        fetch(`${base(lab(i))}/api/ticker/emit?clientId=${id}`, { method: 'POST' }),
      ),
    );
    const ok = burst.filter((r) => r.status === 200).length;
    expect(burst.filter((r) => r.status === 429).length).toBe(12 - ok);
    expect(ok).toBe(5);
  });

  it('shows the trainer’s presence, pause, announcements and faults made on one instance on the others', async () => {
    const room = async (l: Lab): Promise<{ tickerPaused: boolean }> =>
      (await (await fetch(`${base(l)}/api/workshop/room`)).json()) as { tickerPaused: boolean };
    const fault = async (kind: string): Promise<void> => {
      const res = await fetch(`${base(lab(0))}/api/workshop/faults/${kind}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      expect(res.status).toBe(200);
    };
    // An attendee's page on C: it joins the room once a trainer is active anywhere.
    const active = async (l: Lab): Promise<boolean> =>
      ((await (await fetch(`${base(l)}/api/workshop`)).json()) as { active: boolean }).active;
    expect(await active(lab(2))).toBe(false);
    expect((await room(lab(1))).tickerPaused).toBe(false);
    await fault('pause-ticker');
    await waitFor(
      async () => (await room(lab(1))).tickerPaused && (await active(lab(2))),
      'the pause on B, the trainer seen on C',
    );
    const attendee = new WebSocket(`ws://127.0.0.1:${lab(2).port}/ws/room`);
    const frames: { type: string; announcement?: { text: string } | null }[] = [];
    attendee.on('message', (d: Buffer) => frames.push(JSON.parse(d.toString()) as never));
    await new Promise((r) => attendee.once('open', r));
    const said = await fetch(`${base(lab(0))}/api/workshop/announce`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'break until ten' }),
    });
    expect(said.status).toBe(200);
    await waitFor(
      () => frames.some((f) => f.type === 'announce' && f.announcement?.text === 'break until ten'),
      'the announcement on C',
    );
    attendee.terminate();

    // A fault pressed on A cuts the SSE streams of B too.
    const stream = await fetch(`${base(lab(1))}/api/sse?clientId=cut-on-b`);
    const reader = stream.body!.getReader();
    await reader.read();
    await fault('cut-sse');
    await expect(
      (async () => {
        for (;;) if ((await reader.read()).done) return 'ended';
      })(),
    ).rejects.toThrow();
    await fault('resume-ticker');
    await waitFor(async () => !(await room(lab(2))).tickerPaused, 'the resume on C');
  });

  it('caps one visitor’s races, and races in all, across instances', async () => {
    const create = (l: Lab) =>
      fetch(`${base(l)}/api/race`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          cookie: 'lab_vid=cluster-race-visitor-00000000',
        },
        body: JSON.stringify({ rate: 1, size: 16, durationS: 5, pollIntervalS: 1 }),
      });
    // Two at once per visitor: one on A and one on B fill them; C refuses the third.
    expect((await create(lab(0))).status).toBe(201);
    expect((await create(lab(1))).status).toBe(201);
    const third = await create(lab(2));
    expect(third.status).toBe(429);

    // The cap on races at once in all: one, held on X, refuses another visitor on Y.
    const url = `${redis.url}/3`;
    const x = await startTestLab({ redisUrl: url, race: { maxRaces: 1 } });
    const y = await startTestLab({ redisUrl: url, race: { maxRaces: 1 } });
    try {
      expect((await create(x)).status).toBe(201);
      const other = await fetch(`${base(y)}/api/race`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          cookie: 'lab_vid=another-visitor-000000000',
        },
        body: JSON.stringify({ rate: 1, size: 16, durationS: 5, pollIntervalS: 1 }),
      });
      expect(other.status).toBe(503);
    } finally {
      await Promise.all([x.close(), y.close()]);
    }
  });
});
