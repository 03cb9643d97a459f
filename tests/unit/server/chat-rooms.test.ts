import { describe, expect, it } from 'vitest';
import type { IncomingMessage } from 'node:http';
import { Room, Rooms, nickKey, type Member } from '../../../server/chat/rooms.ts';
import { TokenBucket } from '../../../server/chat/rate-limit.ts';
import { ChatHub, ROOMS_PER_VISITOR } from '../../../server/chat/hub.ts';
import { isAllowedOrigin } from '../../../server/chat/origin.ts';

const member = (nick: string, inbox: string[] = [], session = `s-${nick}`): Member => ({
  nick,
  nickKey: nickKey(nick),
  session,
  authorKey: session,
  send: (f) => inbox.push(f),
});

describe('Room', () => {
  it('numbers messages 1, 2, 3… and keeps only the newest 200', () => {
    const room = new Room('r');
    const ann = member('ann');
    for (let i = 1; i <= 250; i++) room.post(ann, `m${i}`, `c${i}`, i);
    const { history, truncated } = room.since(undefined);
    expect(history).toHaveLength(200);
    expect(history[0]?.id).toBe(51);
    expect(history.at(-1)?.id).toBe(250);
    expect(truncated).toBe(false);
  });

  it('replays after afterId, and says when part of the gap is gone', () => {
    const room = new Room('r', 5);
    const ann = member('ann');
    for (let i = 1; i <= 8; i++) room.post(ann, `m${i}`, `c${i}`, i);
    expect(room.since(6)).toMatchObject({ truncated: false });
    expect(room.since(6).history.map((m) => m.id)).toEqual([7, 8]);
    expect(room.since(3).truncated).toBe(false); // 4..8 are all kept
    expect(room.since(2).truncated).toBe(true); // 3 is gone
    expect(room.since(8).history).toEqual([]);
    // An id beyond the newest means the server restarted: everything is new to that client.
    expect(room.since(99).history.map((m) => m.id)).toEqual([4, 5, 6, 7, 8]);
  });

  it('stores a clientMsgId once per author', () => {
    const room = new Room('r');
    const ann = member('ann');
    const bob = member('bob');
    const first = room.post(ann, 'hi', 'x1', 1);
    const again = room.post(ann, 'hi', 'x1', 2);
    const other = room.post(bob, 'hi', 'x1', 3);
    expect(first.duplicate).toBe(false);
    expect(again).toEqual({ msg: first.msg, duplicate: true });
    expect(other.duplicate).toBe(false);
    expect(room.lastId).toBe(2);
  });

  it('keys members by a nick skeleton, so a look-alike nick is taken like the original', () => {
    // All-Cyrillic "сосо" and full-width "ＣＯＣＯ" against Latin "coco".
    expect(nickKey('\u0441\u043e\u0441\u043e')).toBe(nickKey('coco'));
    expect(nickKey('\uff23\uff2f\uff23\uff2f')).toBe(nickKey('coco'));
  });

  it('never takes a newcomer with a freed nick for the old holder resending', () => {
    const room = new Room('r');
    const first = room.post(member('ann', [], 'session-1'), 'from the first ann', 'm1', 1);
    // The first ann leaves; someone else takes the nick, and happens to number from m1 too.
    const next = room.post(member('ann', [], 'session-2'), 'from the second ann', 'm1', 2);
    expect(next.duplicate).toBe(false);
    expect(next.msg).toMatchObject({ id: 2, text: 'from the second ann' });
    expect(first.msg.id).toBe(1);
    // The same session resending is still recognised, and still only once.
    const again = room.post(member('ann', [], 'session-2'), 'from the second ann', 'm1', 3);
    expect(again).toEqual({ msg: next.msg, duplicate: true });
  });

  it('broadcasts one serialized frame to every member but the one excepted', () => {
    const room = new Room('r');
    const a: string[] = [];
    const b: string[] = [];
    const ann = member('ann', a);
    room.members.set(ann.nickKey, ann);
    room.members.set('bob', member('bob', b));
    room.broadcast({ type: 'typing', room: 'r', nick: 'ann' }, ann);
    expect(a).toEqual([]);
    expect(b).toEqual(['{"type":"typing","room":"r","nick":"ann"}']);
  });
});

describe('Rooms', () => {
  it('makes room for a new one by forgetting the emptiest idle room, never a busy one', () => {
    const rooms = new Rooms(2);
    const a = rooms.open('a', 1);
    const b = rooms.open('b', 2);
    a?.members.set('x', member('x'));
    expect(rooms.open('c', 3)).not.toBeNull(); // "b" was empty: it goes
    expect(rooms.get('b')).toBeUndefined();
    rooms.get('c')?.members.set('y', member('y'));
    expect(rooms.open('d', 4)).toBeNull(); // both busy
    expect(b?.name).toBe('b');
  });
});

describe('TokenBucket', () => {
  it('allows a burst of its rate, then one token per 1/rate seconds', () => {
    let now = 0;
    const bucket = new TokenBucket(10, () => now);
    const burst = Array.from({ length: 12 }, () => bucket.take());
    expect(burst.filter(Boolean)).toHaveLength(10);
    now += 100;
    expect(bucket.take()).toBe(true);
    expect(bucket.take()).toBe(false);
    now += 10_000;
    expect(Array.from({ length: 11 }, () => bucket.take()).filter(Boolean)).toHaveLength(10);
  });
});

describe('isAllowedOrigin', () => {
  const req = (headers: Record<string, string>): IncomingMessage =>
    ({ headers }) as unknown as IncomingMessage;
  it('allows the site’s own origin, listed origins and clients without an Origin', () => {
    expect(isAllowedOrigin(req({ host: 'lab:4321', origin: 'http://lab:4321' }), [])).toBe(true);
    expect(isAllowedOrigin(req({ host: 'LAB:4321', origin: 'http://lab:4321' }), [])).toBe(true);
    expect(isAllowedOrigin(req({ host: 'lab:4321' }), [])).toBe(true);
    expect(
      isAllowedOrigin(req({ host: 'lab:4322', origin: 'http://localhost:4321' }), [
        'http://localhost:4321',
      ]),
    ).toBe(true);
  });
  it('refuses other origins, other ports, opaque and non-http origins', () => {
    const host = { host: 'lab:4321' };
    for (const origin of [
      'http://evil.example',
      'http://lab:4322',
      'http://lab.evil.example:4321',
      'null',
      'file://',
      'chrome-extension://abc',
    ]) {
      expect(isAllowedOrigin(req({ ...host, origin }), []), origin).toBe(false);
    }
  });
});

describe('one visitor cannot take the chat down', () => {
  // A fake connection: frames it received, parsed.
  const peer = () => {
    const frames: { type: string; code?: string; room?: string }[] = [];
    return {
      frames,
      send: (f: string) => frames.push(JSON.parse(f) as { type: string }),
      destroy: () => {},
    };
  };
  const visitor = (address: string, browser: string) => ({
    address,
    key: `${address}|${browser}`,
  });

  it('caps rooms per browser and per address, so 500 sockets leave room for a newcomer', () => {
    const hub = new ChatHub({ maxRooms: 100, peoplePerAddress: 2, now: () => 0 });
    // 500 sockets from one address: half share one cookie, half made up a new one each.
    for (let i = 0; i < 500; i++) {
      const c = hub.connect(peer(), visitor('10.0.0.66', i < 250 ? 'same' : `fake${i}`));
      hub.receive(c, JSON.stringify({ type: 'hello', nick: `bot${i}` }));
      hub.receive(c, JSON.stringify({ type: 'join', room: `spam-${i}` }));
    }
    expect(hub.rooms.size).toBeLessThanOrEqual(ROOMS_PER_VISITOR * 2);
    const p = peer();
    const newcomer = hub.connect(p, visitor('10.0.0.7', 'real'));
    hub.receive(newcomer, JSON.stringify({ type: 'hello', nick: 'ann' }));
    hub.receive(newcomer, JSON.stringify({ type: 'join', room: 'lobby' }));
    expect(p.frames.at(-1)).toMatchObject({ type: 'joined', room: 'lobby' });
  });

  it('limits messages per address, so 100 sockets cannot flood one room', () => {
    let now = 0;
    const hub = new ChatHub({ peoplePerAddress: 8, now: () => now });
    const clients = Array.from({ length: 100 }, (_, i) => {
      now += 1000; // joining at a calm pace
      const c = hub.connect(peer(), visitor('10.0.0.66', `b${i}`));
      hub.receive(c, JSON.stringify({ type: 'hello', nick: `bot${i}` }));
      hub.receive(c, JSON.stringify({ type: 'join', room: 'lobby' }));
      return c;
    });
    expect(hub.rooms.get('lobby')?.members.size).toBe(100);
    now += 10_000;
    // The clock stands still: each socket sends 9 messages within the same instant.
    for (const c of clients) {
      for (let k = 0; k < 9; k++) {
        hub.receive(
          c,
          JSON.stringify({ type: 'chat', room: 'lobby', text: 'spam', clientMsgId: `m${k}` }),
        );
      }
    }
    const lastId = hub.rooms.get('lobby')?.lastId ?? 0;
    // At most a burst of 10 msg/s per visitor x 8 people per address gets through.
    expect(lastId).toBe(80);
  });

  it('bounds history in total, and reclaims rooms nobody is in', () => {
    let now = 0;
    const hub = new ChatHub({
      messagesPerSecond: 1e6,
      historyBudgetBytes: 200_000,
      emptyRoomTtlMs: 60_000,
      now: () => now,
    });
    const text = 'x'.repeat(1000);
    const clients = Array.from({ length: 30 }, (_, i) => {
      const c = hub.connect(peer(), visitor(`10.0.1.${i}`, 'b'));
      hub.receive(c, JSON.stringify({ type: 'hello', nick: `n${i}` }));
      hub.receive(c, JSON.stringify({ type: 'join', room: `room-${i}` }));
      for (let k = 0; k < 100; k++) {
        hub.receive(
          c,
          JSON.stringify({ type: 'chat', room: `room-${i}`, text, clientMsgId: `m${k}` }),
        );
      }
      return c;
    });
    // 30 rooms x 100 x 1 KB would be 3 MB.
    expect(hub.rooms.meter.bytes).toBeLessThanOrEqual(200_000);
    for (const c of clients) hub.disconnect(c);
    now += 59_000;
    expect(hub.sweep()).toBe(0); // a page reconnecting within the minute still finds its history
    now += 1_000;
    expect(hub.sweep()).toBe(30);
    expect(hub.rooms.size).toBe(0);
    expect(hub.rooms.meter.bytes).toBe(0);
  });
});
