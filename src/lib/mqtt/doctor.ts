// The connection doctor: turns a failed connection into a plain explanation.

/** What the doctor concluded; each maps to a sentence in the dictionary. */
export type Diagnosis =
  | 'mixed-content'
  | 'bad-url'
  | 'refused'
  | 'tls'
  | 'timeout'
  | 'v5-unsupported'
  | 'connack-1'
  | 'connack-2'
  | 'connack-3'
  | 'connack-4'
  | 'connack-5'
  | 'closed'
  | 'unknown';

/** Facts the doctor looks at. */
export interface Symptoms {
  url: string;
  pageProtocol: string;
  protocolVersion: 4 | 5;
  /** CONNACK return code (3.1.1) or reason code (5.0), when one arrived. */
  code?: number | undefined;
  /** The error message, if any. */
  message?: string | undefined;
  /** Did the transport open before it failed? */
  opened: boolean;
}

/** Explains why a connection failed. */
export function diagnose(s: Symptoms): Diagnosis {
  let url: URL;
  try {
    url = new URL(s.url);
  } catch {
    return 'bad-url';
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') return 'bad-url';
  // Browsers refuse ws:// from an https:// page before anything goes on the wire.
  if (s.pageProtocol === 'https:' && url.protocol === 'ws:') return 'mixed-content';
  if (s.code !== undefined) {
    // A 3.1.1-only broker answers a 5.0 CONNECT with 0x01 "unacceptable protocol version".
    if (s.protocolVersion === 5 && (s.code === 1 || s.code === 132)) return 'v5-unsupported';
    if (s.code === 135) return 'connack-5';
    if (s.code === 134) return 'connack-4';
    if (s.code >= 1 && s.code <= 5) return `connack-${s.code}` as Diagnosis;
  }
  const m = (s.message ?? '').toLowerCase();
  if (/cert|tls|ssl/.test(m)) return 'tls';
  if (/timeout|timed out/.test(m)) return 'timeout';
  if (s.opened) return 'closed';
  if (url.protocol === 'wss:' && !s.opened) return 'refused';
  return s.opened ? 'closed' : 'refused';
}
