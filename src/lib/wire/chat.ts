// The chat's JSON envelope on /ws/chat, shared by the browser client and the server.
// WebSocket has no topics (RFC 6455 only frames bytes), so every message names its own room:
// the application routes on `{type, room, …}` itself.
import * as v from 'valibot';
import { nickProblem, textProblem } from './visible-text.ts';
import { CHAT_LIMITS, ROOM_PATTERN, codePoints, nickFits, nickPrintable } from './chat-limits.ts';

// The path, limits and nick rule live in chat-limits.ts (no valibot there), so that a page's chat
// can check a nick before it loads the schemas below, on its first connect.
export { CHAT_WS_PATH, CHAT_LIMITS, ROOM_PATTERN, chatUrl, isValidNick } from './chat-limits.ts';

const room = v.pipe(v.string(), v.regex(ROOM_PATTERN, 'room must match ^[a-z0-9-]{1,32}$'));
// NFKC first, so that full-width and styled letters and odd spaces are stored as their plain
// forms; then the rules of visible-text.ts (no invisible nicks, no Latin mixed with Cyrillic).
const nick = v.pipe(
  v.string(),
  v.transform((s) => s.normalize('NFKC')),
  v.check(nickFits, 'nick must be 1-24 characters'),
  v.check(
    nickPrintable,
    (issue) => nickProblem(String(issue.input)) ?? 'nick must be printable characters',
  ),
);
const text = v.pipe(
  v.string(),
  v.check((s) => s.trim().length > 0, 'text must not be empty'),
  v.check(
    (s) => codePoints(s) <= CHAT_LIMITS.maxTextChars,
    `text must be at most ${CHAT_LIMITS.maxTextChars} characters`,
  ),
  v.check(
    (s) => textProblem(s) === null,
    (issue) => textProblem(String(issue.input)) ?? 'text is not allowed',
  ),
);
const clientMsgId = v.pipe(
  v.string(),
  v.regex(/^[A-Za-z0-9_-]{1,64}$/, 'clientMsgId must be 1-64 of A-Z a-z 0-9 _ -'),
);
const messageId = v.pipe(v.number(), v.integer(), v.minValue(0));

/** Frames a client may send. */
export const ClientMessage = v.variant('type', [
  v.object({
    type: v.literal('hello'),
    nick,
    /** Random id kept across reconnects, so a new connection can replace a stale one. */
    session: v.optional(clientMsgId),
  }),
  v.object({ type: v.literal('join'), room, afterId: v.optional(messageId) }),
  v.object({ type: v.literal('leave'), room }),
  v.object({ type: v.literal('chat'), room, text, clientMsgId }),
  v.object({ type: v.literal('typing'), room }),
  // A teaching aid: the server destroys this TCP connection without a closing handshake,
  // as a network cut would, so the page can watch its own reconnect and resume.
  v.object({ type: v.literal('drop') }),
]);
/** A frame a client may send. */
export type ClientMessage = v.InferOutput<typeof ClientMessage>;
/** The `type` values of client frames. */
export const CLIENT_TYPES = ['hello', 'join', 'leave', 'chat', 'typing', 'drop'] as const;

const chatMessage = v.object({
  type: v.literal('chat'),
  room,
  id: messageId,
  nick: v.string(),
  text: v.string(),
  ts: v.number(),
  clientMsgId: v.optional(v.string()),
});
/** A chat message as the server stores and broadcasts it. */
export type ChatMessage = v.InferOutput<typeof chatMessage>;

const headerLines = v.array(v.tuple([v.string(), v.string()]));

/** Error codes the server answers with. */
export const ERROR_CODES = [
  'bad_json',
  'unknown_type',
  'invalid',
  'bad_room',
  'bad_nick',
  'text_too_long',
  'rate_limited',
  'nick_taken',
  'no_nick',
  'not_joined',
  'too_many_rooms',
  /** Several lab instances share the chat through Redis, and it is not answering. */
  'unavailable',
] as const;
/** An error code the server answers with. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Frames the server sends. */
export const ServerMessage = v.variant('type', [
  v.object({
    type: v.literal('welcome'),
    connId: v.string(),
    /** Changes when the server restarts: message ids start over, so `afterId` must too. */
    bootId: v.string(),
    heartbeatMs: v.number(),
    /** The upgrade request as the server received it (a page cannot read its own). */
    request: v.object({ method: v.string(), url: v.string(), headers: headerLines }),
    /** The 101 response the server wrote. */
    response: v.object({ status: v.string(), headers: headerLines }),
  }),
  v.object({ type: v.literal('hello'), nick: v.string() }),
  v.object({
    type: v.literal('joined'),
    room,
    members: v.array(v.string()),
    history: v.array(chatMessage),
    /** True when `afterId` was older than the kept history, so some messages are gone. */
    truncated: v.boolean(),
  }),
  v.object({ type: v.literal('left'), room }),
  chatMessage,
  v.object({
    type: v.literal('presence'),
    room,
    nick: v.string(),
    event: v.picklist(['join', 'leave']),
    members: v.array(v.string()),
  }),
  v.object({ type: v.literal('typing'), room, nick: v.string() }),
  v.object({
    type: v.literal('error'),
    code: v.picklist(ERROR_CODES),
    message: v.string(),
    /** What the error is about: the `clientMsgId` of a chat, the room of a join, or the type. */
    ref: v.optional(v.string()),
  }),
]);
/** A frame the server sends. */
export type ServerMessage = v.InferOutput<typeof ServerMessage>;

/** A frame that failed validation, with the error the server answers. */
export interface Rejection {
  code: ErrorCode;
  message: string;
  ref?: string;
}

/** Parses and validates one client frame; never throws. */
export function parseClientMessage(
  raw: string,
): { ok: true; msg: ClientMessage } | { ok: false; error: Rejection } {
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch {
    return { ok: false, error: { code: 'bad_json', message: 'frame is not valid JSON' } };
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return { ok: false, error: { code: 'invalid', message: 'frame must be a JSON object' } };
  }
  const type = (data as { type?: unknown }).type;
  if (typeof type !== 'string' || !(CLIENT_TYPES as readonly string[]).includes(type)) {
    return {
      ok: false,
      error: {
        code: 'unknown_type',
        message: `unknown type ${JSON.stringify(type ?? null)}; expected one of ${CLIENT_TYPES.join(', ')}`,
      },
    };
  }
  const result = v.safeParse(ClientMessage, data);
  if (result.success) return { ok: true, msg: result.output };
  const issue = result.issues[0];
  const field = issue.path?.[0]?.key;
  const code: ErrorCode =
    field === 'room'
      ? 'bad_room'
      : field === 'nick'
        ? 'bad_nick'
        : field === 'text' && issue.message.includes('at most')
          ? 'text_too_long'
          : 'invalid';
  const where = typeof field === 'string' ? `${field}: ` : '';
  const ref = refOf(data);
  return {
    ok: false,
    error: { code, message: `${type}: ${where}${issue.message}`, ...(ref ? { ref } : {}) },
  };
}

/** Parses and validates one server frame; returns null when it is not one. */
export function parseServerMessage(raw: string): ServerMessage | null {
  try {
    const result = v.safeParse(ServerMessage, JSON.parse(raw));
    return result.success ? result.output : null;
  } catch {
    return null;
  }
}

/** The `ref` an error about this frame carries: its clientMsgId, else its room, else its type. */
export function refOf(data: unknown): string | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const d = data as Record<string, unknown>;
  for (const key of ['clientMsgId', 'room', 'type']) {
    const value = d[key];
    if (typeof value === 'string' && value.length <= 64) return value;
  }
  return undefined;
}
