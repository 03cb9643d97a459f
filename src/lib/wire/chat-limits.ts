// The chat's endpoint, the limits its server enforces and the nick rule: the parts of
// wire/chat.ts a page needs before its first connect, without valibot (chat.ts builds its
// schemas on these same rules and re-exports them, so the server imports from chat.ts only).
import { nickProblem } from './visible-text.ts';

/** Path of the chat endpoint on the companion server. */
export const CHAT_WS_PATH = '/ws/chat';

/** The chat's URL on the server that served `pageUrl` (wss on https pages: no mixed content). */
export function chatUrl(pageUrl: string): string {
  const page = new URL(pageUrl);
  return `${page.protocol === 'https:' ? 'wss:' : 'ws:'}//${page.host}${CHAT_WS_PATH}`;
}

/** Limits the server enforces; the client reads them to pace itself and to warn early. */
export const CHAT_LIMITS = {
  /** Largest WebSocket message the server accepts; a bigger one closes with 1009 (RFC 6455 §7.4.1). */
  maxPayloadBytes: 16 * 1024,
  /** Longest chat text, in Unicode code points. */
  maxTextChars: 2000,
  /** Longest nick, in Unicode code points. */
  maxNickChars: 24,
  /** Messages kept per room for late joiners and resuming clients. */
  historySize: 200,
  /** Frames a connection may send per second (a burst of this many is allowed). */
  messagesPerSecond: 10,
  /** Rooms one connection may be in at once. */
  roomsPerConnection: 20,
} as const;

/** Room names: lower-case letters, digits and dashes, 1-32 of them. */
export const ROOM_PATTERN = /^[a-z0-9-]{1,32}$/;

/** Length in Unicode code points, as the server counts text. */
export const codePoints = (s: string): number => [...s].length;

/** Whether a (NFKC-normalized) nick has 1-24 code points. */
export function nickFits(s: string): boolean {
  return codePoints(s) >= 1 && codePoints(s) <= CHAT_LIMITS.maxNickChars;
}

/** Whether a (NFKC-normalized) nick is printable: visible-text.ts finds no problem, not blank. */
export function nickPrintable(s: string): boolean {
  return nickProblem(s) === null && s.trim().length > 0;
}

/** Whether the server will accept `name` as a nick (1-24 printable characters). */
export function isValidNick(name: string): boolean {
  // As the schema in chat.ts: NFKC first, then the two checks.
  const s = name.normalize('NFKC');
  return nickFits(s) && nickPrintable(s);
}
