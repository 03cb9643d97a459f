import type { Pausable, PauseReason } from '../lifecycle/page-lifecycle.ts';
import { CHAT_LIMITS, isValidNick, ROOM_PATTERN } from '../wire/chat-limits.ts';
import type { ErrorCode, ServerMessage } from '../wire/chat.ts';
import type { ChatClient, ChatEvent, ConnectionState, WebSocketCtor } from './client.ts';
import { systemTime, type TimeSource } from '../platform.ts';
import { closeCodeRange } from '../ws-inspect/close-codes.ts';
import { reportStoreDown, watchStore } from '../status/store-report.ts';

/** One row of the frame inspector. */
export interface FrameRow {
  id: number;
  at: number;
  dir: 'in' | 'out' | 'note';
  type: string;
  /** Text (0x1) or binary (0x2) on the wire; absent for notes. */
  opcode?: 'text' | 'binary';
  bytes: number | null;
  data: string;
}

/** A note in a room's timeline, translated by the island. */
export type NoteKey =
  'joinedNote' | 'resumedNote' | 'truncatedNote' | 'presenceJoin' | 'presenceLeave';

/** One line of a room's timeline: a message, or a note about the room. */
export type Line =
  | {
      kind: 'msg';
      key: string;
      id: number | null;
      nick: string;
      text: string;
      ts: number;
      mine: boolean;
      status: 'sent' | 'pending' | 'failed';
      error?: ErrorCode;
    }
  | { kind: 'note'; key: string; note: NoteKey; vars: Record<string, string | number> };

/** A joined room as the island shows it. */
export interface RoomView {
  name: string;
  /** False until the server has answered the join (members and history are unknown till then). */
  joined: boolean;
  members: string[];
  lines: Line[];
  typing: { nick: string; until: number } | null;
}

/** Close codes the chat explains by name; others by their range, or "other". */
const EXPLAINED_CLOSE_CODES = [1000, 1001, 1005, 1006, 1009, 1011, 1012, 4000] as const;

/** The dictionary key that explains a WebSocket close code (RFC 6455 §7.4.1, §7.4.2). */
export function closeMeaningKey(
  code: number,
):
  | `close.${(typeof EXPLAINED_CLOSE_CODES)[number]}`
  | 'close.registered'
  | 'close.private'
  | 'close.other' {
  const known = EXPLAINED_CLOSE_CODES.find((c) => c === code);
  if (known !== undefined) return `close.${known}`;
  const range = closeCodeRange(code);
  return range === 'registered'
    ? 'close.registered'
    : range === 'private'
      ? 'close.private'
      : 'close.other';
}

/** What the state class needs from the page. */
export interface ChatDeps {
  /** The endpoint's URL, read when connecting (the page's location is unknown during SSR). */
  url: () => string;
  WebSocket: WebSocketCtor;
  clock?: TimeSource;
  random?: () => number;
  /** Random id for this page load. */
  session?: string;
  /**
   * The client class, when the caller has it at hand (tests). Otherwise it is imported on the
   * first connect: a reader who never connects loads none of it.
   */
  Client?: typeof ChatClient;
}

const MAX_FRAMES = 300;
const MAX_LINES = 300;
const BURST_COUNT = 50;
// 17 KiB: one message over the chat's 16 KiB maxPayload.
const OVERSIZED_BYTES = 17 * 1024;

/** A random session id from the platform's crypto (available on plain-http LAN pages too). */
export function randomSession(): string {
  const bytes = new Uint8Array(9);
  globalThis.crypto.getRandomValues(bytes);
  return [...bytes].map((b) => b.toString(36).padStart(2, '0')).join('');
}

/** Reactive state of the WebSocket chat demo: the island renders it and calls its methods. */
export class ChatState implements Pausable {
  /** `idle` until the reader connects. */
  state: ConnectionState | 'idle' = $state('idle');
  attempt = $state(0);
  retryInS = $state(0);
  offline = $state(false);
  /** Why the page lifecycle has the socket closed (hidden, offline, cached), or null. */
  paused: PauseReason | null = $state(null);
  nick = $state('');
  rooms: RoomView[] = $state([]);
  active: string | null = $state(null);
  frames: FrameRow[] = $state([]);
  handshake: Extract<ServerMessage, { type: 'welcome' }> | null = $state(null);
  lastClose: { code: number; reason: string; wasClean: boolean } | null = $state(null);
  /** The last `close(code)` the browser refused, with the exception's name. */
  closeRefused: { code: number; error: string } | null = $state(null);
  /** The latest refusal, as an error code (or `badRoom` for a room name refused locally). */
  error: ErrorCode | 'badRoom' | null = $state(null);
  bufferedAmount = $state(0);
  bufferedPeak = $state(0);
  /** The message being typed in the room shown. */
  draft = $state('');
  /** Frames this page holds back to stay under the server's rate limit (0 when none wait). */
  waiting = $state(0);
  /** About how many seconds until they are all sent. */
  waitS = $state(0);
  #queuePoll: unknown = null;

  readonly #deps: ChatDeps;
  readonly #clock: TimeSource;
  #client: ChatClient | null = null;
  /** Counts connects and disconnects, so a client class that arrives late opens only for the last. */
  #generation = 0;
  #frameSeq = 0;
  #lineSeq = 0;
  #countdown: unknown = null;
  #bufferPoll: unknown = null;

  constructor(deps: ChatDeps) {
    this.#deps = deps;
    this.#clock = deps.clock ?? systemTime;
  }

  /** Characters (code points, as the server counts them) in the draft. */
  get draftChars(): number {
    return [...this.draft].length;
  }

  /** Whether the draft can be sent: not blank and within the server's limit. */
  get canSend(): boolean {
    return this.draft.trim() !== '' && this.draftChars <= CHAT_LIMITS.maxTextChars;
  }

  /** The upgrade request as it went on the wire, once the server has echoed it. */
  get handshakeRequest(): string {
    const h = this.handshake;
    if (!h) return '';
    const lines = h.request.headers.map(([k, v]) => `${k}: ${v}`);
    return [`${h.request.method} ${h.request.url} HTTP/1.1`, ...lines].join('\n');
  }

  /** The server's 101 answer to the upgrade. */
  get handshakeResponse(): string {
    const h = this.handshake;
    if (!h) return '';
    return [h.response.status, ...h.response.headers.map(([k, v]) => `${k}: ${v}`)].join('\n');
  }

  /** Sends the draft to the room shown and empties it; false (draft kept) when it cannot go. */
  sendDraft(): boolean {
    if (!this.say(this.draft)) return false;
    this.draft = '';
    return true;
  }

  /** The room being shown. */
  get current(): RoomView | undefined {
    return this.rooms.find((r) => r.name === this.active);
  }

  /** Connects as `nick` and joins `room`; returns false (and sets `error`) on a bad nick or room. */
  connect(nick: string, room: string): boolean {
    const name = room.trim();
    if (!isValidNick(nick.trim())) {
      this.error = 'bad_nick';
      return false;
    }
    if (!ROOM_PATTERN.test(name)) {
      this.error = 'badRoom';
      return false;
    }
    watchStore();
    this.#client?.stop();
    this.#client = null;
    this.error = null;
    this.nick = nick.trim();
    this.rooms = [];
    this.#addRoom(name);
    this.active = name;
    const generation = ++this.#generation;
    const Client = this.#deps.Client;
    if (Client) {
      this.#open(Client, name);
    } else {
      this.state = 'connecting';
      void import('./client.ts').then(
        ({ ChatClient }) => {
          if (generation === this.#generation) this.#open(ChatClient, name);
        },
        () => {
          // The script could not load (the server went away): as after a failed connection.
          if (generation === this.#generation) this.state = 'closed';
        },
      );
    }
    return true;
  }

  /** Opens the connection with the first room to join. */
  #open(Client: typeof ChatClient, room: string): void {
    this.#client = new Client({
      url: this.#deps.url(),
      WebSocket: this.#deps.WebSocket,
      nick: this.nick,
      session: this.#deps.session ?? randomSession(),
      clock: this.#clock,
      ...(this.#deps.random ? { random: this.#deps.random } : {}),
      onEvent: (ev) => this.#on(ev),
    });
    this.#client.join(room);
    if (this.offline || this.paused) this.#client.setOffline(true, this.#closeReason());
    this.#client.start();
    this.#watchQueue();
  }

  /** Closes the connection for good. */
  disconnect(): void {
    this.#generation++;
    this.#client?.stop();
    this.#client = null;
    this.#stopCountdown();
    if (this.#queuePoll !== null) this.#clock.clearTimeout(this.#queuePoll);
    this.#queuePoll = null;
    this.waiting = 0;
    this.state = 'idle';
    this.rooms = [];
    this.active = null;
  }

  /** Joins another room; returns false (and sets `error`) on a bad name. */
  join(room: string): boolean {
    const name = room.trim();
    if (!ROOM_PATTERN.test(name)) {
      this.error = 'badRoom';
      return false;
    }
    this.error = null;
    if (!this.rooms.some((r) => r.name === name)) this.#addRoom(name);
    this.active = name;
    this.#client?.join(name);
    this.#watchQueue();
    return true;
  }

  /** Leaves a room. */
  leave(room: string): void {
    this.#client?.leave(room);
    this.rooms = this.rooms.filter((r) => r.name !== room);
    if (this.active === room) this.active = this.rooms[0]?.name ?? null;
  }

  /** Shows a room. */
  select(room: string): void {
    this.active = room;
  }

  /** Sends `text` to the room shown; it appears at once, marked as sending until acknowledged. */
  say(text: string): boolean {
    const room = this.current;
    if (!this.#client || !room || text.trim() === '') return false;
    if ([...text].length > CHAT_LIMITS.maxTextChars) return false;
    const p = this.#client.say(room.name, text);
    this.#pushLine(room, {
      kind: 'msg',
      key: p.clientMsgId,
      id: null,
      nick: this.nick,
      text,
      ts: this.#clock.now(),
      mine: true,
      status: 'pending',
    });
    return true;
  }

  /** Tells the room shown that we are typing (throttled by the client). */
  typing(): void {
    if (this.active) this.#client?.typing(this.active);
  }

  /** Asks the server to cut this connection. */
  drop(): void {
    this.#client?.requestDrop();
  }

  /** Simulates going offline and back. */
  setOffline(offline: boolean): void {
    this.offline = offline;
    this.#client?.setOffline(offline || this.paused !== null, this.#closeReason());
  }

  /** The page went hidden, offline or into the cache: close the socket, keep rooms and cursors. */
  pause(reason: PauseReason): void {
    this.paused = reason;
    this.#client?.setOffline(true, this.#closeReason());
  }

  /** The page is back: reconnect, and each room resumes after the last message it saw. */
  resume(_restored: boolean): void {
    this.paused = null;
    this.#client?.setOffline(this.offline, this.#closeReason());
  }

  #closeReason(): string {
    return this.paused ? `page ${this.paused}` : 'offline';
  }

  /** Writes a burst of messages at once and watches `bufferedAmount` drain. */
  burst(): void {
    const client = this.#client;
    const room = this.current;
    if (!client || !room || this.state !== 'open') return;
    const before = client.pending.map((p) => p.clientMsgId);
    client.burst(room.name, BURST_COUNT, 1900);
    for (const p of client.pending) {
      if (before.includes(p.clientMsgId)) continue;
      this.#pushLine(room, {
        kind: 'msg',
        key: p.clientMsgId,
        id: null,
        nick: this.nick,
        text: p.text,
        ts: this.#clock.now(),
        mine: true,
        status: 'pending',
      });
    }
    this.bufferedPeak = client.bufferedAmount;
    this.#watchBuffer();
    this.#watchQueue();
  }

  /** Sends a three-byte binary message (opcode 0x2), which the chat refuses with `bad_json`. */
  sendBinary(): void {
    this.#client?.sendBinary(Uint8Array.of(0xca, 0xfe, 0x01));
  }

  /** Sends one text message just over the server's limit: the server closes with 1009. */
  sendOversized(): void {
    if (this.active) this.#client?.sendOversized(this.active, OVERSIZED_BYTES);
  }

  /** Closes from the page with `code` (the client reconnects afterwards). */
  closeWith(code: number, reason: string): void {
    this.closeRefused = null;
    this.#client?.closeWith(code, reason);
  }

  /** Empties the frame inspector. */
  clearFrames(): void {
    this.frames = [];
  }

  #watchBuffer(): void {
    const read = (): void => {
      const n = this.#client?.bufferedAmount ?? 0;
      this.bufferedAmount = n;
      if (n > this.bufferedPeak) this.bufferedPeak = n;
      this.#bufferPoll = n > 0 ? this.#clock.setTimeout(read, 16) : null;
    };
    if (this.#bufferPoll !== null) this.#clock.clearTimeout(this.#bufferPoll);
    read();
  }

  /** Follows the frames held back by the client's pacing until none is left. */
  #watchQueue(): void {
    const read = (): void => {
      const client = this.#client;
      this.waiting = client?.waiting ?? 0;
      this.waitS = client ? Math.ceil(client.drainMs / 1000) : 0;
      this.#queuePoll = this.waiting > 0 ? this.#clock.setTimeout(read, 250) : null;
    };
    if (this.#queuePoll !== null) this.#clock.clearTimeout(this.#queuePoll);
    read();
  }

  #addRoom(name: string): void {
    this.rooms.push({ name, joined: false, members: [], lines: [], typing: null });
  }

  #room(name: string): RoomView | undefined {
    return this.rooms.find((r) => r.name === name);
  }

  #pushLine(room: RoomView, line: Line): void {
    room.lines.push(line);
    if (room.lines.length > MAX_LINES) room.lines.splice(0, room.lines.length - MAX_LINES);
  }

  #note(room: RoomView, note: NoteKey, vars: Record<string, string | number>): void {
    this.#lineSeq += 1;
    this.#pushLine(room, { kind: 'note', key: `note-${this.#lineSeq}`, note, vars });
  }

  #frame(row: Omit<FrameRow, 'id'>): void {
    this.#frameSeq += 1;
    this.frames.unshift({ id: this.#frameSeq, ...row });
    if (this.frames.length > MAX_FRAMES) this.frames.length = MAX_FRAMES;
  }

  #on(ev: ChatEvent): void {
    switch (ev.kind) {
      case 'state':
        this.state = ev.state;
        this.attempt = ev.attempt;
        if (ev.state === 'reconnecting' && ev.retryAt !== null) this.#startCountdown(ev.retryAt);
        else this.#stopCountdown();
        return;
      case 'frame':
        this.#frame({
          at: ev.at,
          dir: ev.dir,
          type: ev.type,
          opcode: ev.opcode,
          bytes: ev.bytes,
          data: ev.data,
        });
        return;
      case 'closeRefused':
        this.closeRefused = { code: ev.code, error: ev.error };
        this.#frame({
          at: this.#clock.now(),
          dir: 'note',
          type: 'close()',
          bytes: null,
          data: `close(${ev.code}) → ${ev.error}`,
        });
        return;
      case 'welcome':
        this.handshake = ev.msg;
        return;
      case 'close':
        this.lastClose = { code: ev.code, reason: ev.reason, wasClean: ev.wasClean };
        for (const room of this.rooms) room.joined = false;
        this.#frame({
          at: this.#clock.now(),
          dir: 'note',
          type: 'close',
          bytes: null,
          data: JSON.stringify({ code: ev.code, reason: ev.reason, wasClean: ev.wasClean }),
        });
        return;
      case 'joined': {
        const room = this.#room(ev.room);
        if (!room) return;
        room.joined = true;
        room.members = ev.members;
        if (!ev.resumed) this.#note(room, 'joinedNote', { room: ev.room });
        for (const m of ev.missed) this.#addMessage(room, m, m.nick === this.nick);
        if (ev.resumed) this.#note(room, 'resumedNote', { n: ev.missed.length });
        if (ev.truncated) this.#note(room, 'truncatedNote', {});
        return;
      }
      case 'message': {
        const room = this.#room(ev.msg.room);
        if (room) this.#addMessage(room, ev.msg, ev.mine);
        return;
      }
      case 'acked':
        return; // the echo itself arrives as a 'message' (or was already shown)
      case 'presence': {
        const room = this.#room(ev.msg.room);
        if (!room) return;
        room.members = ev.msg.members;
        this.#note(room, ev.msg.event === 'join' ? 'presenceJoin' : 'presenceLeave', {
          nick: ev.msg.nick,
        });
        return;
      }
      case 'typing': {
        const room = this.#room(ev.msg.room);
        if (!room) return;
        const until = this.#clock.now() + 3000;
        room.typing = { nick: ev.msg.nick, until };
        this.#clock.setTimeout(() => {
          if (room.typing?.until === until) room.typing = null;
        }, 3000);
        return;
      }
      case 'left':
        return;
      case 'error': {
        const code = ev.msg.code;
        this.error = code;
        // A refused frame is sent again after a pause: show the wait.
        if (code === 'rate_limited') this.#watchQueue();
        // The shared store is away: the page's store notice checks and says so until it is back.
        if (code === 'unavailable') reportStoreDown();
        // A notice, not a state: it fades once nothing new has gone wrong for a while.
        this.#clock.setTimeout(() => {
          if (this.error === code) this.error = null;
        }, 8000);
        if (ev.failed) {
          const room = this.#room(ev.failed.room);
          const line = room?.lines.find(
            (l) => l.kind === 'msg' && l.key === ev.failed?.clientMsgId,
          );
          if (line?.kind === 'msg') {
            line.status = 'failed';
            line.error = ev.msg.code;
          }
        }
        if (ev.msg.code === 'nick_taken' && ev.msg.ref) {
          this.rooms = this.rooms.filter((r) => r.name !== ev.msg.ref);
          if (this.active === ev.msg.ref) this.active = this.rooms[0]?.name ?? null;
        }
        return;
      }
    }
  }

  /** Shows a message once: an echo of our own replaces its pending line. */
  #addMessage(room: RoomView, msg: Extract<ServerMessage, { type: 'chat' }>, mine: boolean): void {
    const key = msg.clientMsgId ?? `id-${msg.id}`;
    const existing = room.lines.find((l) => l.kind === 'msg' && l.key === key);
    if (existing?.kind === 'msg') {
      existing.id = msg.id;
      existing.status = 'sent';
      existing.ts = msg.ts;
      this.#placeByServerOrder(room, existing);
      return;
    }
    if (room.typing?.nick === msg.nick) room.typing = null;
    this.#pushLine(room, {
      kind: 'msg',
      key,
      id: msg.id,
      nick: msg.nick,
      text: msg.text,
      ts: msg.ts,
      mine,
      status: 'sent',
    });
  }

  /**
   * A line shown at once (typed offline, say) learns its place once the server numbers it: it
   * moves after any message shown below it that the server stored earlier.
   */
  #placeByServerOrder(room: RoomView, line: Extract<Line, { kind: 'msg' }>): void {
    const id = line.id;
    if (id === null) return;
    const at = room.lines.findIndex((l) => l.kind === 'msg' && l.key === line.key);
    let lastEarlier = -1;
    room.lines.forEach((l, i) => {
      if (l.kind === 'msg' && l.id !== null && l.id < id) lastEarlier = i;
    });
    if (at < 0 || lastEarlier <= at) return;
    const [moved] = room.lines.splice(at, 1);
    if (moved) room.lines.splice(lastEarlier, 0, moved);
  }

  #startCountdown(retryAt: number): void {
    this.#stopCountdown();
    const tick = (): void => {
      this.retryInS = Math.max(0, Math.ceil((retryAt - this.#clock.now()) / 1000));
      this.#countdown = this.retryInS > 0 ? this.#clock.setTimeout(tick, 250) : null;
    };
    tick();
  }

  #stopCountdown(): void {
    if (this.#countdown !== null) this.#clock.clearTimeout(this.#countdown);
    this.#countdown = null;
  }
}
