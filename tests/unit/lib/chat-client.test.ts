import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ChatClient, type ChatEvent, type WebSocketLike } from '../../../src/lib/chat/client.ts';
import type { ClientMessage, ServerMessage } from '../../../src/lib/wire/chat.ts';

/** A scripted WebSocket: the test plays the server. */
class FakeSocket implements WebSocketLike {
  static all: FakeSocket[] = [];
  readyState = 0;
  bufferedAmount = 0;
  readonly url: string;
  readonly sent: ClientMessage[] = [];
  readonly #listeners = new Map<string, ((ev: unknown) => void)[]>();

  constructor(url: string) {
    this.url = url;
    FakeSocket.all.push(this);
  }
  static get last(): FakeSocket {
    const s = FakeSocket.all.at(-1);
    if (!s) throw new Error('no socket yet');
    return s;
  }
  addEventListener(type: string, listener: (ev: unknown) => void): void {
    this.#listeners.set(type, [...(this.#listeners.get(type) ?? []), listener]);
  }
  send(data: string): void {
    this.sent.push(JSON.parse(data) as ClientMessage);
  }
  close(): void {
    this.readyState = 3;
  }
  #emit(type: string, ev: unknown): void {
    for (const l of this.#listeners.get(type) ?? []) l(ev);
  }
  open(): void {
    this.readyState = 1;
    this.#emit('open', {});
  }
  serve(msg: ServerMessage): void {
    this.#emit('message', { data: JSON.stringify(msg) });
  }
  cut(): void {
    this.readyState = 3;
    this.#emit('close', { code: 1006, reason: '', wasClean: false });
  }
}

const welcome = (bootId = 'boot1'): ServerMessage => ({
  type: 'welcome',
  connId: 'c1',
  bootId,
  heartbeatMs: 30000,
  request: { method: 'GET', url: '/ws/chat', headers: [] },
  response: { status: 'HTTP/1.1 101 Switching Protocols', headers: [] },
});
const msg = (id: number, text = `m${id}`, nick = 'bob', clientMsgId?: string): ServerMessage => ({
  type: 'chat',
  room: 'r',
  id,
  nick,
  text,
  ts: id,
  ...(clientMsgId ? { clientMsgId } : {}),
});
const joined = (history: ServerMessage[]): ServerMessage => ({
  type: 'joined',
  room: 'r',
  members: ['ann', 'bob'],
  history: history as Extract<ServerMessage, { type: 'chat' }>[],
  truncated: false,
});

function setup(): { client: ChatClient; events: ChatEvent[] } {
  const events: ChatEvent[] = [];
  const client = new ChatClient({
    url: 'ws://lab/ws/chat',
    WebSocket: FakeSocket,
    nick: 'ann',
    session: 's1',
    onEvent: (ev) => events.push(ev),
    random: () => 0,
  });
  client.join('r');
  client.start();
  return { client, events };
}

/** Opens the newest socket, greets, and answers its join with `history`. */
async function connect(history: ServerMessage[] = [], bootId = 'boot1'): Promise<FakeSocket> {
  const s = FakeSocket.last;
  s.open();
  s.serve(welcome(bootId));
  await vi.advanceTimersByTimeAsync(0);
  s.serve(joined(history));
  await vi.advanceTimersByTimeAsync(0);
  return s;
}

const shown = (events: ChatEvent[]): string[] =>
  events.flatMap((e) =>
    e.kind === 'message' ? [e.msg.text] : e.kind === 'joined' ? e.missed.map((m) => m.text) : [],
  );

beforeEach(() => {
  vi.useFakeTimers();
  FakeSocket.all = [];
});
afterEach(() => vi.useRealTimers());

describe('ChatClient resume and dedupe', () => {
  it('greets, joins, and after a cut rejoins with afterId = the newest id it saw', async () => {
    const { client, events } = setup();
    const s1 = await connect([msg(1), msg(2)]);
    expect(s1.sent.slice(0, 2)).toEqual([
      { type: 'hello', nick: 'ann', session: 's1' },
      { type: 'join', room: 'r' },
    ]);
    s1.serve(msg(3));
    s1.cut();
    expect(client.state).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(499);
    expect(FakeSocket.all).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(FakeSocket.all).toHaveLength(2);

    // The replay overlaps what was already seen (2, 3): only 4 and 5 are new.
    const s2 = await connect([msg(2), msg(3), msg(4), msg(5)]);
    expect(s2.sent).toContainEqual({ type: 'join', room: 'r', afterId: 3 });
    expect(shown(events)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
    expect(client.duplicatesDropped).toBe(2);
    const resumed = events.filter((e) => e.kind === 'joined').at(-1);
    expect(resumed).toMatchObject({ resumed: true });

    // A live message that repeats one from the replay is dropped too.
    s2.serve(msg(5));
    s2.serve(msg(6));
    expect(shown(events)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5', 'm6']);
  });

  it('resends unacknowledged messages under the same clientMsgId, and acknowledged ones never', async () => {
    const { client } = setup();
    const s1 = await connect();
    const a = client.say('r', 'first');
    const b = client.say('r', 'second');
    await vi.advanceTimersByTimeAsync(0);
    expect(s1.sent.filter((m) => m.type === 'chat')).toHaveLength(2);
    s1.serve(msg(1, 'first', 'ann', a.clientMsgId)); // the echo acknowledges "first"
    s1.cut(); // "second" was written, but its echo never came

    expect(client.pending.map((p) => p.text)).toEqual(['second']);
    await vi.advanceTimersByTimeAsync(500);
    const s2 = await connect([msg(1, 'first', 'ann', a.clientMsgId)]);
    await vi.advanceTimersByTimeAsync(0);
    expect(s2.sent.filter((m) => m.type === 'chat')).toEqual([
      { type: 'chat', room: 'r', text: 'second', clientMsgId: b.clientMsgId },
    ]);
    // The server answers the resend with the stored message: that settles it.
    s2.serve(msg(2, 'second', 'ann', b.clientMsgId));
    expect(client.pending).toHaveLength(0);
  });

  it('keeps messages said while offline and sends them after coming back', async () => {
    const { client, events } = setup();
    const s1 = await connect();
    client.setOffline(true);
    expect(client.state).toBe('closed');
    expect(events.some((e) => e.kind === 'close' && e.code === 4000)).toBe(true);
    // Offline means deaf too: frames from the old socket are ignored.
    s1.serve(msg(1));
    expect(shown(events)).toEqual([]);
    client.say('r', 'queued');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeSocket.all).toHaveLength(1); // no reconnect while offline

    client.setOffline(false);
    expect(FakeSocket.all).toHaveLength(2);
    const s2 = await connect([msg(1)]);
    await vi.advanceTimersByTimeAsync(0);
    expect(shown(events)).toEqual(['m1']);
    expect(
      s2.sent.filter((m) => m.type === 'chat').map((m) => m.type === 'chat' && m.text),
    ).toEqual(['queued']);
  });

  it('backs off longer while the server stays away, and starts over once it is back', async () => {
    const { events } = setup();
    FakeSocket.last.cut(); // refused at once
    const waits: number[] = [];
    for (let i = 0; i < 4; i++) {
      const last = events.filter((e) => e.kind === 'state' && e.state === 'reconnecting').at(-1);
      if (last?.kind === 'state' && last.retryAt !== null) waits.push(last.retryAt - Date.now());
      await vi.advanceTimersByTimeAsync(waits.at(-1) ?? 0);
      if (i < 3) FakeSocket.last.cut();
    }
    expect(waits).toEqual([500, 1000, 2000, 4000]);
    await connect();
    FakeSocket.last.cut();
    const again = events.filter((e) => e.kind === 'state' && e.state === 'reconnecting').at(-1);
    expect(again?.kind === 'state' && again.retryAt !== null && again.retryAt - Date.now()).toBe(
      500,
    );
  });

  it('sends a rate-limited message again later instead of losing it', async () => {
    const { client } = setup();
    const s1 = await connect();
    const p = client.say('r', 'again');
    await vi.advanceTimersByTimeAsync(0);
    s1.serve({ type: 'error', code: 'rate_limited', message: 'slow down', ref: p.clientMsgId });
    expect(client.pending).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(s1.sent.filter((m) => m.type === 'chat')).toHaveLength(2);
  });

  it('drops a message the server refuses for good and reports it', async () => {
    const { client, events } = setup();
    const s1 = await connect();
    const p = client.say('r', 'x');
    s1.serve({ type: 'error', code: 'text_too_long', message: 'too long', ref: p.clientMsgId });
    expect(client.pending).toHaveLength(0);
    expect(events.at(-1)).toMatchObject({ kind: 'error', failed: { clientMsgId: p.clientMsgId } });
  });

  it('asks for everything again when the server restarted (new bootId)', async () => {
    const { client } = setup();
    const s1 = await connect([msg(1), msg(2), msg(3)]);
    s1.cut();
    await vi.advanceTimersByTimeAsync(500);
    const s2 = FakeSocket.last;
    s2.open();
    s2.serve(welcome('boot2'));
    await vi.advanceTimersByTimeAsync(0);
    // The join went out before the welcome was read; the room's ids restart, so the next
    // reconnect must not skip the new server's first messages.
    expect(client.rooms.get('r')?.lastId).toBe(0);
  });

  it('paces its own frames below the server’s limit', async () => {
    const { client } = setup();
    const s1 = await connect();
    for (let i = 0; i < 30; i++) client.say('r', `n${i}`);
    await vi.advanceTimersByTimeAsync(0);
    const early = s1.sent.filter((m) => m.type === 'chat').length;
    expect(early).toBeLessThanOrEqual(8);
    await vi.advanceTimersByTimeAsync(1000);
    const later = s1.sent.filter((m) => m.type === 'chat').length;
    expect(later - early).toBeLessThanOrEqual(9);
    await vi.advanceTimersByTimeAsync(5000);
    expect(s1.sent.filter((m) => m.type === 'chat')).toHaveLength(30);
  });
});
