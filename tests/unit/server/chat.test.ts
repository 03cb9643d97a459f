// Integration: the real companion server on a free port, driven over real WebSockets.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { Lab } from '../../../server/app.ts';
import { startTestLab, waitFor } from '../../helpers/lab.ts';
import { joinedChat, rawChat } from '../../helpers/chat.ts';
import { ChatClient, type ChatEvent } from '../../../src/lib/chat/client.ts';
import { CHAT_WS_PATH, type ChatMessage } from '../../../src/lib/wire/chat.ts';

/** Tries an upgrade and reports the HTTP status it was answered with (101 when accepted). */
async function upgradeStatus(lab: Lab, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${lab.port}${CHAT_WS_PATH}`, { headers });
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.on('open', () => {
      resolve(101);
      ws.terminate();
    });
    ws.on('error', (err) => {
      if (!/Unexpected server response/.test(err.message)) reject(err);
    });
  });
}

describe('chat server (/ws/chat)', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startTestLab({ allowedOrigins: ['http://localhost:5173'] });
  });
  afterAll(async () => {
    await lab.close();
  });

  it('holds at most 6 sockets per browser, whatever else that browser does', async () => {
    const cookie = { cookie: `lab_vid=${'b'.repeat(22)}` };
    const six = await Promise.all(Array.from({ length: 6 }, () => rawChat(lab, cookie)));
    expect(await upgradeStatus(lab, cookie)).toBe(429);
    expect(await upgradeStatus(lab, { cookie: `lab_vid=${'c'.repeat(22)}` })).toBe(101);
    for (const c of six) c.close();
    // Once the server has seen them close, the browser may connect again.
    await waitFor(async () => (await upgradeStatus(lab, cookie)) === 101, 'a free socket slot');
  });

  it('routes by room: two clients in a room see each other, a third elsewhere sees nothing', async () => {
    const ann = await joinedChat(lab, 'ann', 'lobby');
    const bob = await joinedChat(lab, 'bob', 'lobby');
    const cat = await joinedChat(lab, 'cat', 'kitchen');
    await ann.next('presence', (p) => p.nick === 'bob' && p.event === 'join');

    ann.send({ type: 'chat', room: 'lobby', text: 'hi bob', clientMsgId: 'a1' });
    bob.send({ type: 'chat', room: 'lobby', text: 'hi ann', clientMsgId: 'b1' });
    const fromBob = await ann.next('chat', (m) => m.nick === 'bob');
    const fromAnn = await bob.next('chat', (m) => m.nick === 'ann');
    expect(fromBob).toMatchObject({ room: 'lobby', text: 'hi ann' });
    expect(fromAnn).toMatchObject({ room: 'lobby', text: 'hi bob' });
    // Ids go up within the room.
    expect(new Set([fromAnn.id, fromBob.id])).toEqual(new Set([1, 2]));

    // Something cat does see, sent after the lobby messages: if lobby traffic had leaked to
    // the kitchen, it would have arrived first.
    cat.send({ type: 'chat', room: 'kitchen', text: 'anyone?', clientMsgId: 'c1' });
    await cat.next('chat', (m) => m.text === 'anyone?');
    expect(
      cat.frames.filter((f) => f.type === 'chat').map((f) => f.type === 'chat' && f.room),
    ).toEqual(['kitchen']);
    expect(cat.frames.some((f) => f.type === 'presence' && f.room === 'lobby')).toBe(false);
    // And a chat to a room one has not joined is refused, not delivered.
    cat.send({ type: 'chat', room: 'lobby', text: 'sneaky', clientMsgId: 'c2' });
    expect(await cat.next('error', (e) => e.ref === 'c2')).toMatchObject({ code: 'not_joined' });
    await new Promise((r) => setTimeout(r, 100));
    expect(ann.frames.some((f) => f.type === 'chat' && f.text === 'sneaky')).toBe(false);
    for (const c of [ann, bob, cat]) c.close();
  });

  it('replays history after afterId and stores a resent clientMsgId once', async () => {
    const ann = await joinedChat(lab, 'ann', 'replay');
    for (let i = 1; i <= 5; i++) {
      ann.send({ type: 'chat', room: 'replay', text: `m${i}`, clientMsgId: `r${i}` });
    }
    await ann.next('chat', (m) => m.text === 'm5');
    // A resend of m3 (as after a lost acknowledgement) is answered but not stored again.
    const before = ann.frames.length;
    ann.send({ type: 'chat', room: 'replay', text: 'm3', clientMsgId: 'r3' });
    const ack = await ann.next('chat', (m) => m.clientMsgId === 'r3', before);
    expect(ack.id).toBe(3);

    const bob = await rawChat(lab);
    bob.send({ type: 'hello', nick: 'bob' });
    bob.send({ type: 'join', room: 'replay', afterId: 2 });
    const joined = await bob.next('joined');
    expect(joined.history.map((m) => m.text)).toEqual(['m3', 'm4', 'm5']);
    expect(joined.members.sort()).toEqual(['ann', 'bob']);
    expect(joined.truncated).toBe(false);
    ann.close();
    bob.close();
  });

  it('echoes the handshake it received, so a page can show its own request headers', async () => {
    const c = await rawChat(lab, { 'X-Probe': 'hello' });
    const welcome = await c.next('welcome');
    expect(welcome.request.url).toBe(CHAT_WS_PATH);
    expect(welcome.request.headers).toContainEqual(['X-Probe', 'hello']);
    expect(welcome.response.status).toMatch(/^HTTP\/1\.1 101/);
    expect(welcome.response.headers.map(([k]) => k.toLowerCase())).toContain(
      'sec-websocket-accept',
    );
    c.close();
  });

  it('counts its connections in /api/health', async () => {
    const read = async (): Promise<number> => {
      const res = await fetch(`http://127.0.0.1:${lab.port}/api/health`);
      const body = (await res.json()) as { connections: Record<string, number> };
      return body.connections['wsChat'] ?? -1;
    };
    await waitFor(async () => (await read()) === 0, 'no chat connections');
    const a = await rawChat(lab);
    const b = await rawChat(lab);
    await waitFor(async () => (await read()) === 2, 'two chat connections');
    a.close();
    b.close();
    await waitFor(async () => (await read()) === 0, 'the count back to zero');
  });

  it('refuses a foreign Origin with 403 and accepts its own, allowed and absent ones', async () => {
    const host = `127.0.0.1:${lab.port}`;
    expect(await upgradeStatus(lab, { Origin: 'http://evil.example' })).toBe(403);
    expect(await upgradeStatus(lab, { Origin: 'null' })).toBe(403);
    expect(await upgradeStatus(lab, { Origin: `http://${host}` })).toBe(101);
    expect(await upgradeStatus(lab, { Origin: 'http://localhost:5173' })).toBe(101);
    expect(await upgradeStatus(lab, {})).toBe(101);
    // The refusal is JSON, like every other error of the server.
    const res = await fetch(`http://${host}${CHAT_WS_PATH}`, {
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        Origin: 'http://evil.example',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
      },
    }).catch(() => null);
    // fetch may refuse upgrade headers; when it sends them, the answer is the JSON 403.
    if (res) expect([403, 404, 426]).toContain(res.status);
  });

  describe('limits: each answers as specified and others keep being served', () => {
    it('closes a connection that sends more than 16 KiB with 1009', async () => {
      const bystander = await joinedChat(lab, 'by', 'limits-1');
      const big = await joinedChat(lab, 'big', 'limits-1');
      big.send({ type: 'chat', room: 'limits-1', text: 'x'.repeat(17 * 1024), clientMsgId: 'x' });
      expect((await big.closed).code).toBe(1009);
      bystander.send({ type: 'chat', room: 'limits-1', text: 'still here', clientMsgId: 's' });
      await bystander.next('chat', (m) => m.text === 'still here');
      expect(bystander.frames.some((f) => f.type === 'chat' && f.nick === 'big')).toBe(false);
      bystander.close();
    });

    it('refuses text over 2,000 characters and broadcasts nothing', async () => {
      const bystander = await joinedChat(lab, 'by', 'limits-2');
      const talker = await joinedChat(lab, 'talker', 'limits-2');
      // 2,001 characters but well under 16 KiB, so the frame itself is accepted.
      talker.send({ type: 'chat', room: 'limits-2', text: 'é'.repeat(2001), clientMsgId: 'long' });
      expect(await talker.next('error', (e) => e.ref === 'long')).toMatchObject({
        code: 'text_too_long',
      });
      // Exactly 2,000 is fine, counted in characters, not UTF-16 units: 2,000 emoji.
      talker.send({ type: 'chat', room: 'limits-2', text: '🙂'.repeat(2000), clientMsgId: 'ok' });
      const ok = await bystander.next('chat');
      expect(ok.clientMsgId).toBe('ok');
      expect(talker.ws.readyState).toBe(WebSocket.OPEN);
      talker.close();
      bystander.close();
    });

    it('answers rate_limited past 10 messages a second and broadcasts none of the excess', async () => {
      const bystander = await joinedChat(lab, 'by', 'limits-3');
      const flooder = await joinedChat(lab, 'flood', 'limits-3');
      await new Promise((r) => setTimeout(r, 1100)); // let the bucket refill after the join
      for (let i = 0; i < 30; i++) {
        flooder.send({ type: 'chat', room: 'limits-3', text: `f${i}`, clientMsgId: `f${i}` });
      }
      await waitFor(
        () =>
          flooder.frames.filter(
            (f) => (f.type === 'chat' && f.nick === 'flood') || f.type === 'error',
          ).length === 30,
        'an answer to each of the 30 messages',
      );
      const limited = flooder.frames.filter((f) => f.type === 'error' && f.code === 'rate_limited');
      const accepted = flooder.frames.filter((f) => f.type === 'chat');
      expect(limited.length).toBeGreaterThanOrEqual(15);
      expect(accepted.length + limited.length).toBe(30);
      // The bystander got exactly the accepted ones, and the refused ones name their message.
      await waitFor(
        () => bystander.frames.filter((f) => f.type === 'chat').length === accepted.length,
        'the accepted messages at the bystander',
      );
      const refusedIds = new Set(limited.map((f) => f.type === 'error' && f.ref));
      expect(
        bystander.frames.some((f) => f.type === 'chat' && refusedIds.has(f.clientMsgId ?? '')),
      ).toBe(false);
      await new Promise((r) => setTimeout(r, 1100));
      flooder.send({ type: 'chat', room: 'limits-3', text: 'calm', clientMsgId: 'calm' });
      await bystander.next('chat', (m) => m.text === 'calm');
      flooder.close();
      bystander.close();
    });

    it('checks nicks: 1-24 printable characters, unique per room', async () => {
      const c = await rawChat(lab);
      const bad = ['', ' ', 'x'.repeat(25), 'tab\there', 'bell\u0007', 'zero\u200bwidth'];
      for (const nick of bad) {
        const from = c.frames.length;
        c.send({ type: 'hello', nick });
        expect(await c.next('error', () => true, from)).toMatchObject({ code: 'bad_nick' });
      }
      c.send({ type: 'hello', nick: '小明 the 2nd 🙂' });
      await c.next('hello');
      expect(c.ws.readyState).toBe(WebSocket.OPEN);

      const first = await joinedChat(lab, 'Dana', 'limits-4');
      const second = await rawChat(lab);
      second.send({ type: 'hello', nick: 'dana' });
      second.send({ type: 'join', room: 'limits-4' });
      expect(await second.next('error', (e) => e.ref === 'limits-4')).toMatchObject({
        code: 'nick_taken',
      });
      // The same nick in another room is fine.
      second.send({ type: 'join', room: 'limits-4b' });
      await second.next('joined', (j) => j.room === 'limits-4b');
      for (const x of [c, first, second]) x.close();
    });

    it('answers bad JSON, unknown types and bad rooms with an error and stays open', async () => {
      const c = await rawChat(lab);
      const cases: [unknown, string][] = [
        ['{not json', 'bad_json'],
        ['[1,2]', 'invalid'],
        [{ type: 'shout', room: 'x' }, 'unknown_type'],
        [{ nope: 1 }, 'unknown_type'],
        [{ type: 'join', room: 'Upper Case' }, 'bad_room'],
        [{ type: 'join', room: 'x'.repeat(33) }, 'bad_room'],
        [{ type: 'join', room: 'lobby' }, 'no_nick'],
        [{ type: 'chat', room: 'lobby', text: 'hi' }, 'invalid'],
      ];
      for (const [frame, code] of cases) {
        const from = c.frames.length;
        c.send(frame);
        expect(await c.next('error', () => true, from), JSON.stringify(frame)).toMatchObject({
          code,
        });
      }
      c.ws.send(Buffer.from([1, 2, 3]), { binary: true });
      await c.next('error', (e) => e.message.includes('binary'));
      c.send({ type: 'hello', nick: 'survivor' });
      c.send({ type: 'join', room: 'lobby-ok' });
      await c.next('joined', (j) => j.room === 'lobby-ok');
      c.close();
    });
  });
});

describe('chat heartbeat', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startTestLab({ chat: { heartbeatMs: 150 } });
  });
  afterAll(async () => {
    await lab.close();
  });

  it('terminates a peer that stops answering pings and keeps one that answers', async () => {
    const url = `ws://127.0.0.1:${lab.port}${CHAT_WS_PATH}`;
    const silent = new WebSocket(url, { autoPong: false });
    const lively = new WebSocket(url);
    const silentClosed = new Promise<number>((r) => silent.on('close', (code) => r(code)));
    let pings = 0;
    lively.on('ping', () => (pings += 1));
    // Terminated without a close frame: the client sees 1006 (RFC 6455 §7.1.5).
    expect(await silentClosed).toBe(1006);
    await waitFor(() => pings >= 3, 'three pings answered');
    expect(lively.readyState).toBe(WebSocket.OPEN);
    lively.terminate();
  });
});

describe('chat resume', () => {
  let lab: Lab;
  beforeAll(async () => {
    // Faster than production so 1,000 messages take seconds; the logic is the same.
    lab = await startTestLab({ chat: { messagesPerSecond: 2000 } });
  });
  afterAll(async () => {
    await lab.close();
  });

  it('loses none and duplicates none of 1,000 messages across 100 forced disconnects', async () => {
    const url = `ws://127.0.0.1:${lab.port}${CHAT_WS_PATH}`;
    const make = (nick: string, onEvent: (ev: ChatEvent) => void): ChatClient =>
      new ChatClient({
        url,
        WebSocket,
        nick,
        session: `s-${nick}`,
        onEvent,
        backoff: { minMs: 5, maxMs: 50 },
        sendRate: 1000,
        retryRateLimitedMs: 20,
      });
    const received: ChatMessage[] = [];
    const drops = { sender: 0, receiver: 0 };
    let senderOpen = false;
    let receiverOpen = false;
    let chatFramesSent = 0;
    let replayed = 0;
    const sender = make('sender', (ev) => {
      if (ev.kind === 'frame' && ev.dir === 'out' && ev.type === 'chat') chatFramesSent += 1;
      if (ev.kind === 'joined') senderOpen = true;
      if (ev.kind === 'close') {
        senderOpen = false;
        drops.sender += 1;
      }
    });
    const receiver = make('receiver', (ev) => {
      if (ev.kind === 'joined') {
        receiverOpen = true;
        replayed += ev.missed.length;
        received.push(...ev.missed);
      }
      if (ev.kind === 'message') received.push(ev.msg);
      if (ev.kind === 'close') {
        receiverOpen = false;
        drops.receiver += 1;
      }
    });
    for (const c of [sender, receiver]) {
      c.join('resume');
      c.start();
    }
    await waitFor(() => senderOpen && receiverOpen, 'both joined');

    for (let round = 0; round < 100; round++) {
      const victim = round % 2 === 0 ? sender : receiver;
      await waitFor(() => senderOpen && receiverOpen, `both back before cut ${round}`, 10_000);
      const before = drops.sender + drops.receiver;
      // The cut is requested first and the messages follow on the same socket, so they are in
      // flight when it dies: the sender's are lost on the wire (and must be resent), or the
      // receiver is gone while they are broadcast (and must get them by replay).
      victim.requestDrop();
      for (let i = 0; i < 10; i++) sender.say('resume', `m${round * 10 + i}`);
      // (It may already be back: reconnecting takes milliseconds here.)
      await waitFor(() => drops.sender + drops.receiver > before, `cut ${round}`);
    }
    await waitFor(
      () => received.length >= 1000 && sender.pending.length === 0,
      'every message at the receiver',
      30_000,
    );
    await new Promise((r) => setTimeout(r, 200)); // any late duplicate would show up here
    expect(drops.sender + drops.receiver).toBe(100);
    // The cuts did hit messages in flight: some were resent, some reached the receiver by replay.
    expect(chatFramesSent).toBeGreaterThan(1000);
    expect(replayed).toBeGreaterThan(0);
    const texts = received.map((m) => m.text);
    expect(new Set(texts).size).toBe(texts.length);
    expect(texts.sort()).toEqual(Array.from({ length: 1000 }, (_, i) => `m${i}`).sort());
    // The server stored each message once: ids run 1..1000 with no gaps.
    expect(received.map((m) => m.id).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 1000 }, (_, i) => i + 1),
    );
    sender.stop();
    receiver.stop();
  }, 60_000);
});
