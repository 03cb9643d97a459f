import { CHAT_LIMITS, type ChatMessage } from '../../src/lib/wire/chat.ts';
import { nickSkeleton } from '../../src/lib/wire/visible-text.ts';

/** One connection as a room sees it. */
export interface Member {
  readonly nick: string;
  /** Nick compared case-insensitively, so "Ann" and "ann" cannot both be in one room. */
  readonly nickKey: string;
  readonly session: string | undefined;
  /**
   * Who resends a message after a reconnect: the browser session (or, without one, the
   * connection). Never the nick: a newcomer may take a nick that someone else just freed.
   */
  readonly authorKey: string;
  /** Sends an already serialized frame. */
  send(frame: string): void;
}

/** The form nicks are compared in: case, width, accents and look-alike letters folded. */
export function nickKey(nick: string): string {
  return nickSkeleton(nick);
}

/** Bytes of history held by every room together, shared so each room can keep it current. */
export interface HistoryMeter {
  bytes: number;
}

// What one stored message costs, roughly: its strings as UTF-8 plus the object around them.
const messageBytes = (m: ChatMessage): number =>
  Buffer.byteLength(m.text) + Buffer.byteLength(m.nick) + (m.clientMsgId?.length ?? 0) + 120;

/** A room: its members, and the last messages with ids that only ever go up. */
export class Room {
  readonly name: string;
  readonly members = new Map<string, Member>();
  lastActive = 0;
  /** Bytes of this room's history (see messageBytes). */
  bytes = 0;
  readonly #meter: HistoryMeter;
  readonly #history: ChatMessage[] = [];
  /** The dedupe key of each message in #history, in the same order. */
  readonly #keys: string[] = [];
  readonly #byClientMsgId = new Map<string, ChatMessage>();
  readonly #historySize: number;
  #lastId = 0;

  constructor(
    name: string,
    historySize: number = CHAT_LIMITS.historySize,
    meter: HistoryMeter = { bytes: 0 },
  ) {
    this.name = name;
    this.#historySize = historySize;
    this.#meter = meter;
  }

  /** Messages held. */
  get historyLength(): number {
    return this.#history.length;
  }

  /** Forgets the oldest message (to stay within the server's history budget). */
  dropOldest(): boolean {
    const old = this.#history.shift();
    if (!old) return false;
    const oldKey = this.#keys.shift();
    if (oldKey !== undefined) this.#byClientMsgId.delete(oldKey);
    this.#count(-messageBytes(old));
    return true;
  }

  /** Forgets all history (the room is being reclaimed). */
  clear(): void {
    this.#count(-this.bytes);
    this.#history.length = 0;
    this.#keys.length = 0;
    this.#byClientMsgId.clear();
  }

  #count(delta: number): void {
    this.bytes += delta;
    this.#meter.bytes += delta;
  }

  /** The id of the newest message, 0 when there is none. */
  get lastId(): number {
    return this.#lastId;
  }

  /** Sends one frame to every member, serializing it once. */
  broadcast(msg: object, except?: Member): void {
    const frame = JSON.stringify(msg);
    for (const m of this.members.values()) if (m !== except) m.send(frame);
  }

  /**
   * Stores a message unless the same author (session) already sent this `clientMsgId`: a client
   * that lost its connection before the echo came back resends, and must not create a duplicate.
   */
  post(
    author: Member,
    text: string,
    clientMsgId: string,
    now: number,
  ): { msg: ChatMessage; duplicate: boolean } {
    const key = `${author.authorKey}\n${clientMsgId}`;
    const seen = this.#byClientMsgId.get(key);
    if (seen) return { msg: seen, duplicate: true };
    this.#lastId += 1;
    const msg: ChatMessage = {
      type: 'chat',
      room: this.name,
      id: this.#lastId,
      nick: author.nick,
      text,
      ts: now,
      clientMsgId,
    };
    this.#history.push(msg);
    this.#keys.push(key);
    this.#byClientMsgId.set(key, msg);
    this.#count(messageBytes(msg));
    if (this.#history.length > this.#historySize) this.dropOldest();
    this.lastActive = now;
    return { msg, duplicate: false };
  }

  /**
   * Keeps a message numbered elsewhere (the deployment's shared room, server/redis/chat.ts);
   * false when it is not newer than the newest held (already here).
   */
  accept(msg: ChatMessage): boolean {
    if (msg.id <= this.#lastId) return false;
    this.#lastId = msg.id;
    this.#history.push(msg);
    this.#keys.push('');
    this.#count(messageBytes(msg));
    if (this.#history.length > this.#historySize) this.dropOldest();
    this.lastActive = Math.max(this.lastActive, msg.ts);
    return true;
  }

  /**
   * What a client that last saw `afterId` missed. `truncated` says some of it is no longer
   * kept. An `afterId` beyond the newest id means the server restarted: replay everything.
   */
  since(afterId: number | undefined): { history: ChatMessage[]; truncated: boolean } {
    const after = afterId === undefined || afterId > this.#lastId ? 0 : afterId;
    const history = this.#history.filter((m) => m.id > after);
    const oldest = this.#history[0]?.id ?? this.#lastId + 1;
    return { history, truncated: afterId !== undefined && after > 0 && after < oldest - 1 };
  }
}

/** Limits of the room table. */
export interface RoomsOptions {
  /** Rooms at once. */
  max?: number;
  /** Bytes of history across all rooms; past it, idle empty rooms go first, then old messages. */
  budgetBytes?: number;
  /** An empty room keeps its history this long after its last member left (for reconnects). */
  emptyTtlMs?: number;
}

/**
 * Every room on the server, created on first join. Memory stays bounded whatever clients do: at
 * most `max` rooms, at most `budgetBytes` of history in total, and rooms nobody is in are
 * reclaimed `emptyTtlMs` after they emptied.
 */
export class Rooms {
  readonly #rooms = new Map<string, Room>();
  readonly #max: number;
  readonly #budget: number;
  readonly #ttl: number;
  readonly meter: HistoryMeter = { bytes: 0 };

  constructor(opts: RoomsOptions | number = {}) {
    const o = typeof opts === 'number' ? { max: opts } : opts;
    this.#max = o.max ?? 500;
    this.#budget = o.budgetBytes ?? 32 * 1024 * 1024;
    this.#ttl = o.emptyTtlMs ?? 10 * 60_000;
  }

  /** Rooms held now. */
  get size(): number {
    return this.#rooms.size;
  }

  /** The room, creating it if needed; null when the server holds too many busy rooms. */
  open(name: string, now: number): Room | null {
    let room = this.#rooms.get(name);
    if (room) return room;
    this.sweep(now);
    if (this.#rooms.size >= this.#max && !this.#evictOneEmpty()) return null;
    room = new Room(name, CHAT_LIMITS.historySize, this.meter);
    room.lastActive = now;
    this.#rooms.set(name, room);
    return room;
  }

  /** The names of the rooms held. */
  names(): Set<string> {
    return new Set(this.#rooms.keys());
  }

  /** The room if it exists. */
  get(name: string): Room | undefined {
    return this.#rooms.get(name);
  }

  /** Forgets rooms that have been empty for longer than the TTL; returns how many. */
  sweep(now: number): number {
    let n = 0;
    for (const r of [...this.#rooms.values()]) {
      if (r.members.size === 0 && now - r.lastActive >= this.#ttl) {
        this.#forget(r);
        n++;
      }
    }
    return n;
  }

  /** Brings the history back within budget: empty rooms first (oldest), then the biggest room's oldest messages. */
  trim(): void {
    while (this.meter.bytes > this.#budget && this.#evictOneEmpty());
    while (this.meter.bytes > this.#budget) {
      let biggest: Room | undefined;
      for (const r of this.#rooms.values()) if (!biggest || r.bytes > biggest.bytes) biggest = r;
      if (!biggest?.dropOldest()) break;
    }
  }

  #forget(room: Room): void {
    room.clear();
    this.#rooms.delete(room.name);
  }

  #evictOneEmpty(): boolean {
    let victim: Room | undefined;
    for (const r of this.#rooms.values()) {
      if (r.members.size === 0 && (!victim || r.lastActive < victim.lastActive)) victim = r;
    }
    if (!victim) return false;
    this.#forget(victim);
    return true;
  }
}
