// What a WebSocket close code means and who may send it: RFC 6455 §7.4 for the wire, the WHATWG
// WebSockets standard for what a page's script may pass to close(). DOM-free.

/** Who may put a code into a close frame. */
export type CloseCodeSender =
  /** Page scripts and everyone else: 1000, and 3000-4999 (WHATWG `close()`). */
  | 'script'
  /** An endpoint itself (browser or server), never a page's script: the rest of 1000-2999. */
  | 'endpoint'
  /** Nobody: reserved to report what happened (RFC 6455 §7.4.1: 1005, 1006, 1015). */
  | 'never'
  /** Outside every range a close frame may use (RFC 6455 §7.4.2: 0-999, 5000 and up). */
  | 'invalid';

/** The registered codes the lab explains by name (RFC 6455 §7.4.1, IANA for 1012). */
export const NAMED_CLOSE_CODES = [1000, 1001, 1005, 1006, 1009, 1011, 1012] as const;

/** One of the codes with a name of its own. */
export type NamedCloseCode = (typeof NAMED_CLOSE_CODES)[number];

/** Codes that are never sent in a close frame, only reported by an API (RFC 6455 §7.4.1). */
const REPORT_ONLY = new Set([1005, 1006, 1015]);

/** Whether a page's script may pass `code` to `WebSocket.close()` (WHATWG: 1000 or 3000-4999). */
export function scriptMayClose(code: number): boolean {
  return Number.isInteger(code) && (code === 1000 || (code >= 3000 && code <= 4999));
}

/** Who may send `code` in a close frame. */
export function closeCodeSender(code: number): CloseCodeSender {
  if (!Number.isInteger(code) || code < 1000 || code > 4999) return 'invalid';
  if (REPORT_ONLY.has(code)) return 'never';
  return scriptMayClose(code) ? 'script' : 'endpoint';
}

/** The range a code belongs to (RFC 6455 §7.4.2), for codes without a name. */
export function closeCodeRange(code: number): 'protocol' | 'registered' | 'private' | 'invalid' {
  if (!Number.isInteger(code) || code < 1000 || code > 4999) return 'invalid';
  if (code < 3000) return 'protocol';
  return code < 4000 ? 'registered' : 'private';
}

/** The code's own name if the lab explains it, else null. */
export function namedCloseCode(code: number): NamedCloseCode | null {
  return (NAMED_CLOSE_CODES as readonly number[]).includes(code) ? (code as NamedCloseCode) : null;
}

/** Byte length of a close reason as UTF-8: at most 123 from script (WHATWG `close()`). */
export function reasonFits(reason: string): boolean {
  return new TextEncoder().encode(reason).byteLength <= 123;
}
