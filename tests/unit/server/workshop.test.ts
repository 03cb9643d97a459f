// Workshop mode against the real lab: the trainer's API, the attendees' room socket and the faults.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import mqtt from 'mqtt';
import { EventSource } from 'eventsource';
import type { Lab } from '../../../server/app.ts';
import {
  ROOM_WS_PATH,
  WORKSHOP_API,
  type FaultResult,
  type JoinInfo,
  type RoomServerMessage,
  type RoomView,
  type WorkshopStatus,
} from '../../../src/lib/wire/workshop.ts';
import { TRAINER_HEADER } from '../../../src/lib/wire/trainer.ts';
import { startTestLab, waitFor } from '../../helpers/lab.ts';
import { rawChat } from '../../helpers/chat.ts';

const TOKEN = 'workshop-test-token-1234';
let lab: Lab;
let base: string;

beforeAll(async () => {
  lab = await startTestLab({
    // Loopback is not trusted here, so the test can be an attendee and the trainer at once.
    trainer: { token: TOKEN, localTrainer: false, trustProxy: null },
    trainerLimits: { actionsPerSecond: 1000 },
    workshop: { socketsPerAddress: 4, faultTiming: { checkEveryMs: 50, checkForMs: 5000 } },
  });
  base = `http://127.0.0.1:${lab.port}`;
});
afterAll(async () => {
  await lab.close();
});

const asTrainer = { [TRAINER_HEADER]: TOKEN, 'content-type': 'application/json' };
const get = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${base}${path}`, { headers });
const post = (path: string, body: unknown, headers: Record<string, string> = asTrainer) =>
  fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
const room = async (): Promise<RoomView> =>
  (await (await get(WORKSHOP_API.room, asTrainer)).json()) as RoomView;

interface Attendee {
  ws: WebSocket;
  frames: RoomServerMessage[];
  next<T extends RoomServerMessage['type']>(
    type: T,
    match?: (m: Extract<RoomServerMessage, { type: T }>) => boolean,
  ): Promise<Extract<RoomServerMessage, { type: T }>>;
}

async function attend(): Promise<Attendee> {
  const ws = new WebSocket(`ws://127.0.0.1:${lab.port}${ROOM_WS_PATH}`);
  const frames: RoomServerMessage[] = [];
  ws.on('message', (d) => frames.push(JSON.parse((d as Buffer).toString()) as RoomServerMessage));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return {
    ws,
    frames,
    async next(type, match = () => true) {
      type M = Extract<RoomServerMessage, { type: typeof type }>;
      let found: M | undefined;
      await waitFor(() => {
        found = frames.find((f): f is M => f.type === type && match(f as M));
        return found !== undefined;
      }, `a ${type} frame`);
      return found!;
    },
  };
}

describe('the trainer API', () => {
  it('answers 403 naming the trainer without the token, and works with it', async () => {
    const status = (await (await get(WORKSHOP_API.status)).json()) as WorkshopStatus;
    expect(status.active).toBe(false);
    for (const [path, res] of [
      [WORKSHOP_API.room, await get(WORKSHOP_API.room)],
      [WORKSHOP_API.join, await get(WORKSHOP_API.join)],
      [WORKSHOP_API.announce, await post(WORKSHOP_API.announce, { text: 'hi' }, {})],
      [
        WORKSHOP_API.poll,
        await post(WORKSHOP_API.poll, { question: 'q', choices: ['a', 'b'] }, {}),
      ],
      ['fault', await post(`${WORKSHOP_API.faults}/close-chat`, {}, {})],
    ] as const) {
      expect(res.status, path).toBe(403);
      expect(await res.json(), path).toMatchObject({ needs: 'trainer', statusCode: 403 });
    }
    expect((await room()).attendees).toBe(0);
    // Opening the trainer page makes the workshop active: pages now load the attendee side.
    expect(((await (await get(WORKSHOP_API.status)).json()) as WorkshopStatus).active).toBe(true);
  });

  it('lists the join URLs with QR codes as SVG', async () => {
    const join = (await (
      await get(`${WORKSHOP_API.join}?path=/en/`, asTrainer)
    ).json()) as JoinInfo;
    // The test lab listens on 127.0.0.1 only: that one address is the URL attendees can use.
    expect(join.urls.map((u) => u.url)).toEqual([`http://127.0.0.1:${lab.port}/en/`]);
    expect(join.urls[0]?.svg).toMatch(/^<svg[^>]*viewBox="0 0 \d+ \d+"/);
  });

  it('rejects bad announcements, polls and fault names with a 400 naming the field', async () => {
    const cases: [string, unknown, string][] = [
      [WORKSHOP_API.announce, { text: 'x'.repeat(201) }, 'text'],
      [WORKSHOP_API.announce, { text: { nested: { deep: 1 } } }, 'text'],
      [WORKSHOP_API.poll, { question: 'q', choices: ['only one'] }, 'choices'],
      [WORKSHOP_API.poll, { question: 'q', choices: ['a', 'a'] }, 'choices'],
      [WORKSHOP_API.poll, { question: '\u202e\u200b', choices: ['a', 'b'] }, 'question'],
      [WORKSHOP_API.poll, { quiz: '../x', choices: ['a', 'b'] }, 'quiz'],
      [WORKSHOP_API.follow, { chapter: '<script>' }, 'chapter'],
      [`${WORKSHOP_API.faults}/cut-vehicles`, { n: 0 }, 'n'],
      [`${WORKSHOP_API.faults}/reboot`, {}, 'kind'],
    ];
    for (const [path, body, field] of cases) {
      const res = await post(path, body);
      expect(res.status, `${path} ${JSON.stringify(body)}`).toBe(400);
      expect(await res.json()).toMatchObject({ field });
    }
  });
});

describe('the attendees’ room', () => {
  it('counts pages per chapter and demo, delivers announcements and tallies a poll', async () => {
    const a = await attend();
    const b = await attend();
    await a.next('state');
    a.ws.send(JSON.stringify({ type: 'presence', chapter: 'sse', demo: 'sse' }));
    b.ws.send(JSON.stringify({ type: 'presence', chapter: 'websocket', demo: 'chat' }));
    await waitFor(async () => (await room()).byChapter['sse'] === 1, 'presence');
    const view = await room();
    expect(view.attendees).toBe(2);
    expect(view.byChapter).toEqual({ sse: 1, websocket: 1 });
    expect(view.byDemo).toEqual({ sse: 1, chat: 1 });

    // The text is cleaned of controls and bidi overrides before anyone sees it.
    expect((await post(WORKSHOP_API.announce, { text: 'Break \u202eover\u0000' })).status).toBe(
      200,
    );
    for (const p of [a, b]) {
      const msg = await p.next('announce');
      expect(msg.announcement?.text).toBe('Break over');
    }

    await post(WORKSHOP_API.poll, { question: 'Which one?', choices: ['SSE', 'WebSocket'] });
    const poll = (await a.next('poll', (m) => m.poll?.open === true)).poll!;
    expect(poll.counts).toBeNull(); // hidden from attendees until the trainer shows it
    a.ws.send(JSON.stringify({ type: 'vote', pollId: poll.id, choice: 1 }));
    b.ws.send(JSON.stringify({ type: 'vote', pollId: poll.id, choice: 1 }));
    b.ws.send(JSON.stringify({ type: 'vote', pollId: poll.id, choice: 0 })); // changes her mind
    a.ws.send(JSON.stringify({ type: 'vote', pollId: poll.id, choice: 7 }));
    await a.next('error');
    await waitFor(async () => (await room()).poll?.counts.join() === '1,1', 'the tally');
    expect((await room()).poll?.voters).toBe(2);

    await post(WORKSHOP_API.pollState, { shown: true, open: false });
    const shown = await b.next('poll', (m) => m.poll?.counts !== null);
    expect(shown.poll).toMatchObject({ open: false, counts: [1, 1] });
    a.ws.send(JSON.stringify({ type: 'vote', pollId: poll.id, choice: 0 }));
    await waitFor(() => a.frames.filter((f) => f.type === 'error').length === 2, 'refusal');
    expect((await room()).poll?.counts).toEqual([1, 1]);

    a.ws.close();
    b.ws.close();
    await waitFor(async () => (await room()).attendees === 0, 'the pages leave');
  });

  it('refuses more sockets from one address than the limit, with 429', async () => {
    const open = await Promise.all([attend(), attend(), attend(), attend()]);
    const refused = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${lab.port}${ROOM_WS_PATH}`);
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => resolve(101));
    });
    expect(refused).toBe(429);
    for (const p of open) p.ws.close();
    await waitFor(async () => (await room()).attendees === 0, 'the pages leave');
  });
});

describe('faults', () => {
  const fault = async (kind: string, body: unknown = {}): Promise<FaultResult> => {
    const res = await post(`${WORKSHOP_API.faults}/${kind}`, body);
    expect(res.status, kind).toBe(200);
    return (await res.json()) as FaultResult;
  };
  const report = async (id: number) => (await room()).faults.find((r) => r.id === id);

  it('closes every chat socket and reports how many came back', async () => {
    const chats = await Promise.all([rawChat(lab), rawChat(lab)]);
    const { report: r } = await fault('close-chat');
    expect(r.touched).toBe(2);
    for (const c of chats) expect((await c.closed).code).toBe(1012);
    await waitFor(async () => (await report(r.id))?.back === 0, 'the first check');
    const again = await Promise.all([rawChat(lab), rawChat(lab)]);
    await waitFor(async () => (await report(r.id))?.back === 2, 'both back');
    for (const c of again) c.close();
  });

  it('cuts every SSE stream, which EventSource resumes', async () => {
    const es = new EventSource(`${base}/api/sse?clientId=ws-test`);
    let opens = 0;
    es.addEventListener('open', () => opens++);
    await waitFor(() => opens === 1, 'the stream');
    const { report: r } = await fault('cut-sse');
    expect(r.touched).toBe(1);
    await waitFor(() => opens === 2, 'the reconnect', 8000);
    await waitFor(async () => (await report(r.id))?.back === 1, 'back');
    es.close();
  });

  it('drops every MQTT client: the will fires and a persistent session resumes', async () => {
    const url = `mqtt://127.0.0.1:${lab.mqttPort}`;
    const session = { clientId: 'ws-watcher', clean: false, reconnectPeriod: 0 };
    const watcher = await mqtt.connectAsync(url, session);
    await watcher.subscribeAsync('lab/ws-test/will', { qos: 1 });
    await mqtt.connectAsync(url, {
      clientId: 'ws-device',
      reconnectPeriod: 0,
      will: { topic: 'lab/ws-test/will', payload: Buffer.from('gone'), qos: 1, retain: false },
    });
    const { report: r } = await fault('disconnect-mqtt');
    expect(r.touched).toBe(2);
    // [MQTT-3.1.2-8] the will of a connection closed without DISCONNECT is published, and
    // [MQTT-3.1.2-4] the watcher's session kept it for the watcher's return.
    const back = mqtt.connect(url, session);
    // Listening before the connection opens: the session's queue is delivered right after CONNACK.
    const will = await new Promise<string>((resolve) =>
      back.on('message', (_t, p) => resolve(p.toString())),
    );
    expect(will).toBe('gone');
    await waitFor(async () => (await report(r.id))?.back === 1, 'one client back');
    await back.endAsync();
  });

  it('pauses and resumes the ticker', async () => {
    await fault('pause-ticker');
    expect((await room()).tickerPaused).toBe(true);
    await fault('resume-ticker');
    expect((await room()).tickerPaused).toBe(false);
  });
});
