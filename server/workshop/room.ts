// The attendees' room: one WebSocket per page carrying presence (which chapter and demo the page
// shows), announcements, "follow me" and polls. Free of Fastify; the sockets come from index.ts.
import {
  WORKSHOP_LIMITS,
  parseRoomClientMessage,
  type Announcement,
  type FollowRequest,
  type PollQuestion,
  type PollView,
  type RoomServerMessage,
  type TrainerPollView,
} from '../../src/lib/wire/workshop.ts';
import { TokenBucket } from '../chat/rate-limit.ts';

/** What the room needs from a socket. */
export interface RoomPeer {
  send(frame: string): void;
  /** Unsent bytes queued on the socket. */
  readonly buffered: number;
  /** Cuts the socket at once. */
  terminate(): void;
}

/** One attendee page. */
export interface Attendee {
  readonly peer: RoomPeer;
  readonly address: string;
  chapter: string;
  demo: string;
  bucket: TokenBucket;
}

interface Poll {
  question: PollQuestion;
  id: number;
  open: boolean;
  shown: boolean;
  /** One vote per page: attendee → choice. */
  votes: Map<Attendee, number>;
  /** Votes per address: reloading a page to vote again stops at the per-address socket limit. */
  byAddress: Map<string, number>;
}

// An attendee whose socket cannot take the next frame (a stalled tab) is cut, never buffered for.
const MAX_BUFFERED_BYTES = 256 * 1024;

/** Presence, announcements, follow-me and polls for every attendee page. */
export class Room {
  readonly attendees = new Set<Attendee>();
  readonly #perAddress = new Map<string, number>();
  readonly #now: () => number;
  readonly #limits: { socketsPerAddress: number; maxSockets: number };
  #announcement: Announcement | null = null;
  #follow: FollowRequest | null = null;
  #poll: Poll | null = null;
  #nextId = 1;
  /** Frames sent to attendees so far (for the trainer's rate chart). */
  framesOut = 0;

  constructor(opts: { now?: () => number; socketsPerAddress?: number; maxSockets?: number } = {}) {
    this.#now = opts.now ?? Date.now;
    this.#limits = {
      socketsPerAddress: opts.socketsPerAddress ?? WORKSHOP_LIMITS.socketsPerAddress,
      maxSockets: opts.maxSockets ?? WORKSHOP_LIMITS.maxSockets,
    };
  }

  /** Why a new socket from this address is refused, or null when it may join. */
  refusal(address: string): string | null {
    if (this.attendees.size >= this.#limits.maxSockets) return 'the room is full';
    if ((this.#perAddress.get(address) ?? 0) >= this.#limits.socketsPerAddress) {
      return `at most ${this.#limits.socketsPerAddress} room connections per address`;
    }
    return null;
  }

  /** Adds a page and sends it the room's state. */
  join(peer: RoomPeer, address: string): Attendee {
    const a: Attendee = {
      peer,
      address,
      chapter: '',
      demo: '',
      bucket: new TokenBucket(WORKSHOP_LIMITS.messagesPerSecond),
    };
    this.attendees.add(a);
    this.#perAddress.set(address, (this.#perAddress.get(address) ?? 0) + 1);
    this.#send(a, {
      type: 'state',
      announcement: this.#announcement,
      follow: this.#follow,
      poll: this.#pollView(),
    });
    return a;
  }

  /** Forgets a page whose socket closed; its vote on an open poll stays counted. */
  leave(a: Attendee): void {
    if (!this.attendees.delete(a)) return;
    const n = (this.#perAddress.get(a.address) ?? 1) - 1;
    if (n > 0) this.#perAddress.set(a.address, n);
    else this.#perAddress.delete(a.address);
  }

  /** Handles one text frame from a page; bad or excess frames get an error frame. */
  receive(a: Attendee, raw: string): void {
    if (!a.bucket.take()) {
      this.#send(a, { type: 'error', message: 'too many messages; this one was dropped' });
      return;
    }
    const msg = parseRoomClientMessage(raw);
    if (!msg) {
      this.#send(a, { type: 'error', message: 'not a room message' });
      return;
    }
    if (msg.type === 'presence') {
      a.chapter = msg.chapter;
      a.demo = msg.demo;
      return;
    }
    const poll = this.#poll;
    if (!poll || poll.id !== msg.pollId || !poll.open) {
      this.#send(a, { type: 'error', message: 'this poll is closed' });
      return;
    }
    if (msg.choice < 0 || msg.choice >= poll.question.choices.length) {
      this.#send(a, { type: 'error', message: 'no such answer' });
      return;
    }
    if (!poll.votes.has(a)) {
      const n = poll.byAddress.get(a.address) ?? 0;
      if (n >= this.#limits.socketsPerAddress) {
        this.#send(a, { type: 'error', message: 'too many votes from this address' });
        return;
      }
      poll.byAddress.set(a.address, n + 1);
    }
    // Changing one's answer replaces the vote: one page, one vote.
    poll.votes.set(a, msg.choice);
    this.#send(a, { type: 'voted', pollId: poll.id, choice: msg.choice });
    if (poll.shown) this.#broadcast({ type: 'poll', poll: this.#pollView() });
  }

  /** Shows an announcement on every page; an empty text takes it down. */
  announce(text: string): Announcement | null {
    this.#announcement = text ? { id: this.#nextId++, text, at: this.#now() } : null;
    this.#broadcast({ type: 'announce', announcement: this.#announcement });
    return this.#announcement;
  }

  /** Asks every page to open a chapter. */
  follow(chapter: string): FollowRequest {
    this.#follow = { id: this.#nextId++, chapter, at: this.#now() };
    this.#broadcast({ type: 'follow', follow: this.#follow });
    return this.#follow;
  }

  /** Opens a poll, replacing the previous one. */
  openPoll(question: PollQuestion): TrainerPollView {
    this.#poll = {
      question,
      id: this.#nextId++,
      open: true,
      shown: false,
      votes: new Map(),
      byAddress: new Map(),
    };
    this.#broadcast({ type: 'poll', poll: this.#pollView() });
    return this.trainerPoll()!;
  }

  /** Closes the poll to votes, and shows or hides its tally to attendees. */
  setPoll(change: { open?: boolean; shown?: boolean }): TrainerPollView | null {
    const poll = this.#poll;
    if (!poll) return null;
    if (change.open !== undefined) poll.open = change.open && poll.open;
    if (change.shown !== undefined) poll.shown = change.shown;
    this.#broadcast({ type: 'poll', poll: this.#pollView() });
    return this.trainerPoll();
  }

  /** The poll with its tally, for the trainer. */
  trainerPoll(): TrainerPollView | null {
    const poll = this.#poll;
    if (!poll) return null;
    return { ...poll.question, id: poll.id, open: poll.open, shown: poll.shown, ...tally(poll) };
  }

  get announcement(): Announcement | null {
    return this.#announcement;
  }

  get followRequest(): FollowRequest | null {
    return this.#follow;
  }

  /** Open pages per chapter and per demo. */
  presence(): { byChapter: Record<string, number>; byDemo: Record<string, number> } {
    const byChapter: Record<string, number> = {};
    const byDemo: Record<string, number> = {};
    for (const a of this.attendees) {
      byChapter[a.chapter] = (byChapter[a.chapter] ?? 0) + 1;
      if (a.demo) byDemo[a.demo] = (byDemo[a.demo] ?? 0) + 1;
    }
    return { byChapter, byDemo };
  }

  #pollView(): PollView | null {
    const poll = this.#poll;
    if (!poll) return null;
    return {
      ...poll.question,
      id: poll.id,
      open: poll.open,
      counts: poll.shown ? tally(poll).counts : null,
    };
  }

  #send(a: Attendee, msg: RoomServerMessage): void {
    this.#write(a, JSON.stringify(msg));
  }

  #write(a: Attendee, frame: string): void {
    if (a.peer.buffered > MAX_BUFFERED_BYTES) {
      a.peer.terminate();
      return;
    }
    this.framesOut++;
    a.peer.send(frame);
  }

  #broadcast(msg: RoomServerMessage): void {
    // Serialized once for the whole room.
    const frame = JSON.stringify(msg);
    for (const a of this.attendees) this.#write(a, frame);
  }
}

function tally(poll: Poll): { counts: number[]; voters: number } {
  const counts = poll.question.choices.map(() => 0);
  for (const c of poll.votes.values()) counts[c] = (counts[c] ?? 0) + 1;
  return { counts, voters: poll.votes.size };
}
