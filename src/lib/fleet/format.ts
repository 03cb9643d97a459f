/** Bytes per second, compactly: 950 B/s, 12.3 KB/s, 1.4 MB/s (1 KB = 1,000 B). */
export function formatBytesPerS(bps: number): string {
  if (bps < 1000) return `${Math.round(bps)} B/s`;
  if (bps < 1_000_000) return `${(bps / 1000).toFixed(bps < 10_000 ? 2 : 1)} kB/s`;
  return `${(bps / 1_000_000).toFixed(2)} MB/s`;
}

/** Messages per second with one decimal below 10. */
export function formatPerS(n: number): string {
  return n < 10 ? n.toFixed(1) : String(Math.round(n));
}
