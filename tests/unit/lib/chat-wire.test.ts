import { describe, expect, it } from 'vitest';
import {
  chatUrl,
  isValidNick,
  parseClientMessage,
  parseServerMessage,
  type Rejection,
} from '../../../src/lib/wire/chat.ts';
import { nickSkeleton, textProblem } from '../../../src/lib/wire/visible-text.ts';

const rejection = (raw: unknown): Rejection | null => {
  const r = parseClientMessage(typeof raw === 'string' ? raw : JSON.stringify(raw));
  return r.ok ? null : r.error;
};

describe('chat envelope (client frames)', () => {
  it.each([
    [{ type: 'hello', nick: 'Ann' }],
    [{ type: 'hello', nick: '小明', session: 'abc-123' }],
    [{ type: 'hello', nick: 'x'.repeat(24) }],
    [{ type: 'hello', nick: '🙂'.repeat(24) }],
    [{ type: 'join', room: 'lobby' }],
    [{ type: 'join', room: 'a-1', afterId: 0 }],
    [{ type: 'join', room: 'x'.repeat(32), afterId: 42 }],
    [{ type: 'leave', room: 'lobby' }],
    [{ type: 'chat', room: 'lobby', text: 'hi', clientMsgId: 'abc_1-2' }],
    [{ type: 'chat', room: 'lobby', text: '字'.repeat(2000), clientMsgId: 'a' }],
    [{ type: 'typing', room: 'lobby' }],
    [{ type: 'drop' }],
  ])('accepts %j', (frame) => {
    const r = parseClientMessage(JSON.stringify(frame));
    expect(r).toEqual({ ok: true, msg: frame });
  });

  it.each([
    ['{"type":', 'bad_json'],
    ['"hello"', 'invalid'],
    ['null', 'invalid'],
    [[{ type: 'hello' }], 'invalid'],
    [{ type: 'HELLO', nick: 'a' }, 'unknown_type'],
    [{ nick: 'a' }, 'unknown_type'],
    [{ type: 'hello' }, 'bad_nick'],
    [{ type: 'hello', nick: '' }, 'bad_nick'],
    [{ type: 'hello', nick: '   ' }, 'bad_nick'],
    [{ type: 'hello', nick: 'x'.repeat(25) }, 'bad_nick'],
    [{ type: 'hello', nick: 'line\nbreak' }, 'bad_nick'],
    [{ type: 'hello', nick: 'rtl\u202eoverride' }, 'bad_nick'],
    [{ type: 'hello', nick: 42 }, 'bad_nick'],
    // Invisible nicks: a Hangul filler, the blank Braille pattern, a lone combining mark, a
    // zero-width space between letters, and Latin mixed with a Cyrillic look-alike ("аdmin").
    [{ type: 'hello', nick: '\u3164' }, 'bad_nick'],
    [{ type: 'hello', nick: '\u2800\u2800' }, 'bad_nick'],
    [{ type: 'hello', nick: '\u0301' }, 'bad_nick'],
    [{ type: 'hello', nick: 'ad\u200bmin' }, 'bad_nick'],
    [{ type: 'hello', nick: '\u0430dmin' }, 'bad_nick'],
    [{ type: 'chat', room: 'ok', text: 'gnp.\u202eexe', clientMsgId: 'a' }, 'invalid'],
    [{ type: 'chat', room: 'ok', text: 'a\u0000b', clientMsgId: 'a' }, 'invalid'],
    [{ type: 'chat', room: 'ok', text: '\u200b\u200d\u2060', clientMsgId: 'a' }, 'invalid'],
    [{ type: 'chat', room: 'ok', text: '\u3164 \u3164', clientMsgId: 'a' }, 'invalid'],
    [{ type: 'join', room: 'Lobby' }, 'bad_room'],
    [{ type: 'join', room: '' }, 'bad_room'],
    [{ type: 'join', room: 'x'.repeat(33) }, 'bad_room'],
    [{ type: 'join', room: 'a b' }, 'bad_room'],
    [{ type: 'join', room: 'ok', afterId: -1 }, 'invalid'],
    [{ type: 'join', room: 'ok', afterId: 1.5 }, 'invalid'],
    [{ type: 'chat', room: 'ok', text: '', clientMsgId: 'a' }, 'invalid'],
    [{ type: 'chat', room: 'ok', text: 'x'.repeat(2001), clientMsgId: 'a' }, 'text_too_long'],
    [{ type: 'chat', room: 'ok', text: 'hi' }, 'invalid'],
    [{ type: 'chat', room: 'ok', text: 'hi', clientMsgId: 'has space' }, 'invalid'],
    [{ type: 'chat', room: 'ok', text: 'hi', clientMsgId: 'x'.repeat(65) }, 'invalid'],
  ])('rejects %j with %s', (frame, code) => {
    expect(rejection(frame)?.code).toBe(code);
  });

  it('names the refused chat by its clientMsgId, so the sender knows which one failed', () => {
    const e = rejection({ type: 'chat', room: 'ok', text: 'x'.repeat(2001), clientMsgId: 'm7' });
    expect(e).toMatchObject({ code: 'text_too_long', ref: 'm7' });
    expect(e?.message).toMatch(/2000/);
  });
});

describe('nicks and text people show each other', () => {
  it('folds width, case, accents and Cyrillic or Greek look-alikes into one key', () => {
    const key = nickSkeleton('admin');
    for (const n of ['Admin', 'ADMIN', '\uff41\uff44\uff4d\uff49\uff4e', 'adm1n', 'ádmin'])
      expect(nickSkeleton(n), n).toBe(key);
    // All-Cyrillic "сосо" passes the mixed-script rule, and still meets Latin "coco".
    expect(nickSkeleton('\u0441\u043e\u0441\u043e')).toBe(nickSkeleton('coco'));
    expect(nickSkeleton('ann')).not.toBe(nickSkeleton('anna'));
    expect(nickSkeleton('李雷')).not.toBe(nickSkeleton('韩梅梅'));
  });

  it('keeps ordinary names, emoji sequences and line breaks', () => {
    for (const n of ['Ann Lee', '李雷', 'Zoë', 'Ωμέγα', 'Дмитрий'])
      expect(isValidNick(n), n).toBe(true);
    for (const t of ['hi 👋', '👨\u200d👩\u200d👧', 'two\nlines', 'שלום world'])
      expect(textProblem(t), t).toBeNull();
  });

  it('stores a nick in NFKC, so a full-width nick is shown as plain letters', () => {
    const r = parseClientMessage(JSON.stringify({ type: 'hello', nick: '\uff21nn' }));
    expect(r).toMatchObject({ ok: true, msg: { nick: 'Ann' } });
  });
});

describe('chat envelope (server frames)', () => {
  it('accepts a chat and an error, and rejects frames that are not the protocol', () => {
    const chat = { type: 'chat', room: 'r', id: 1, nick: 'a', text: '<b>', ts: 1 };
    expect(parseServerMessage(JSON.stringify(chat))).toEqual(chat);
    const err = { type: 'error', code: 'rate_limited', message: 'slow down', ref: 'm1' };
    expect(parseServerMessage(JSON.stringify(err))).toEqual(err);
    expect(parseServerMessage('{"type":"error","code":"made_up","message":""}')).toBeNull();
    expect(parseServerMessage('{"type":"chat","room":"r"}')).toBeNull();
    expect(parseServerMessage('not json')).toBeNull();
  });
});

describe('chatUrl', () => {
  it('uses the page’s host, with wss on https pages', () => {
    expect(chatUrl('http://192.168.1.20:4321/en/websocket/')).toBe(
      'ws://192.168.1.20:4321/ws/chat',
    );
    expect(chatUrl('https://lab.example/websocket/')).toBe('wss://lab.example/ws/chat');
  });
});
