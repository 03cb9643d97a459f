// Wire formats of the HTTP demos (short polling, long polling, Server-Sent Events), shared by the
// companion server and the browser: the ticker's event shape, the JSON bodies, the SSE text format,
// the header names and the input rules. DOM-free and Node-free.
import type { ApiErrorCode } from './health.ts';

/** Severity of a ticker event; the SSE demo filters its log by it. */
export type EventLevel = 'info' | 'warn' | 'error';

/** What produced an event: the server's timer or a visitor's "send event now". */
export type EventOrigin = 'ticker' | 'manual';

/** One numbered event of the server's ticker; every transport delivers this same shape. */
export interface TickerEvent {
  /** 1, 2, 3, … with no gaps on the server; a gap on a client is a lost event. */
  seq: number;
  /** Server clock (ms since the epoch) when the event was created. */
  ts: number;
  kind: 'reading' | 'log';
  level: EventLevel;
  source: EventOrigin;
  /** A short human line, e.g. "sensor-2 temperature 21.4 °C". */
  text: string;
  /** The simulated reading, for `kind: 'reading'`. */
  value?: number;
}

/** The ticker's log lines: the English text the wire carries and the id pages translate it by. */
export const TICKER_LOG_LINES = [
  { id: 'jobFinished', level: 'info', text: 'job finished' },
  { id: 'cacheRefreshed', level: 'info', text: 'cache refreshed' },
  { id: 'queueFilling', level: 'warn', text: 'queue is filling up' },
  { id: 'userSignedIn', level: 'info', text: 'user signed in' },
  { id: 'upstreamTimeout', level: 'error', text: 'upstream timed out' },
  { id: 'backupWritten', level: 'info', text: 'backup written' },
  { id: 'diskFull', level: 'warn', text: 'disk 85 % full' },
] as const satisfies readonly { id: string; level: EventLevel; text: string }[];

/** The simulated sensors whose readings read `<sensor> <value> °C` on the wire. */
export const TICKER_SENSORS = ['boiler', 'hall', 'roof', 'lab'] as const;

/** The text of an event a visitor sent with `POST /api/ticker/emit`. */
export const TICKER_MANUAL_TEXT = 'sent by a visitor';

/** Body of `GET /api/poll` and of a `200` from `GET /api/long-poll`. */
export interface EventsResponse {
  /** Every event after the cursor still in the buffer, oldest first. */
  events: TickerEvent[];
  /** Highest seq the server has produced (0 before the first event). */
  latest: number;
  /** Events after the cursor that fell out of the ring buffer and can never be delivered. */
  gone: number;
  /** The cursor was ahead of the server (the server restarted): the client must rewind. */
  rewound: boolean;
}

/** Body of `GET /api/ticker` and of `POST /api/ticker`. */
export interface TickerInfo {
  /** Events per second produced by the timer. */
  rate: number;
  latest: number;
  /** Lowest seq still in the buffer (latest + 1 when empty). */
  oldest: number;
  capacity: number;
}

/** Body of `GET /api/time`: the server's clock when the request arrived and when it answered. */
export interface TimeResponse {
  /** ms since the epoch, with sub-millisecond fraction. */
  received: number;
  sent: number;
}

/** Exact bytes of one kind of request, as the server's sockets counted them. */
export interface ByteTotals {
  requests: number;
  /** Bytes of request line, headers and body the server read. */
  bytesIn: number;
  /** Bytes of status line, headers and body the server wrote (so far, for a live stream). */
  bytesOut: number;
}

/** Body of `GET /api/http-stats?clientId=`: one visitor's traffic per transport. */
export interface ClientStats {
  clientId: string;
  poll: ByteTotals;
  longPoll: ByteTotals;
  sse: ByteTotals;
}

/** Body of a `reset` SSE event: the stream cannot continue exactly where the client asked. */
export interface ResetNotice {
  /**
   * `expired`: the id is older than the buffer; `invalid`: the id was not a non-negative integer;
   * `ahead`: the id is newer than anything the server produced (it restarted).
   */
  reason: 'expired' | 'invalid' | 'ahead';
  /** Events that are gone for good (only for `expired`), else 0. */
  gone: number;
  /** The id the client asked to resume from, as sent. */
  requested: string;
  latest: number;
}

/** Body of the first SSE event of every stream. */
export interface HelloNotice {
  latest: number;
  rate: number;
  /** Events replayed from the buffer right after this one. */
  replayed: number;
}

/** Body of every 4xx/5xx of these endpoints. */
export interface DemoError {
  error: string;
  statusCode: number;
  /** The query or body parameter that was wrong, when one was. */
  field?: string;
  /** Why, for the page to say in its own words (the shared store is away). */
  code?: ApiErrorCode;
}

/** Response header: exact bytes the server read for this request (request line + headers). */
export const HEADER_BYTES_IN = 'X-Lab-Request-Bytes';
/** Response header: the visitor's id as the server understood it. */
export const HEADER_CLIENT_ID = 'X-Lab-Client-Id';

/** Ticker rate bounds, events per second. */
export const RATE_MIN = 0.2;
export const RATE_MAX = 20;
export const RATE_DEFAULT = 1;

/** SSE event names used by the lab. */
export const SSE_EVENTS = ['reading', 'log', 'hello', 'reset'] as const;

/** Long-poll hold time bounds in seconds (the `timeout` query parameter). */
export const LONG_POLL_TIMEOUT_MIN_S = 1;
export const LONG_POLL_TIMEOUT_MAX_S = 60;
export const LONG_POLL_TIMEOUT_DEFAULT_S = 25;

/** SSE `retry` bounds in ms (the `retry` query parameter). */
export const SSE_RETRY_MIN_MS = 10;
export const SSE_RETRY_MAX_MS = 60_000;
export const SSE_RETRY_DEFAULT_MS = 2000;

/**
 * Parses a cursor (`after`, `Last-Event-ID`): a non-negative integer in plain decimal digits.
 * Returns null for anything else ("", "-1", "1.5", "1e3", "0x10", " 7").
 */
export function parseSeq(raw: string | undefined | null): number | null {
  if (raw === undefined || raw === null || !/^\d{1,15}$/.test(raw)) return null;
  return Number(raw);
}

/** A client id: 1-64 characters of letters, digits, `-` and `_`. */
export function isClientId(raw: unknown): raw is string {
  return typeof raw === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(raw);
}

/** One event of a `text/event-stream` as the lab writes it. */
export interface SseMessage {
  /** `event:` field; omitted means the default `message`. */
  event?: string;
  /** `id:` field. */
  id?: string;
  /** `retry:` field in ms. */
  retry?: number;
  /** `data:` payload; each line becomes its own `data:` line. */
  data?: string;
}

/** Thrown when an SSE field would break the stream's framing. */
export class SseFieldError extends Error {
  override name = 'SseFieldError';
}

const LINE_BREAK = /[\r\n]/;

/**
 * Serializes one event to `text/event-stream` text.
 * HTML: event stream "interpreting an event stream" — lines end in LF, fields are `name: value`,
 * a blank line dispatches the event; a data value with line breaks becomes several `data:` lines.
 * `event` and `id` are single-line fields, so a CR or LF in them is rejected; an `id` with NUL is
 * ignored by browsers (HTML: "If the field value does not contain U+0000 NULL"), so it is rejected too.
 */
export function serializeSse(msg: SseMessage): string {
  let out = '';
  if (msg.event !== undefined) {
    if (msg.event === '' || LINE_BREAK.test(msg.event)) {
      throw new SseFieldError('SSE event name must be one non-empty line');
    }
    out += `event: ${msg.event}\n`;
  }
  if (msg.id !== undefined) {
    if (LINE_BREAK.test(msg.id) || msg.id.includes('\0')) {
      throw new SseFieldError('SSE id must be one line without NUL');
    }
    out += `id: ${msg.id}\n`;
  }
  if (msg.retry !== undefined) {
    if (!Number.isSafeInteger(msg.retry) || msg.retry < 0) {
      throw new SseFieldError('SSE retry must be a non-negative integer');
    }
    out += `retry: ${msg.retry}\n`;
  }
  if (msg.data !== undefined) {
    for (const line of msg.data.split(/\r\n|\r|\n/)) out += `data: ${line}\n`;
  }
  if (out === '') throw new SseFieldError('an SSE event needs at least one field');
  return `${out}\n`;
}

/** A comment line (ignored by EventSource), used as a heartbeat so proxies keep the stream open. */
export function serializeSseComment(text: string): string {
  if (LINE_BREAK.test(text)) throw new SseFieldError('SSE comment must be one line');
  return `: ${text}\n\n`;
}

/** The SSE text the server writes for a ticker event: the event name is its kind, the id its seq. */
export function serializeTickerEvent(ev: TickerEvent): string {
  return serializeSse({ event: ev.kind, id: String(ev.seq), data: JSON.stringify(ev) });
}

/** Checks that a parsed JSON value has the shape of a ticker event. */
export function isTickerEvent(v: unknown): v is TickerEvent {
  if (typeof v !== 'object' || v === null) return false;
  const e = v as Record<string, unknown>;
  return (
    typeof e['seq'] === 'number' &&
    typeof e['ts'] === 'number' &&
    (e['kind'] === 'reading' || e['kind'] === 'log') &&
    (e['level'] === 'info' || e['level'] === 'warn' || e['level'] === 'error') &&
    typeof e['text'] === 'string'
  );
}
