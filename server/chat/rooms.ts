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

/** A room: its members, and the last messages with ids that only ever go up. */
export class Room {
  readonly name: string;
  readonly members = new Map<string, Member>();
  lastActive = 0;
  readonly #history: ChatMessage[] = [];
  /** The dedupe key of each message in #history, in the same order. */
  readonly #keys: string[] = [];
  readonly #byClientMsgId = new Map<string, ChatMessage>();
  readonly #historySize: number;
  #lastId = 0;

  constructor(name: string, historySize: number = CHAT_LIMITS.historySize) {
    this.name = name;
    this.#historySize = historySize;
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
    if (this.#history.length > this.#historySize) {
      this.#history.shift();
      const oldKey = this.#keys.shift();
      if (oldKey !== undefined) this.#byClientMsgId.delete(oldKey);
    }
    this.lastActive = now;
    return { msg, duplicate: false };
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

/** Every room on the server, created on first join and forgotten when empty and idle too long. */
export class Rooms {
  readonly #rooms = new Map<string, Room>();
  readonly #max: number;

  constructor(max = 500) {
    this.#max = max;
  }

  /** The room, creating it if needed; null when the server holds too many busy rooms. */
  open(name: string, now: number): Room | null {
    let room = this.#rooms.get(name);
    if (room) return room;
    if (this.#rooms.size >= this.#max && !this.#evictOneEmpty()) return null;
    room = new Room(name);
    room.lastActive = now;
    this.#rooms.set(name, room);
    return room;
  }

  /** The room if it exists. */
  get(name: string): Room | undefined {
    return this.#rooms.get(name);
  }

  #evictOneEmpty(): boolean {
    let victim: Room | undefined;
    for (const r of this.#rooms.values()) {
      if (r.members.size === 0 && (!victim || r.lastActive < victim.lastActive)) victim = r;
    }
    if (!victim) return false;
    this.#rooms.delete(victim.name);
    return true;
  }
}
