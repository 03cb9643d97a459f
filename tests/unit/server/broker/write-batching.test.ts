import { describe, expect, it } from 'vitest';
import { Duplex } from 'node:stream';
import { batchWrites } from '../../../../server/broker/write-batching.ts';

/** A stream that records each batch the way a socket's `writev` would receive it. */
function recorder() {
  const batches: string[][] = [];
  const stream = new Duplex({
    read() {},
    writev(chunks, cb) {
      batches.push(chunks.map((c) => String(c.chunk)));
      cb();
    },
    write(chunk, _enc, cb) {
      batches.push([String(chunk)]);
      cb();
    },
  });
  return { stream, batches };
}

const turn = () => new Promise((r) => setImmediate(r));

describe('batchWrites', () => {
  it('sends what is written in one turn of the event loop as one batch, in order', async () => {
    const { stream, batches } = recorder();
    batchWrites(stream);
    stream.write('a');
    stream.write('b');
    // mqtt-packet corks and uncorks around each packet; the outer cork still holds them.
    stream.cork();
    stream.write('c');
    process.nextTick(() => stream.uncork());
    await new Promise((r) => process.nextTick(r));
    expect(batches).toEqual([]);
    await turn();
    expect(batches).toEqual([['a', 'b', 'c']]);
  });

  it('starts a new batch in the next turn, and writes nothing once the stream is destroyed', async () => {
    const { stream, batches } = recorder();
    batchWrites(stream);
    stream.write('1');
    await turn();
    stream.write('2');
    stream.write('3');
    await turn();
    expect(batches).toEqual([['1'], ['2', '3']]);
    stream.write('4');
    stream.destroy();
    await turn();
    expect(batches).toEqual([['1'], ['2', '3']]);
  });
});
