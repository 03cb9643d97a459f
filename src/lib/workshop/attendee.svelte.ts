import {
  parseRoomServerMessage,
  type Announcement,
  type FollowRequest,
  type PollView,
  type RoomClientMessage,
} from '../wire/workshop.ts';
import { backoffDelay, CHAT_BACKOFF } from '../backoff.ts';

/** The part of the browser's WebSocket the room needs (tests pass a fake). */
export interface RoomSocket {
  readonly readyState: number;
  send(data: string): void;
  close(): void;
  addEventListener(
    type: 'open' | 'message' | 'close',
    listener: (ev: { data?: unknown }) => void,
  ): void;
}

/** What the attendee's room state needs from the page. */
export interface AttendeeDeps {
  /** The room socket's URL (read when connecting). */
  url: () => string;
  open: (url: string) => RoomSocket;
  /** This page's chapter slug (`""` for the home page). */
  chapter: string;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (t: unknown) => void;
  random?: () => number;
}

// WebSocket.OPEN in the browser and in ws.
const OPEN = 1;

/**
 * The attendee's side of a workshop: one socket per page reporting where the reader is, and the
 * trainer's announcements, follow-me requests and polls to show as banners.
 */
export class AttendeeRoom {
  announcement: Announcement | null = $state(null);
  follow: FollowRequest | null = $state(null);
  poll: PollView | null = $state(null);
  /** This page's answer to the current poll. */
  myVote: number | null = $state(null);
  connected = $state(false);

  readonly #deps: AttendeeDeps;
  // Plain: which banners were dismissed is never rendered, only checked when a new one arrives.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly #dismissed = new Set<number>();
  #socket: RoomSocket | null = null;
  #demo = '';
  #attempt = 0;
  #timer: unknown = null;
  #stopped = true;

  constructor(deps: AttendeeDeps) {
    this.#deps = deps;
  }

  /** Connects, and reconnects with backoff whenever the socket closes, until `stop()`. */
  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#connect();
  }

  /** Closes the socket for good. */
  stop(): void {
    this.#stopped = true;
    if (this.#timer !== null) (this.#deps.clearTimer ?? clearTimeout)(this.#timer as never);
    this.#timer = null;
    this.#socket?.close();
    this.#socket = null;
  }

  /** Reports the demo now in view (its id, `""` for none). */
  setDemo(demo: string): void {
    if (demo === this.#demo) return;
    this.#demo = demo;
    this.#sendPresence();
  }

  /** Hides the current announcement on this page (a newer one shows again). */
  dismissAnnouncement(): void {
    if (this.announcement) this.#dismissed.add(this.announcement.id);
    this.announcement = null;
  }

  /** Declines (or, having followed, clears) the current follow-me request. */
  dismissFollow(): void {
    if (this.follow) this.#dismissed.add(this.follow.id);
    this.follow = null;
  }

  /** Answers the current poll. */
  vote(choice: number): void {
    if (!this.poll?.open) return;
    this.#send({ type: 'vote', pollId: this.poll.id, choice });
  }

  #connect(): void {
    const ws = this.#deps.open(this.#deps.url());
    this.#socket = ws;
    ws.addEventListener('open', () => {
      if (ws !== this.#socket) return;
      this.#attempt = 0;
      this.connected = true;
      this.#sendPresence();
    });
    ws.addEventListener('message', (ev) => {
      if (ws !== this.#socket || typeof ev.data !== 'string') return;
      this.#receive(ev.data);
    });
    ws.addEventListener('close', () => {
      if (ws !== this.#socket) return;
      this.connected = false;
      this.#socket = null;
      if (this.#stopped) return;
      const delay = backoffDelay(this.#attempt++, this.#deps.random, CHAT_BACKOFF);
      this.#timer = (this.#deps.setTimer ?? setTimeout)(() => {
        this.#timer = null;
        if (!this.#stopped) this.#connect();
      }, delay);
    });
  }

  #receive(raw: string): void {
    const msg = parseRoomServerMessage(raw);
    if (!msg) return;
    switch (msg.type) {
      case 'state':
        this.#setAnnouncement(msg.announcement);
        this.#setFollow(msg.follow);
        this.#setPoll(msg.poll);
        return;
      case 'announce':
        this.#setAnnouncement(msg.announcement);
        return;
      case 'follow':
        this.#setFollow(msg.follow);
        return;
      case 'poll':
        this.#setPoll(msg.poll);
        return;
      case 'voted':
        if (this.poll?.id === msg.pollId) this.myVote = msg.choice;
        return;
      case 'error':
        return;
    }
  }

  #setAnnouncement(a: Announcement | null): void {
    this.announcement = a && !this.#dismissed.has(a.id) ? a : null;
  }

  #setFollow(f: FollowRequest | null): void {
    // Already on the chapter the trainer is on: nothing to ask.
    this.follow = f && !this.#dismissed.has(f.id) && f.chapter !== this.#deps.chapter ? f : null;
  }

  #setPoll(p: PollView | null): void {
    if (p?.id !== this.poll?.id) this.myVote = null;
    this.poll = p;
  }

  #sendPresence(): void {
    this.#send({ type: 'presence', chapter: this.#deps.chapter, demo: this.#demo });
  }

  #send(msg: RoomClientMessage): void {
    if (this.#socket?.readyState === OPEN) this.#socket.send(JSON.stringify(msg));
  }
}
