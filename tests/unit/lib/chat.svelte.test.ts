import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flushSync } from 'svelte';
import { ChatState, closeMeaningKey } from '../../../src/lib/chat/chat.svelte.ts';
import { ChatClient, type WebSocketLike } from '../../../src/lib/chat/client.ts';
import type { ServerMessage } from '../../../src/lib/wire/chat.ts';

class FakeSocket implements WebSocketLike {
  static all: FakeSocket[] = [];
  readyState = 0;
  bufferedAmount = 0;
  readonly sent: string[] = [];
  readonly #listeners = new Map<string, ((ev: unknown) => void)[]>();
  constructor() {
    FakeSocket.all.push(this);
  }
  addEventListener(type: string, l: (ev: unknown) => void): void {
    this.#listeners.set(type, [...(this.#listeners.get(type) ?? []), l]);
  }
  send(data: string): void {
    this.sent.push(data);
  }
  close(): void {
    this.readyState = 3;
  }
  emit(type: string, ev: unknown): void {
    for (const l of this.#listeners.get(type) ?? []) l(ev);
  }
  serve(msg: ServerMessage): void {
    this.emit('message', { data: JSON.stringify(msg) });
  }
}
const last = (): FakeSocket => FakeSocket.all.at(-1) as FakeSocket;

const chat = (id: number, text: string, nick: string, clientMsgId: string): ServerMessage => ({
  type: 'chat',
  room: 'lobby',
  id,
  nick,
  text,
  ts: 1000 + id,
  clientMsgId,
});

/** The newest socket opens and the server greets it, as after a handshake. */
async function welcome(connId = 'c'): Promise<void> {
  last().readyState = 1;
  last().emit('open', {});
  last().serve({
    type: 'welcome',
    connId,
    bootId: 'b',
    heartbeatMs: 30000,
    request: { method: 'GET', url: '/ws/chat', headers: [['Host', 'lab']] },
    response: { status: 'HTTP/1.1 101 Switching Protocols', headers: [] },
  });
  await vi.advanceTimersByTimeAsync(0);
}

async function open(history: ServerMessage[] = []): Promise<void> {
  await welcome();
  last().serve({
    type: 'joined',
    room: 'lobby',
    members: ['ann'],
    history: history as Extract<ServerMessage, { type: 'chat' }>[],
    truncated: false,
  });
  flushSync();
}

beforeEach(() => {
  vi.useFakeTimers();
  FakeSocket.all = [];
});
afterEach(() => vi.useRealTimers());

describe('ChatState', () => {
  it('loads the client on the first connect when none is given, and opens one socket', async () => {
    const state = new ChatState({ url: () => 'ws://lab/ws/chat', WebSocket: FakeSocket });
    expect(state.connect('ann', 'lobby')).toBe(true);
    expect(state.state).toBe('connecting');
    await vi.dynamicImportSettled();
    expect(FakeSocket.all).toHaveLength(1);
    await open();
    expect(state.current?.joined).toBe(true);
    state.disconnect();
  });

  it('shows an own message at once as sending, then as sent, exactly once', async () => {
    const state = new ChatState({
      url: () => 'ws://lab/ws/chat',
      WebSocket: FakeSocket,
      Client: ChatClient,
      session: 's',
    });
    const cleanup = $effect.root(() => {
      expect(state.connect('ann', 'lobby')).toBe(true);
    });
    expect(state.state).toBe('connecting');
    await open();
    expect(state.state).toBe('open');
    expect(state.handshake?.request.headers).toEqual([['Host', 'lab']]);

    state.say('<b>hi</b>');
    flushSync();
    const lines = () => state.current?.lines.filter((l) => l.kind === 'msg') ?? [];
    expect(lines()).toMatchObject([{ text: '<b>hi</b>', status: 'pending', mine: true }]);
    const id = lines()[0]?.key ?? '';
    last().serve(chat(1, '<b>hi</b>', 'ann', id));
    flushSync();
    expect(lines()).toMatchObject([{ text: '<b>hi</b>', status: 'sent', id: 1 }]);

    // Cut; the resume replays it together with two messages missed meanwhile.
    last().readyState = 3;
    last().emit('close', { code: 1006, reason: '', wasClean: false });
    flushSync();
    expect(state.state).toBe('reconnecting');
    expect(state.retryInS).toBe(1);
    expect(state.lastClose).toEqual({ code: 1006, reason: '', wasClean: false });
    expect(state.frames[0]).toMatchObject({ dir: 'note', type: 'close' });
    await vi.advanceTimersByTimeAsync(1000);
    await open([
      chat(1, '<b>hi</b>', 'ann', id),
      chat(2, 'a', 'bob', 'b1'),
      chat(3, 'b', 'bob', 'b2'),
    ]);
    expect(lines().map((l) => l.kind === 'msg' && l.text)).toEqual(['<b>hi</b>', 'a', 'b']);
    const notes = state.current?.lines.filter((l) => l.kind === 'note') ?? [];
    expect(notes.at(-1)).toMatchObject({ note: 'resumedNote', vars: { n: 2 } });
    state.disconnect();
    cleanup();
  });

  it('refuses a bad room name or nick before connecting', () => {
    const state = new ChatState({
      url: () => 'ws://lab/ws/chat',
      WebSocket: FakeSocket,
      Client: ChatClient,
    });
    expect(state.connect('ann', 'Not A Room')).toBe(false);
    expect(state.error).toBe('badRoom');
    expect(state.connect('x'.repeat(25), 'lobby')).toBe(false);
    expect(state.error).toBe('bad_nick');
    expect(FakeSocket.all).toHaveLength(0);
  });

  it('sends the draft only when it fits, and shows the handshake as it went on the wire', async () => {
    const state = new ChatState({
      url: () => 'ws://lab/ws/chat',
      WebSocket: FakeSocket,
      Client: ChatClient,
    });
    const cleanup = $effect.root(() => void state.connect('ann', 'lobby'));
    await open();
    expect(state.handshakeRequest).toBe('GET /ws/chat HTTP/1.1\nHost: lab');
    expect(state.handshakeResponse).toBe('HTTP/1.1 101 Switching Protocols');
    state.draft = '   ';
    expect(state.canSend).toBe(false);
    state.draft = '😀'.repeat(2000);
    expect(state.draftChars).toBe(2000);
    expect(state.canSend).toBe(true);
    state.draft += '!';
    expect(state.canSend).toBe(false);
    expect(state.sendDraft()).toBe(false);
    expect(state.draft).not.toBe('');
    state.draft = 'hello';
    expect(state.sendDraft()).toBe(true);
    expect(state.draft).toBe('');
    flushSync();
    expect(state.current?.lines.at(-1)).toMatchObject({ text: 'hello', status: 'pending' });
    state.disconnect();
    cleanup();
  });

  it('names the close codes it explains and calls any other "other"', () => {
    expect(closeMeaningKey(1000)).toBe('close.1000');
    expect(closeMeaningKey(4000)).toBe('close.4000');
    expect(closeMeaningKey(1011)).toBe('close.1011');
    expect([3001, 4001, 2000].map(closeMeaningKey)).toEqual([
      'close.registered',
      'close.private',
      'close.other',
    ]);
  });

  it('moves a message typed offline after the earlier messages the server replays', async () => {
    const state = new ChatState({
      url: () => 'ws://lab/ws/chat',
      WebSocket: FakeSocket,
      Client: ChatClient,
      session: 's',
    });
    const cleanup = $effect.root(() => void state.connect('ann', 'lobby'));
    await open();
    state.setOffline(true);
    state.say('typed offline');
    state.setOffline(false);
    await open([chat(1, 'a', 'bob', 'b1'), chat(2, 'b', 'bob', 'b2')]);
    const texts = () =>
      (state.current?.lines ?? []).flatMap((l) => (l.kind === 'msg' ? [l.text] : []));
    // Until the server numbers it, it stays where it was typed.
    expect(texts()).toEqual(['typed offline', 'a', 'b']);
    const mine = state.current?.lines.find((l) => l.kind === 'msg' && l.mine);
    last().serve(chat(3, 'typed offline', 'ann', mine?.key ?? ''));
    flushSync();
    expect(texts()).toEqual(['a', 'b', 'typed offline']);
    state.disconnect();
    cleanup();
  });

  it('closes its socket while the page is hidden and rejoins after the last message it saw', async () => {
    const state = new ChatState({
      url: () => 'ws://lab/ws/chat',
      WebSocket: FakeSocket,
      Client: ChatClient,
      session: 's',
    });
    const cleanup = $effect.root(() => void state.connect('ann', 'lobby'));
    await open([chat(1, 'a', 'bob', 'b1'), chat(2, 'b', 'bob', 'b2')]);
    const before = FakeSocket.all.length;
    state.pause('hidden');
    expect(last().readyState).toBe(3); // closed, not left open in a background tab
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeSocket.all.length).toBe(before); // and no reconnect while hidden
    state.resume(false);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(FakeSocket.all.length).toBe(before + 1);
    await welcome('c2');
    const join = last()
      .sent.map((m) => JSON.parse(m) as { type: string; room?: string; afterId?: number })
      .find((m) => m.type === 'join');
    expect(join).toEqual({ type: 'join', room: 'lobby', afterId: 2 });
    state.disconnect();
    cleanup();
  });

  it('shows a room joined after a burst as waiting, and why, until the server answers', async () => {
    const state = new ChatState({
      url: () => 'ws://lab/ws/chat',
      WebSocket: FakeSocket,
      Client: ChatClient,
      session: 's',
    });
    const cleanup = $effect.root(() => void state.connect('ann', 'lobby'));
    await open();
    expect(state.waiting).toBe(0);
    state.burst();
    expect(state.join('other')).toBe(true);
    flushSync();
    expect(state.current).toMatchObject({ name: 'other', joined: false, members: [] });
    expect(state.waiting).toBe(1);
    // 50 frames over a budget of 8 a second: the join goes out several seconds later.
    expect(state.waitS).toBeGreaterThanOrEqual(5);
    const sentJoin = () => last().sent.some((f) => f.includes('"join"') && f.includes('other'));
    expect(sentJoin()).toBe(false);
    await vi.advanceTimersByTimeAsync(8000);
    expect(sentJoin()).toBe(true);
    expect(state.waiting).toBe(0);
    last().serve({
      type: 'joined',
      room: 'other',
      members: ['ann'],
      history: [],
      truncated: false,
    });
    flushSync();
    expect(state.current).toMatchObject({ joined: true, members: ['ann'] });
    state.disconnect();
    cleanup();
  });
});
