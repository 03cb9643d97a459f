// The protocol race: one stream published once to every transport at the same instant. Scenario
// limits, the message payload, the routes and the JSON bodies shared by browser, server and CLI.
import type { ApiErrorCode } from './health.ts';

/** The race's lanes, in display order. `mqttTcp` only runs from `npm run race` (browsers cannot). */
export const LANES = [
  'shortPoll',
  'longPoll',
  'sse',
  'ws',
  'mqttWs0',
  'mqttWs1',
  'mqttTcp',
] as const;

/** One lane of the race. */
export type LaneId = (typeof LANES)[number];

/** The lanes a browser runs. */
export const BROWSER_LANES: readonly LaneId[] = [
  'shortPoll',
  'longPoll',
  'sse',
  'ws',
  'mqttWs0',
  'mqttWs1',
];

/** Lanes the server pushes to (everything but short polling). */
export const PUSH_LANES: readonly LaneId[] = LANES.filter((l) => l !== 'shortPoll');

/** What the learner chooses. */
export interface Scenario {
  /** Messages per second. */
  rate: number;
  /** Payload bytes per message. */
  size: number;
  /** Seconds of publishing. */
  durationS: number;
  /** Short polling's interval in seconds. */
  pollIntervalS: number;
}

/** Bounds of each scenario field (inclusive). */
export const SCENARIO_BOUNDS = {
  // The sensor preset sends once every 30 s, so the floor is one message per 30 s.
  rate: { min: 1 / 30, max: 500 },
  size: { min: 16, max: 65_536 },
  durationS: { min: 5, max: 120 },
  pollIntervalS: { min: 0.25, max: 10 },
} as const satisfies Record<keyof Scenario, { min: number; max: number }>;

/**
 * Rate × size ceiling per race (bytes per second of payload). Six lanes carry each byte, and a
 * cut QoS 1 session queues it in the broker, so this bounds what one visitor's race can cost.
 */
export const MAX_PAYLOAD_BYTES_PER_S = 128 * 1024;

/** The scenario presets. */
export const PRESETS = {
  ticker: { rate: 10, size: 120, durationS: 20, pollIntervalS: 1 },
  chat: { rate: 1, size: 200, durationS: 30, pollIntervalS: 2 },
  sensor: { rate: 1 / 30, size: 60, durationS: 120, pollIntervalS: 5 },
  burst: { rate: 200, size: 64, durationS: 10, pollIntervalS: 1 },
  large: { rate: 1, size: 32 * 1024, durationS: 20, pollIntervalS: 1 },
} as const satisfies Record<string, Scenario>;

/** A preset's name. */
export type PresetId = keyof typeof PRESETS;

/** The default scenario (the stock ticker). */
export const DEFAULT_SCENARIO: Scenario = { ...PRESETS.ticker };

/** A scenario field that failed validation, and why. */
export interface ScenarioError {
  field: keyof Scenario;
  message: string;
}

/** Checks a scenario; returns the first problem, or null when it may run. */
export function scenarioError(s: Scenario): ScenarioError | null {
  for (const field of Object.keys(SCENARIO_BOUNDS) as (keyof Scenario)[]) {
    const { min, max } = SCENARIO_BOUNDS[field];
    const v = s[field];
    // A rate read back from a URL is rounded: allow that much below the floor.
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min * (1 - 1e-4) || v > max) {
      return { field, message: `${field} must be a number from ${+min.toPrecision(3)} to ${max}` };
    }
  }
  if (!Number.isInteger(s.size)) return { field: 'size', message: 'size must be whole bytes' };
  if (s.rate * s.size > MAX_PAYLOAD_BYTES_PER_S) {
    return {
      field: 'rate',
      message: `rate × size must stay under ${MAX_PAYLOAD_BYTES_PER_S} bytes per second`,
    };
  }
  return null;
}

/** Reads a scenario from an untrusted JSON value (a request body); null when a field is missing. */
export function scenarioFrom(v: unknown): Scenario | null {
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  const { rate, size, durationS, pollIntervalS } = o;
  if (
    typeof rate !== 'number' ||
    typeof size !== 'number' ||
    typeof durationS !== 'number' ||
    typeof pollIntervalS !== 'number'
  ) {
    return null;
  }
  return { rate, size, durationS, pollIntervalS };
}

/** How many messages a scenario publishes: one at t = 0 and every 1/rate s before the end. */
export function messageCount(s: Scenario): number {
  return Math.max(1, Math.ceil(s.durationS * s.rate - 1e-9));
}

/** When message `seq` (1-based) is due, in ms after the start. */
export function dueAtMs(s: Scenario, seq: number): number {
  return ((seq - 1) * 1000) / s.rate;
}

/** Scenario → URL query (`?rate=10&size=120&duration=20&poll=1`), for sharing a race. */
export function scenarioToQuery(s: Scenario): string {
  const p = new URLSearchParams({
    rate: String(Number(s.rate.toPrecision(6))),
    size: String(s.size),
    duration: String(s.durationS),
    poll: String(s.pollIntervalS),
  });
  return p.toString();
}

/** URL query → scenario; fields missing or invalid fall back to the default's (null: none given). */
export function scenarioFromQuery(search: string): Scenario | null {
  const p = new URLSearchParams(search);
  const num = (k: string): number | undefined => {
    const raw = p.get(k);
    if (raw === null || raw.trim() === '') return undefined;
    const n = Number(raw);
    return Number.isFinite(n) ? n : undefined;
  };
  const given = {
    rate: num('rate'),
    size: num('size'),
    durationS: num('duration'),
    pollIntervalS: num('poll'),
  };
  if (Object.values(given).every((v) => v === undefined)) return null;
  const s: Scenario = {
    rate: given.rate ?? DEFAULT_SCENARIO.rate,
    size: given.size ?? DEFAULT_SCENARIO.size,
    durationS: given.durationS ?? DEFAULT_SCENARIO.durationS,
    pollIntervalS: given.pollIntervalS ?? DEFAULT_SCENARIO.pollIntervalS,
  };
  return scenarioError(s) === null ? s : null;
}

// The payload: "<seq> <µs since start>" then filler, exactly `size` ASCII bytes. ASCII keeps
// every transport's framing simple to count: a JSON string adds exactly two quotes, an SSE data
// line never needs splitting, and UTF-8 length equals string length.
const FILLER = 'x';

/** Builds message `seq`'s payload, sent `tUs` µs after the race started; exactly `size` bytes. */
export function encodePayload(seq: number, tUs: number, size: number): string {
  const head = `${seq} ${tUs}`;
  if (head.length > size) throw new RangeError(`payload of ${size} B cannot hold "${head}"`);
  if (head.length === size) return head;
  return `${head} ${FILLER.repeat(size - head.length - 1)}`;
}

/** Reads seq and send time back out of a payload; null when it is not one. */
export function decodePayload(payload: string): { seq: number; tUs: number } | null {
  const m = /^(\d{1,9}) (\d{1,12})(?: |$)/.exec(payload);
  if (!m) return null;
  return { seq: Number(m[1]), tUs: Number(m[2]) };
}

/** The race's API root; the lanes live below `/api/race/<id>/…`. */
export const RACE_API = '/api/race';
/** The bare WebSocket lane: `/ws/race?race=<id>`. */
export const RACE_WS_PATH = '/ws/race';
/** The MQTT topic a race publishes on. */
export const raceTopic = (id: string): string => `race/${id}`;
/** The MQTT client id of a lane; the server recognises its lanes by it. */
export const raceMqttClientId = (id: string, lane: 'mqttWs0' | 'mqttWs1' | 'mqttTcp'): string =>
  `race-${id}-${lane}`;

/** A race id: 22 URL-safe characters (128 random bits). */
export function isRaceId(v: unknown): v is string {
  return typeof v === 'string' && /^[A-Za-z0-9_-]{22}$/.test(v);
}

/** `POST /api/race` answer. */
export interface RaceCreated {
  id: string;
  scenario: Scenario;
  /** Messages the race will publish. */
  total: number;
  topic: string;
  /** Lanes the server can run (MQTT lanes need the embedded broker to count bytes). */
  lanes: LaneId[];
  /** Seconds the race may wait for `start` before it is freed. */
  startWithinS: number;
  /** The MQTT lanes' credentials: only they may read `topic` (null without MQTT lanes). */
  mqtt: RaceMqttAuth | null;
}

/** MQTT username and password of a race's lanes, valid until the race ends. */
export interface RaceMqttAuth {
  username: string;
  password: string;
}

/** `POST /api/race/<id>/start` answer. */
export interface RaceStarted {
  /** Server wall clock (ms since the epoch, sub-ms) at t = 0; payload times count from here. */
  epoch: number;
}

/** `POST /api/race/<id>/cut` answer. */
export interface RaceCut {
  /** Server wall clock of the cut (ms since the epoch). */
  at: number;
  /** Connections cut, per lane. */
  cut: Partial<Record<LaneId, number>>;
}

/** Exact bytes on one lane's sockets, counted by the server. */
export interface LaneBytes {
  /** Client → server bytes (requests, masked frames, PUBACKs), headers included. */
  up: number;
  /** Server → client bytes, headers included. */
  down: number;
  /** Of these, bytes before the start (connection set-up: handshakes, CONNECT, SUBSCRIBE). */
  setupUp: number;
  setupDown: number;
  /** HTTP requests (HTTP lanes) or connections opened (socket lanes). */
  requests: number;
  /** Connections open now. */
  connections: number;
}

/** `GET /api/race/<id>` answer: the race's state and its byte counts so far. */
export interface RaceStatus {
  id: string;
  state: 'ready' | 'running' | 'finished';
  scenario: Scenario;
  total: number;
  /** Messages published so far. */
  published: number;
  epoch: number | null;
  /** Server wall clock of each cut so far. */
  cuts: number[];
  bytes: Partial<Record<LaneId, LaneBytes>>;
  /** Messages published while the bare WebSocket lane had no socket: the server never sent them. */
  wsUnsent: number;
}

/** A short-poll or long-poll answer: the payloads after the cursor, oldest first. */
export interface RacePollBody {
  /** Payloads (each holds its own seq). */
  m: string[];
  /** The cursor for the next request: the last seq in `m`, or the given one. */
  next: number;
  /** True once the last message has been published and is in `m` or before. */
  done: boolean;
}

/** Error body of the race API. */
export interface RaceError {
  error: string;
  statusCode: number;
  field?: string;
  /** `store_unavailable` (wire/health.ts) when the deployment's Redis is away. */
  code?: ApiErrorCode;
}

// HTTP response heads of the HTTP lanes. The server sets every header itself (Node adds none when
// Date and Connection are given), so the head's size is known exactly: RFC 9112 §4 status line,
// §5 field lines "name: value" CRLF, and a blank line.

/** The IMF-fixdate the Date header carries (RFC 9110 §5.6.7): always 29 characters. */
export const HTTP_DATE_LENGTH = 29;

/** Header fields of a short/long-poll 200 answer, in the order sent. */
export function pollHeaders(contentLength: number, date: string): [string, string][] {
  return [
    ['Content-Type', 'application/json'],
    ['Content-Length', String(contentLength)],
    ['Cache-Control', 'no-store'],
    ['Date', date],
    ['Connection', 'keep-alive'],
  ];
}

/** Header fields of a long-poll 204 (held without news until the hold time passed). */
export function noContentHeaders(date: string): [string, string][] {
  return [
    ['Cache-Control', 'no-store'],
    ['Date', date],
    ['Connection', 'keep-alive'],
  ];
}

/** Header fields of the SSE lane's stream (chunked: RFC 9112 §7.1). */
export function sseHeaders(date: string): [string, string][] {
  return [
    ['Content-Type', 'text/event-stream'],
    ['Cache-Control', 'no-store'],
    ['Date', date],
    ['Connection', 'keep-alive'],
    ['Transfer-Encoding', 'chunked'],
  ];
}

/** Byte length of a response head: status line, field lines and the blank line. */
export function httpHeadLength(status: 200 | 204, fields: readonly [string, string][]): number {
  const statusLine = status === 200 ? 'HTTP/1.1 200 OK\r\n' : 'HTTP/1.1 204 No Content\r\n';
  let n = statusLine.length + 2;
  for (const [k, v] of fields) n += k.length + 2 + v.length + 2;
  return n;
}

/** The hold time of a race long-poll before a 204 (s). */
export const RACE_LONG_POLL_HOLD_S = 25;
/** The SSE lane's `retry:` (ms): how soon EventSource reconnects after a cut. */
export const RACE_SSE_RETRY_MS = 250;
/** How soon the socket lanes reconnect after a cut (ms). */
export const RACE_RECONNECT_MS = 250;

/** The SSE text of one race message: `id:` is the seq (HTML: event stream, Last-Event-ID). */
export function raceSseEvent(seq: number, payload: string): string {
  return `id: ${seq}\ndata: ${payload}\n\n`;
}
