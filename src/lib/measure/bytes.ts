/** Bytes both ways, as exact counts from the server or estimates from the client. */
export interface ByteCount {
  bytesIn: number;
  bytesOut: number;
}

/** Sums byte counts of several sources (e.g. requests and responses, or several transports). */
export function addBytes(...parts: readonly ByteCount[]): ByteCount {
  return parts.reduce(
    (a, b) => ({ bytesIn: a.bytesIn + b.bytesIn, bytesOut: a.bytesOut + b.bytesOut }),
    { bytesIn: 0, bytesOut: 0 },
  );
}

/** UTF-8 length of a string (what a text frame or body costs on the wire). */
export function utf8Length(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** Formats a byte count with binary units: 512 B, 1.5 KiB, 2.0 MiB. */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return '–';
  if (n < 1024) return `${Math.round(n)} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
}

/** A rate over a sliding window: call `add` as bytes or events come, read `perSecond(now)`. */
export class RateMeter {
  readonly #windowMs: number;
  #samples: { at: number; n: number }[] = [];

  constructor(windowMs = 10_000) {
    this.#windowMs = windowMs;
  }

  /** Adds `n` units seen at time `at` (ms). */
  add(n: number, at: number): void {
    this.#samples.push({ at, n });
    this.#trim(at);
  }

  /** Units per second over the window ending at `now`. */
  perSecond(now: number): number {
    this.#trim(now);
    const total = this.#samples.reduce((a, s) => a + s.n, 0);
    return (total * 1000) / this.#windowMs;
  }

  #trim(now: number): void {
    const from = now - this.#windowMs;
    while (this.#samples.length && (this.#samples[0]?.at ?? 0) < from) this.#samples.shift();
  }
}
