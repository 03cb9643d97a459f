// Workshop mode: the attendees' room socket (presence, announcements, follow-me, polls) and the
// trainer's JSON API. Shared by the server (server/workshop/) and the pages (src/lib/workshop/).

/** Path of the attendees' WebSocket: one per page, opened only while a trainer is active. */
export const ROOM_WS_PATH = '/ws/room';

// The routes live in their own small module: every page's workshop hook needs one of them only.
export { WORKSHOP_API } from './workshop-api.ts';

/** Limits of what the trainer sends and of what an attendee's socket may do. */
export const WORKSHOP_LIMITS = {
  /** Largest frame an attendee may send (RFC 6455 §7.4.1: bigger closes with 1009). */
  maxPayloadBytes: 1024,
  /** Frames per second per attendee socket (presence changes and votes). */
  messagesPerSecond: 5,
  /** Room sockets at once from one address (tabs of one browser, or one hostile client). */
  socketsPerAddress: 20,
  /** Room sockets in total. */
  maxSockets: 2000,
  announcementChars: 200,
  questionChars: 200,
  choiceChars: 80,
  minChoices: 2,
  maxChoices: 6,
  /** Vehicles "cut N vehicles" may cut at once. */
  maxCut: 5000,
} as const;

/** A slug or demo id as presence reports it: lowercase letters, digits and "-". */
export const PRESENCE_ID = /^[a-z0-9-]{0,40}$/;

/** The faults a trainer can inject. */
export const FAULT_KINDS = [
  'cut-sse',
  'cut-long-polls',
  'close-chat',
  'disconnect-mqtt',
  'cut-vehicles',
  'pause-ticker',
  'resume-ticker',
] as const;

/** One fault. */
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Whether a string names a fault. */
export function isFaultKind(s: string): s is FaultKind {
  return (FAULT_KINDS as readonly string[]).includes(s);
}

/** The transports the room page counts, with the `/api/health` gauge key of each. */
export const TRANSPORTS = ['sse', 'longPoll', 'wsChat', 'mqttWs', 'mqttTcp'] as const;

/** One counted transport. */
export type TransportKey = (typeof TRANSPORTS)[number];

/** The transports whose messages per second the trainer's chart draws (MQTT: both listeners). */
export const RATE_KEYS = ['sse', 'longPoll', 'wsChat', 'mqtt', 'room'] as const;

/** One charted transport. */
export type RateKey = (typeof RATE_KEYS)[number];

/** An announcement as attendees see it. */
export interface Announcement {
  id: number;
  text: string;
  /** Server clock, ms since the epoch. */
  at: number;
}

/** A "follow me" request: open this chapter. */
export interface FollowRequest {
  id: number;
  /** Chapter slug, `""` for the home page. */
  chapter: string;
  at: number;
}

/** A poll's question: typed by the trainer, or one of the selection quiz's questions. */
export type PollQuestion =
  | { kind: 'custom'; question: string; choices: string[] }
  | { kind: 'quiz'; questionId: string; choices: string[] };

/** A poll as attendees see it. */
export type PollView = PollQuestion & {
  id: number;
  open: boolean;
  /** The tally, when the trainer shows it; else null. */
  counts: number[] | null;
};

/** Body of POST `WORKSHOP_API.poll`. */
export type PollRequest =
  { question: string; choices: string[] } | { quiz: string; choices: string[] };

/** What an attendee's page sends on the room socket. */
export type RoomClientMessage =
  | { type: 'presence'; chapter: string; demo: string }
  | { type: 'vote'; pollId: number; choice: number };

/** What the server sends on the room socket. */
export type RoomServerMessage =
  | {
      type: 'state';
      announcement: Announcement | null;
      follow: FollowRequest | null;
      poll: PollView | null;
    }
  | { type: 'announce'; announcement: Announcement | null }
  | { type: 'follow'; follow: FollowRequest }
  | { type: 'poll'; poll: PollView | null }
  | { type: 'voted'; pollId: number; choice: number }
  | { type: 'error'; message: string };

/** Body of GET `WORKSHOP_API.status`. */
export interface WorkshopStatus {
  /** A trainer opened the trainer page recently: pages open the room socket. */
  active: boolean;
}

/** One LAN URL of the lab and its QR code. */
export interface JoinUrl {
  url: string;
  /** The QR code as an SVG document. */
  svg: string;
}

/** Body of GET `WORKSHOP_API.join`. */
export interface JoinInfo {
  urls: JoinUrl[];
}

/** What one fault did: how many connections it touched, and how many came back since. */
export interface FaultReport {
  id: number;
  kind: FaultKind;
  /** Server clock when it ran. */
  at: number;
  touched: number;
  /** Connections of that kind open again (null until the first check, and for the ticker). */
  back: number | null;
  /** Seconds after the fault when `back` was last measured. */
  backAfterS: number | null;
}

/** A poll with its tally, as the trainer sees it. */
export type TrainerPollView = PollQuestion & {
  id: number;
  open: boolean;
  shown: boolean;
  counts: number[];
  voters: number;
};

/** Body of GET `WORKSHOP_API.room`. */
export interface RoomView {
  /** Attendee pages with the room socket open. */
  attendees: number;
  byChapter: Record<string, number>;
  byDemo: Record<string, number>;
  /** Open connections per transport (the `/api/health` gauges). */
  transports: Record<TransportKey, number>;
  /** Messages sent per second per transport, over the last second or so. */
  rates: Record<RateKey, number>;
  tickerPaused: boolean;
  fleet: { vehicles: number; connected: number } | null;
  announcement: Announcement | null;
  follow: FollowRequest | null;
  poll: TrainerPollView | null;
  faults: FaultReport[];
  /** Server clock. */
  at: number;
}

/** Body of POST `…/faults/<kind>`. */
export interface FaultResult {
  report: FaultReport;
}

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses one frame from an attendee; null for anything malformed. */
export function parseRoomClientMessage(raw: string): RoomClientMessage | null {
  if (raw.length > WORKSHOP_LIMITS.maxPayloadBytes) return null;
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return null;
  }
  if (!isObj(v)) return null;
  if (v['type'] === 'presence') {
    const { chapter, demo } = v;
    if (typeof chapter !== 'string' || typeof demo !== 'string') return null;
    if (!PRESENCE_ID.test(chapter) || !PRESENCE_ID.test(demo)) return null;
    return { type: 'presence', chapter, demo };
  }
  if (v['type'] === 'vote') {
    const { pollId, choice } = v;
    if (!Number.isSafeInteger(pollId) || !Number.isSafeInteger(choice)) return null;
    return { type: 'vote', pollId: pollId as number, choice: choice as number };
  }
  return null;
}

/** Parses one frame from the server; null for anything this page does not understand. */
export function parseRoomServerMessage(raw: string): RoomServerMessage | null {
  try {
    const v: unknown = JSON.parse(raw);
    if (!isObj(v) || typeof v['type'] !== 'string') return null;
    return v as RoomServerMessage;
  } catch {
    return null;
  }
}

/** Removes control and invisible formatting characters and trims; text stays text. */
export function cleanLine(s: string): string {
  // Unicode Cc (controls, NUL, newlines) and Cf (bidi overrides such as RLO, zero-width) would let
  // one line rewrite or hide the layout of every attendee's banner.
  return s
    .replace(/[\p{Cc}\p{Cf}]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}
