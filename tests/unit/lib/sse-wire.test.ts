import { describe, expect, it } from 'vitest';
import {
  SseFieldError,
  parseSeq,
  serializeSse,
  serializeSseComment,
  serializeTickerEvent,
  type TickerEvent,
} from '../../../src/lib/wire/http-demos.ts';

describe('serializeSse', () => {
  it('writes fields in order, one per line, and ends the event with a blank line', () => {
    expect(serializeSse({ event: 'reading', id: '42', retry: 2000, data: '{"a":1}' })).toBe(
      'event: reading\nid: 42\nretry: 2000\ndata: {"a":1}\n\n',
    );
  });

  it('splits multi-line data into several data lines (CRLF, CR and LF alike)', () => {
    expect(serializeSse({ data: 'one\ntwo\r\nthree\rfour' })).toBe(
      'data: one\ndata: two\ndata: three\ndata: four\n\n',
    );
    expect(serializeSse({ data: '' })).toBe('data: \n\n');
  });

  it('rejects an event name or id with a line break, and an id with NUL', () => {
    expect(() => serializeSse({ event: 'a\nb', data: 'x' })).toThrow(SseFieldError);
    expect(() => serializeSse({ event: 'a\rb', data: 'x' })).toThrow(SseFieldError);
    expect(() => serializeSse({ event: '', data: 'x' })).toThrow(SseFieldError);
    expect(() => serializeSse({ id: '1\n2', data: 'x' })).toThrow(SseFieldError);
    expect(() => serializeSse({ id: '1\0', data: 'x' })).toThrow(SseFieldError);
    expect(() => serializeSse({ retry: -1 })).toThrow(SseFieldError);
    expect(() => serializeSse({})).toThrow(SseFieldError);
  });

  it('writes a heartbeat as a comment line', () => {
    expect(serializeSseComment('hb')).toBe(': hb\n\n');
    expect(() => serializeSseComment('a\nb')).toThrow(SseFieldError);
  });

  it('writes a ticker event with its kind as the name and its seq as the id', () => {
    const ev: TickerEvent = {
      seq: 7,
      ts: 1000,
      kind: 'log',
      level: 'warn',
      source: 'ticker',
      text: 'disk\nfull',
    };
    expect(serializeTickerEvent(ev)).toBe(
      'event: log\nid: 7\ndata: {"seq":7,"ts":1000,"kind":"log","level":"warn","source":"ticker","text":"disk\\nfull"}\n\n',
    );
  });
});

describe('parseSeq', () => {
  it.each([
    ['0', 0],
    ['17', 17],
    ['000123', 123],
  ])('accepts %s', (raw, n) => expect(parseSeq(raw)).toBe(n));

  it.each(['', '-1', '1.5', '1e3', '0x10', ' 7', '7 ', 'abc', '9999999999999999'])(
    'rejects %j',
    (raw) => expect(parseSeq(raw)).toBeNull(),
  );

  it('rejects missing values', () => {
    expect(parseSeq(undefined)).toBeNull();
    expect(parseSeq(null)).toBeNull();
  });
});
