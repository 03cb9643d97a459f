import { createWebSocketStream, type WebSocket } from 'ws';
import type { Duplex } from 'node:stream';

/**
 * Wraps a WebSocket as a byte stream for the broker, sending each MQTT packet as one frame.
 * mqtt-packet writes a packet as several small buffers inside one cork/uncork; without a
 * `_writev` each buffer would become its own WebSocket frame. MQTT 3.1.1 §6 lets a frame
 * carry any part of the byte stream, so joining them is allowed and saves frames and CPU.
 */
export function mqttWebSocketStream(socket: WebSocket): Duplex {
  const stream = createWebSocketStream(socket);
  type Chunk = { chunk: Buffer };
  const writable = stream as Duplex & {
    _write(chunk: Buffer, encoding: BufferEncoding, cb: (err?: Error | null) => void): void;
    _writev?: (chunks: Chunk[], cb: (err?: Error | null) => void) => void;
  };
  writable._writev = function (chunks, cb) {
    const first = chunks[0];
    const buf = chunks.length === 1 && first ? first.chunk : Buffer.concat(chunks.map((c) => c.chunk));
    writable._write(buf, 'buffer' as BufferEncoding, cb);
  };
  return stream;
}
