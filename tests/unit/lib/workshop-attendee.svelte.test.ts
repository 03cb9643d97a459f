import { describe, expect, it } from 'vitest';
import { flushSync } from 'svelte';
import { AttendeeRoom, type RoomSocket } from '../../../src/lib/workshop/attendee.svelte.ts';
import type { RoomServerMessage } from '../../../src/lib/wire/workshop.ts';
import { pollText } from '../../../src/lib/workshop/poll-text.ts';

class FakeSocket implements RoomSocket {
  readyState = 0;
  readonly sent: unknown[] = [];
  readonly #listeners = new Map<string, ((ev: { data?: unknown }) => void)[]>();
  addEventListener(type: string, l: (ev: { data?: unknown }) => void): void {
    this.#listeners.set(type, [...(this.#listeners.get(type) ?? []), l]);
  }
  send(data: string): void {
    this.sent.push(JSON.parse(data));
  }
  close(): void {
    this.readyState = 3;
  }
  emit(type: string, ev: { data?: unknown } = {}): void {
    if (type === 'open') this.readyState = 1;
    if (type === 'close') this.readyState = 3;
    for (const l of this.#listeners.get(type) ?? []) l(ev);
  }
  serve(msg: RoomServerMessage): void {
    this.emit('message', { data: JSON.stringify(msg) });
  }
}

function setup(chapter = 'sse') {
  const sockets: FakeSocket[] = [];
  const timers: (() => void)[] = [];
  const room = new AttendeeRoom({
    url: () => 'ws://lab/ws/room',
    open: () => {
      const s = new FakeSocket();
      sockets.push(s);
      return s;
    },
    chapter,
    setTimer: (fn) => timers.push(fn),
    clearTimer: () => {},
    random: () => 0,
  });
  room.start();
  return { room, sockets, timers, last: () => sockets.at(-1)! };
}

const announcement = (id: number, text: string) => ({ id, text, at: 0 });

describe('the attendee side of a workshop', () => {
  it('reports where the reader is, on open and when the demo in view changes', () => {
    const { room, last } = setup('websocket');
    last().emit('open');
    room.setDemo('chat');
    room.setDemo('chat'); // unchanged: nothing sent
    expect(last().sent).toEqual([
      { type: 'presence', chapter: 'websocket', demo: '' },
      { type: 'presence', chapter: 'websocket', demo: 'chat' },
    ]);
  });

  it('shows announcements until dismissed, and a newer one again', () => {
    const { room, last } = setup();
    last().emit('open');
    last().serve({ type: 'announce', announcement: announcement(1, 'Break') });
    flushSync();
    expect(room.announcement?.text).toBe('Break');
    room.dismissAnnouncement();
    // The same announcement again (e.g. the state after a reconnect) stays dismissed.
    last().serve({
      type: 'state',
      announcement: announcement(1, 'Break'),
      follow: null,
      poll: null,
    });
    expect(room.announcement).toBeNull();
    last().serve({ type: 'announce', announcement: announcement(2, 'Back') });
    expect(room.announcement?.text).toBe('Back');
  });

  it('asks to follow only readers on another chapter, and a declined request stays declined', () => {
    const { room, last } = setup('sse');
    last().emit('open');
    last().serve({ type: 'follow', follow: { id: 3, chapter: 'sse', at: 0 } });
    expect(room.follow).toBeNull();
    last().serve({ type: 'follow', follow: { id: 4, chapter: 'mqtt', at: 0 } });
    expect(room.follow?.chapter).toBe('mqtt');
    room.dismissFollow();
    last().serve({
      type: 'state',
      announcement: null,
      follow: { id: 4, chapter: 'mqtt', at: 0 },
      poll: null,
    });
    expect(room.follow).toBeNull();
  });

  it('votes on the open poll, remembers the answer, and forgets it for a new poll', () => {
    const { room, last } = setup();
    last().emit('open');
    const poll = {
      kind: 'custom' as const,
      question: 'Q',
      choices: ['a', 'b'],
      id: 5,
      open: true,
      counts: null,
    };
    last().serve({ type: 'poll', poll });
    room.vote(1);
    expect(last().sent.at(-1)).toEqual({ type: 'vote', pollId: 5, choice: 1 });
    last().serve({ type: 'voted', pollId: 5, choice: 1 });
    expect(room.myVote).toBe(1);
    last().serve({ type: 'poll', poll: { ...poll, counts: [0, 1] } });
    expect(room.myVote).toBe(1);
    last().serve({ type: 'poll', poll: { ...poll, id: 6 } });
    expect(room.myVote).toBeNull();
    last().serve({ type: 'poll', poll: { ...poll, id: 6, open: false } });
    const before = last().sent.length;
    room.vote(0); // closed: nothing is sent
    expect(last().sent.length).toBe(before);
  });

  it('reconnects after the socket closes, and stops for good on stop()', () => {
    const { room, sockets, timers, last } = setup();
    last().emit('open');
    last().emit('close');
    expect(room.connected).toBe(false);
    expect(timers).toHaveLength(1);
    timers[0]!();
    expect(sockets).toHaveLength(2);
    last().emit('open');
    expect(room.connected).toBe(true);
    room.stop();
    last().emit('close');
    expect(timers).toHaveLength(1);
  });

  it('translates a quiz poll into the reader’s language', () => {
    const quiz = { kind: 'quiz' as const, questionId: 'who', choices: ['people', 'nope'] };
    expect(pollText(quiz, 'en').choices[0]).toMatch(/People/);
    expect(pollText(quiz, 'zh-CN').choices[0]).toMatch(/人/);
    expect(pollText(quiz, 'en').choices[1]).toBe('nope'); // unknown id: shown as it is
  });
});
