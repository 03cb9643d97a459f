import type { Duplex } from 'node:stream';

/** Broker limits; every value is a ceiling that protects the server, not a tuning knob. */
export interface BrokerLimits {
  /** Largest MQTT packet accepted, header included (bytes). */
  maxPacketBytes: number;
  /** Bytes queued towards one client before it is disconnected as too slow. */
  maxOutgoingBytes: number;
  /** Most levels in a topic name or filter. */
  maxTopicLevels: number;
  /** A socket that sends no CONNECT within this time is closed [MQTT-3.1.0-1]. */
  connectTimeoutMs: number;
}

/** The defaults: a workshop laptop with a few hundred browsers and a fleet simulator. */
export const DEFAULT_LIMITS: BrokerLimits = {
  maxPacketBytes: 256 * 1024,
  maxOutgoingBytes: 1024 * 1024,
  maxTopicLevels: 32,
  connectTimeoutMs: 10_000,
};

/** What the packet scanner found: all well so far, a packet over the limit, or garbage. */
export type ScanResult = 'ok' | 'too-large' | 'malformed';

/**
 * Follows MQTT packet boundaries in an incoming byte stream by reading only each fixed header
 * (§2.2: one type byte, then the Remaining Length in 1-4 bytes of 7 bits each). It sees a
 * packet's declared size before its body arrives, so an oversized packet is refused without
 * being buffered, however many reads or WebSocket frames it spans.
 */
export class PacketScanner {
  readonly #max: number;
  // Bytes of the current packet's body still to skip; -1 while reading a fixed header.
  #skip = 0;
  #lenBytes = 0;
  #length = 0;
  #multiplier = 1;

  constructor(maxPacketBytes: number) {
    this.#max = maxPacketBytes;
  }

  /** Feeds the next chunk; after a non-'ok' answer the connection must be closed. */
  feed(buf: Uint8Array): ScanResult {
    let i = 0;
    while (i < buf.length) {
      if (this.#skip > 0) {
        const n = Math.min(this.#skip, buf.length - i);
        this.#skip -= n;
        i += n;
        continue;
      }
      if (this.#skip === 0) {
        // Start of a new packet: the type byte; a packet type of 0 is reserved (§2.2.1).
        if (buf[i]! >> 4 === 0) return 'malformed';
        this.#skip = -1;
        this.#lenBytes = 0;
        this.#length = 0;
        this.#multiplier = 1;
        i++;
        continue;
      }
      const byte = buf[i++]!;
      this.#length += (byte & 0x7f) * this.#multiplier;
      this.#multiplier *= 128;
      this.#lenBytes++;
      if (byte & 0x80) {
        // §2.2.3: at most four bytes of Remaining Length.
        if (this.#lenBytes >= 4) return 'malformed';
        continue;
      }
      if (1 + this.#lenBytes + this.#length > this.#max) return 'too-large';
      this.#skip = this.#length;
    }
    return 'ok';
  }
}

/**
 * Makes `stream` accept up to `maxBytes` of queued output before it is destroyed as too slow.
 *
 * Aedes waits for 'drain' whenever a write returns false (above the 16 KiB high-water mark),
 * and that wait holds one of the broker's shared delivery slots: a few slow browsers can then
 * stall delivery for everyone while publishes pile up unbounded in the broker's queue. Here a
 * write reports "keep going" while the client's queue is under the cap, and past the cap the
 * client is disconnected, so each client costs at most `maxBytes` and nobody waits on it.
 */
export function capOutgoing(
  stream: Duplex,
  maxBytes: number,
  queued: () => number,
  onOverflow: () => void,
): void {
  const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  let tripped = false;
  (stream as unknown as { write: (...args: unknown[]) => boolean }).write = (...args) => {
    const ok = write(...args);
    if (tripped || stream.destroyed) return ok;
    if (queued() > maxBytes) {
      tripped = true;
      onOverflow();
      return false;
    }
    return true;
  };
}
