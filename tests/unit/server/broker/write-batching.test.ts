import { describe, expect, it } from 'vitest';
import { Duplex } from 'node:stream';
import { batchWrites } from '../../../../server/broker/write-batching.ts';

/** A stream that records each chunk it is handed, the way a socket would receive it. */
function recorder() {
  const writes: string[] = [];
  const stream = new Duplex({
    read() {},
    write(chunk, _enc, cb) {
      writes.push(String(chunk));
      cb();
    },
  });
  return { stream, writes };
}

const turn = () => new Promise((r) => setImmediate(r));

describe('batchWrites', () => {
  it('hands what is written in one turn of the event loop over as one chunk, in order', async () => {
    const { stream, writes } = recorder();
    const pending = batchWrites(stream);
    expect(stream.write('a')).toBe(true);
    stream.write(Buffer.from('b'));
    // mqtt-packet corks and uncorks around each packet; that changes nothing here.
    stream.cork();
    stream.write('c');
    process.nextTick(() => stream.uncork());
    await new Promise((r) => process.nextTick(r));
    expect(writes).toEqual([]);
    expect(pending()).toBe(3);
    await turn();
    expect(writes).toEqual(['abc']);
    expect(pending()).toBe(0);
  });

  it('starts a new chunk in the next turn, and writes nothing once the stream is destroyed', async () => {
    const { stream, writes } = recorder();
    batchWrites(stream);
    stream.write('1');
    await turn();
    stream.write('2');
    stream.write('3');
    await turn();
    expect(writes).toEqual(['1', '23']);
    stream.write('4');
    stream.destroy();
    await turn();
    expect(writes).toEqual(['1', '23']);
  });

  it('keeps the order when a write has a callback, and sends what it gathered before end()', async () => {
    const { stream, writes } = recorder();
    batchWrites(stream);
    stream.write('a');
    let called = false;
    stream.write('b', () => (called = true));
    stream.write('c');
    stream.end('d');
    await turn();
    expect(writes).toEqual(['a', 'b', 'c', 'd']);
    expect(called).toBe(true);
  });

  it('says "wait" only while the stream itself is full, so a promised drain always comes', async () => {
    const writes: string[] = [];
    let finish: (() => void) | undefined;
    const stream = new Duplex({
      read() {},
      highWaterMark: 4,
      write(chunk, _enc, cb) {
        writes.push(String(chunk));
        finish = cb;
      },
    });
    batchWrites(stream);
    expect(stream.write('12345678')).toBe(true);
    await turn();
    expect(stream.writableNeedDrain).toBe(true);
    expect(stream.write('9')).toBe(false);
    const drained = new Promise((r) => stream.once('drain', r));
    finish!();
    await turn();
    finish!();
    await drained;
    expect(writes).toEqual(['12345678', '9']);
  });
});
