// Several lab instances sharing one Redis (`--redis-url`): each test talks to one instance and
// checks what a client of another instance sees. The redis-server is the test's own. Redis going
// away is in redis-outage.test.ts, a killed ticker and fleet holder in redis-failover.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import mqtt from 'mqtt';
import { Redis } from 'ioredis';
import { WebSocket } from 'ws';
import type { Lab } from '../../../server/app.ts';
import type { HealthResponse } from '../../../src/lib/wire/health.ts';
import type { EventsResponse } from '../../../src/lib/wire/http-demos.ts';
import { startTestLab, waitFor } from '../../helpers/lab.ts';
import { freePort, startTestRedis, type TestRedis } from '../../helpers/redis.ts';
import { joinedChat, rawChat, type RawChat } from '../../helpers/chat.ts';
import {
  base,
  emitOn,
  kill9,
  mqttClients,
  nextMessage,
  openSse,
  startCliLab,
} from '../../helpers/cluster.ts';

let redis: TestRedis;
let labs: Lab[] = [];
const { connect, track, endAll } = mqttClients();

beforeAll(async () => {
  redis = await startTestRedis();
  labs = await Promise.all(
    [0, 1, 2].map(() => startTestLab({ redisUrl: redis.url, fleet: { vehicles: 0, rateHz: 1 } })),
  );
});

afterAll(async () => {
  await endAll();
  await Promise.all(labs.map((l) => l.close()));
  await redis?.stop();
});

const lab = (i: number): Lab => labs[i]!;

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
      const resumed = track(mqtt.connect(at(back.mqttPort), { ...session, reconnectPeriod: 0 }));
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

    // A long poll held on A is answered by an event made elsewhere: the one made on B, or a
    // tick of the ticker's lock holder that came just before it (then the next poll gets B's).
    const longPoll = async (after: number): Promise<EventsResponse> =>
      (await (
        await fetch(`${base(lab(0))}/api/long-poll?clientId=lp1&after=${after}`)
      ).json()) as EventsResponse;
    let cursor = poll.latest;
    const held = longPoll(cursor);
    const made = await emitOn(lab(1), 'e3');
    for (let answer = await held; ; answer = await longPoll(cursor)) {
      const seqs = answer.events.map((e) => e.seq);
      // Each answer goes on from the cursor, without a gap.
      expect(seqs.length).toBeGreaterThan(0);
      expect(seqs).toEqual(seqs.map((_, i) => cursor + 1 + i));
      cursor = seqs.at(-1)!;
      if (seqs.includes(made)) break;
    }
  });
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
