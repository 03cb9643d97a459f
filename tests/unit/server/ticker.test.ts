import { afterEach, describe, expect, it, vi } from 'vitest';
import { RingBuffer, Ticker } from '../../../server/http-demos/ticker.ts';

const item = (seq: number) => ({ seq });

describe('RingBuffer', () => {
  it('returns what came after the cursor, oldest first', () => {
    const rb = new RingBuffer<{ seq: number }>(5);
    for (let s = 1; s <= 3; s++) rb.push(item(s));
    expect(rb.after(0)).toEqual({ items: [item(1), item(2), item(3)], gone: 0, ahead: false });
    expect(rb.after(2).items).toEqual([item(3)]);
    expect(rb.after(3)).toEqual({ items: [], gone: 0, ahead: false });
  });

  it('counts the events a slow cursor lost once they were overwritten', () => {
    const rb = new RingBuffer<{ seq: number }>(5);
    for (let s = 1; s <= 12; s++) rb.push(item(s));
    expect(rb.oldest).toBe(8);
    expect(rb.latest).toBe(12);
    expect(rb.size).toBe(5);
    const r = rb.after(3);
    expect(r.gone).toBe(4); // 4, 5, 6, 7 are gone
    expect(r.items.map((i) => i.seq)).toEqual([8, 9, 10, 11, 12]);
    expect(rb.after(7)).toEqual({ items: [8, 9, 10, 11, 12].map(item), gone: 0, ahead: false });
  });

  it('flags a cursor ahead of the newest event (a previous server run)', () => {
    const rb = new RingBuffer<{ seq: number }>(3);
    rb.push(item(1));
    expect(rb.after(5)).toEqual({ items: [], gone: 0, ahead: true });
  });

  it('accepts a copy of a shared stream that skips ahead: repeats ignored, the gap counted gone', () => {
    const rb = new RingBuffer<{ seq: number }>(5);
    rb.accept(item(7)); // joined a stream that was already at 7
    rb.accept(item(7));
    rb.accept(item(8));
    expect(rb.oldest).toBe(7);
    expect(rb.size).toBe(2);
    expect(rb.after(0)).toEqual({ items: [item(7), item(8)], gone: 6, ahead: false });
    rb.accept(item(12)); // missed 9-11 while Redis was away
    expect(rb.after(8)).toEqual({ items: [item(12)], gone: 3, ahead: false });
    expect(rb.after(12)).toEqual({ items: [], gone: 0, ahead: false });
  });

  it('refuses a seq out of order', () => {
    const rb = new RingBuffer<{ seq: number }>(3);
    rb.push(item(1));
    expect(() => rb.push(item(3))).toThrow(RangeError);
  });
});

describe('Ticker', () => {
  afterEach(() => vi.useRealTimers());

  it('emits at the configured rate and follows a rate change', () => {
    vi.useFakeTimers();
    const t = new Ticker({ rate: 2 });
    const seen: number[] = [];
    const off = t.subscribe((e) => seen.push(e.seq));
    vi.advanceTimersByTime(2000);
    expect(seen).toEqual([1, 2, 3, 4]);
    t.setRate(10);
    vi.advanceTimersByTime(1000);
    expect(seen).toHaveLength(14);
    off();
    expect(t.listenerCount).toBe(0);
    t.stop();
    expect(t.timerArmed).toBe(false);
  });

  it('clamps the rate to 0.2-20 events per second', () => {
    const t = new Ticker({ autostart: false, rate: 100 });
    expect(t.rate).toBe(20);
    t.setRate(0.01);
    expect(t.rate).toBe(0.2);
  });

  it('numbers manual and timed events in one sequence and stores them', () => {
    const t = new Ticker({ autostart: false, capacity: 3 });
    t.emit();
    const manual = t.emit('manual');
    expect(manual).toMatchObject({ seq: 2, source: 'manual', kind: 'log' });
    t.emit();
    t.emit();
    expect(t.buffer.after(0)).toMatchObject({ gone: 1 });
  });
});
