import { createWebSocketStream, type WebSocket } from 'ws';
import type { Duplex } from 'node:stream';

type Callback = (err?: Error | null) => void;

/**
 * Wraps a WebSocket as a byte stream for the broker, sending each MQTT packet as one frame.
 * mqtt-packet writes a packet as several small buffers inside one cork/uncork; without a
 * `_writev` each buffer would become its own WebSocket frame. MQTT 3.1.1 §6 lets a frame
 * carry any part of the byte stream, so joining them is allowed and saves frames and CPU.
 */
export function mqttWebSocketStream(socket: WebSocket): Duplex {
  const stream = createWebSocketStream(socket);
  const write = (stream as unknown as { _write: (c: Buffer, e: string, cb: Callback) => void })
    ._write;
  const writev = (chunks: { chunk: Buffer }[], cb: Callback): void => {
    const first = chunks[0];
    const buf =
      chunks.length === 1 && first ? first.chunk : Buffer.concat(chunks.map((c) => c.chunk));
    write.call(stream, buf, 'buffer', cb);
  };
  (stream as unknown as { _writev: typeof writev })._writev = writev;
  return stream;
}
