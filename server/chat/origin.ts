import type { IncomingMessage } from 'node:http';

/**
 * Whether a WebSocket upgrade may proceed, judged by its Origin header (RFC 6455 §10.2:
 * servers that only serve their own pages should refuse other origins). Browsers always send
 * Origin on a WebSocket handshake (RFC 6455 §4.1, item 8), so a request without one comes from a
 * non-browser client, which Origin checks cannot restrict anyway.
 */
export function isAllowedOrigin(req: IncomingMessage, allowed: readonly string[]): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false; // includes the opaque "null" origin of sandboxed frames and file:// pages
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return false;
  // The site's own origin: the page was served by this server under the same host and port.
  const host = req.headers.host;
  if (host !== undefined && parsed.host.toLowerCase() === host.toLowerCase()) return true;
  return allowed.includes(parsed.origin);
}
