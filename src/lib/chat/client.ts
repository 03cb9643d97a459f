// The chat's protocol client, free of the DOM: it takes a WebSocket constructor and a clock, so
// the same code runs in the page and, against the real server, under vitest in Node.
import {
  CHAT_LIMITS,
  parseServerMessage,
  type ChatMessage,
  type ClientMessage,
  type ServerMessage,
} from '../wire/chat.ts';
import { backoffDelay, CHAT_BACKOFF, type BackoffOptions } from '../backoff.ts';
import { systemTime, type TimeSource } from '../platform.ts';

/** The part of a WebSocket (browser or `ws`) this client uses. */
export interface WebSocketLike {
  readonly readyState: number;
  readonly bufferedAmount: number;
  send(data: string | Uint8Array<ArrayBuffer>): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: string, listener: (ev: unknown) => void): void;
}

/** A WebSocket constructor, such as the browser's `WebSocket` or the `ws` package's. */
export type WebSocketCtor = new (url: string) => WebSocketLike;

/** Where the connection stands. */
export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** A chat message this client sent that the server has not yet acknowledged. */
export interface Pending {
  clientMsgId: string;
  room: string;
  text: string;
  /** Written to the current connection; reset when it closes, so it is sent again. */
  sent: boolean;
}

/** Everything the client reports, in order. */
export type ChatEvent =
  | { kind: 'state'; state: ConnectionState; retryAt: number | null; attempt: number }
  | {
      kind: 'frame';
      dir: 'in' | 'out';
      /** The envelope's `type` (or `?`). */
      type: string;
      /** The message's kind on the wire: a text frame (0x1) or a binary one (0x2), RFC 6455 §5.6. */
      opcode: 'text' | 'binary';
      /** Payload bytes (UTF-8 for text). */
      bytes: number;
      data: string;
      at: number;
    }
  | { kind: 'welcome'; msg: Extract<ServerMessage, { type: 'welcome' }> }
  | {
      kind: 'joined';
      room: string;
      members: string[];
      /** Messages in the replay this client had not seen. */
      missed: ChatMessage[];
      truncated: boolean;
      /** True when this join resumed the room after a reconnect. */
      resumed: boolean;
    }
  | { kind: 'message'; msg: ChatMessage; mine: boolean }
  | { kind: 'acked'; clientMsgId: string; msg: ChatMessage }
  | { kind: 'presence'; msg: Extract<ServerMessage, { type: 'presence' }> }
  | { kind: 'typing'; msg: Extract<ServerMessage, { type: 'typing' }> }
  | { kind: 'left'; room: string }
  | {
      kind: 'error';
      msg: Extract<ServerMessage, { type: 'error' }>;
      /** A message of ours the server refused for good (it will not be sent again). */
      failed: Pending | null;
    }
  | { kind: 'close'; code: number; reason: string; wasClean: boolean }
  /** The browser refused `close(code)` before sending anything (WHATWG: only 1000, 3000-4999). */
  | { kind: 'closeRefused'; code: number; error: string };

/** How to reach the server and whom to tell. */
export interface ChatClientOptions {
  url: string;
  WebSocket: WebSocketCtor;
  nick: string;
  /** Random per page load; makes clientMsgIds unique and lets a reconnect reclaim its nick. */
  session: string;
  onEvent: (ev: ChatEvent) => void;
  clock?: TimeSource;
  random?: () => number;
  backoff?: BackoffOptions;
  /** Frames per second this client allows itself; below the server's limit, to stay clear of it. */
  sendRate?: number;
  /** Delay before resending a message the server refused as rate limited. */
  retryRateLimitedMs?: number;
}

const OPEN = 1;
// RFC 6455 §7.4.2: 4000-4999 are for applications; this one means "the user went offline".
const OFFLINE_CODE = 4000;

/** Byte length of a string as UTF-8, which is what a text frame carries (RFC 6455 §5.6). */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/**
 * A chat connection that survives network cuts: it reconnects with backoff, rejoins its rooms
 * asking for what it missed (`join {room, afterId}`), drops messages it already has (ids only
 * go up within a room), and resends its unacknowledged messages under the same `clientMsgId`,
 * which the server stores only once.
 */
export class ChatClient {
  readonly #opts: ChatClientOptions;
  readonly #clock: TimeSource;
  readonly #random: () => number;
  readonly #rooms = new Map<string, { lastId: number; joined: boolean; resumed: boolean }>();
  readonly #outbox: Pending[] = [];
  readonly #queue: string[] = [];
  #ws: WebSocketLike | null = null;
  #state: ConnectionState = 'closed';
  #attempt = 0;
  #retryTimer: unknown = null;
  #pumpTimer: unknown = null;
  #tokens: number;
  #tokensAt: number;
  #stopped = true;
  #offline = false;
  #bootId: string | null = null;
  #seq = 0;
  #lastTyping = new Map<string, number>();
  /** Frames refused as rate limited, waiting for their retry timer. */
  #retrying = 0;
  /** Messages that arrived twice and were dropped (a replay overlapping what was seen). */
  duplicatesDropped = 0;

  constructor(opts: ChatClientOptions) {
    this.#opts = opts;
    this.#clock = opts.clock ?? systemTime;
    this.#random = opts.random ?? Math.random;
    this.#tokens = this.#rate;
    this.#tokensAt = this.#clock.now();
  }

  get #rate(): number {
    return this.#opts.sendRate ?? CHAT_LIMITS.messagesPerSecond - 2;
  }

  /** Current connection state. */
  get state(): ConnectionState {
    return this.#state;
  }

  /** Bytes handed to the socket but not yet sent (0 without a socket). */
  get bufferedAmount(): number {
    return this.#ws?.bufferedAmount ?? 0;
  }

  /** Frames written by nothing yet: queued behind the client's own pacing or waiting to retry. */
  get waiting(): number {
    return this.#queue.length + this.#retrying;
  }

  /** About how long (ms) until every waiting frame is written, at this client's pace. */
  get drainMs(): number {
    const waiting = this.waiting;
    if (waiting === 0) return 0;
    this.#refill();
    return Math.max(0, Math.ceil(((waiting - this.#tokens) * 1000) / this.#rate));
  }

  /** The frames a second this client allows itself. */
  get sendRate(): number {
    return this.#rate;
  }

  /** Messages sent but not yet acknowledged by the server, oldest first. */
  get pending(): readonly Pending[] {
    return this.#outbox;
  }

  /** Rooms this client is in (or will rejoin), with the newest message id seen in each. */
  get rooms(): ReadonlyMap<string, { lastId: number; joined: boolean }> {
    return this.#rooms;
  }

  /** Opens the connection (again after `stop`). */
  start(): void {
    this.#stopped = false;
    this.#attempt = 0;
    if (!this.#offline && !this.#ws) this.#connect();
  }

  /** Closes for good: no reconnect until `start`. */
  stop(): void {
    this.#stopped = true;
    this.#clearRetry();
    this.#detach(1000, 'bye', true);
    this.#setState('closed');
  }

  /**
   * Simulates losing the network (or rests while the page is hidden): the socket closes and
   * nothing is sent or received until back online. `reason` goes into the close frame.
   */
  setOffline(offline: boolean, reason = 'offline'): void {
    if (offline === this.#offline) return;
    this.#offline = offline;
    if (offline) {
      this.#clearRetry();
      this.#detach(OFFLINE_CODE, reason, true);
      this.#setState('closed');
    } else if (!this.#stopped) {
      this.#attempt = 0;
      this.#connect();
    }
  }

  /** Whether the client is pretending to be offline. */
  get offline(): boolean {
    return this.#offline;
  }

  /** Joins a room now, or on the next connection. */
  join(room: string): void {
    if (!this.#rooms.has(room)) this.#rooms.set(room, { lastId: 0, joined: false, resumed: false });
    if (this.#isOpen) this.#sendJoin(room);
  }

  /** Leaves a room and forgets its unsent messages. */
  leave(room: string): void {
    this.#rooms.delete(room);
    for (let i = this.#outbox.length - 1; i >= 0; i--) {
      if (this.#outbox[i]?.room === room) this.#outbox.splice(i, 1);
    }
    if (this.#isOpen) this.#enqueue({ type: 'leave', room });
  }

  /** Sends a chat message; it stays pending (and is resent after reconnects) until acknowledged. */
  say(room: string, text: string): Pending {
    const p: Pending = { clientMsgId: this.#newId(), room, text, sent: false };
    this.#outbox.push(p);
    if (this.#rooms.get(room)?.joined && this.#isOpen) this.#flushRoom(room);
    return p;
  }

  /** Tells the room we are typing, at most every two seconds, and never at the cost of a message. */
  typing(room: string): void {
    const now = this.#clock.now();
    if (!this.#isOpen || !this.#rooms.get(room)?.joined) return;
    if (now - (this.#lastTyping.get(room) ?? -Infinity) < 2000) return;
    this.#refill();
    if (this.#tokens < 2 || this.#queue.length > 0) return;
    this.#lastTyping.set(room, now);
    this.#enqueue({ type: 'typing', room });
  }

  /**
   * Writes `count` messages straight to the socket without pacing, to show `bufferedAmount`
   * growing. The server accepts its rate limit's worth and refuses the rest as rate limited;
   * those go back to the outbox and are sent again, paced, so none is lost.
   */
  burst(room: string, count: number, size: number): void {
    if (!this.#isOpen || !this.#rooms.get(room)?.joined) return;
    this.#refill();
    for (let i = 1; i <= count; i++) {
      const label = `#${i}/${count} `;
      const p: Pending = {
        clientMsgId: this.#newId(),
        room,
        text: label + '·'.repeat(Math.max(0, size - label.length)),
        sent: true,
      };
      this.#outbox.push(p);
      this.#write({ type: 'chat', room, text: p.text, clientMsgId: p.clientMsgId });
      this.#tokens -= 1;
    }
  }

  /** Sends `bytes` as one binary message (opcode 0x2); the chat answers `bad_json` as text. */
  sendBinary(bytes: Uint8Array<ArrayBuffer>): void {
    const ws = this.#ws;
    if (!ws || !this.#isOpen) return;
    ws.send(bytes);
    this.#emit({
      kind: 'frame',
      dir: 'out',
      type: '?',
      opcode: 'binary',
      bytes: bytes.byteLength,
      data: [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(' '),
      at: this.#clock.now(),
    });
  }

  /**
   * Sends one text message of exactly `bytes` bytes, a chat envelope padded past the server's
   * limit: the server closes with 1009 (RFC 6455 §7.4.1) and the client reconnects.
   */
  sendOversized(room: string, bytes: number): void {
    if (!this.#isOpen) return;
    const head = JSON.stringify({ type: 'chat', room, text: '', clientMsgId: this.#newId() });
    const pad = Math.max(0, bytes - utf8Length(head));
    this.#writeRaw(head.replace('"text":""', `"text":"${'x'.repeat(pad)}"`), false);
  }

  /**
   * Closes the socket with `code` and `reason` as the page's script would, then reconnects like
   * after any close it did not choose. The close event reports what the server answered. A code
   * the browser refuses (anything but 1000 and 3000-4999) throws before anything is sent: that
   * is reported as `closeRefused` and the connection stays open.
   */
  closeWith(code: number, reason: string): void {
    const ws = this.#ws;
    if (!ws || !this.#isOpen) return;
    try {
      ws.close(code, reason);
    } catch (err) {
      this.#emit({ kind: 'closeRefused', code, error: (err as Error).name || 'Error' });
    }
  }

  /** Asks the server to destroy this connection, as a network cut would. */
  requestDrop(): void {
    if (this.#isOpen) this.#write({ type: 'drop' });
  }

  get #isOpen(): boolean {
    return this.#ws !== null && this.#ws.readyState === OPEN && this.#state === 'open';
  }

  #newId(): string {
    this.#seq += 1;
    return `${this.#opts.session}-${this.#seq.toString(36)}`;
  }

  #connect(): void {
    this.#clearRetry();
    this.#setState('connecting');
    let ws: WebSocketLike;
    try {
      ws = new this.#opts.WebSocket(this.#opts.url);
    } catch {
      this.#scheduleReconnect();
      return;
    }
    this.#ws = ws;
    ws.addEventListener('open', () => {
      if (ws !== this.#ws) return;
      this.#setState('open');
      this.#write({ type: 'hello', nick: this.#opts.nick, session: this.#opts.session });
      this.#tokens -= 1;
      for (const room of this.#rooms.keys()) this.#sendJoin(room);
    });
    ws.addEventListener('message', (ev) => {
      if (ws !== this.#ws) return;
      const data = (ev as { data?: unknown }).data;
      if (typeof data === 'string') this.#receive(data);
      else this.#receiveBinary(data);
    });
    ws.addEventListener('close', (ev) => {
      if (ws !== this.#ws) return;
      const e = ev as { code?: number; reason?: string; wasClean?: boolean };
      this.#ws = null;
      this.#afterClose(e.code ?? 1006, e.reason ?? '', e.wasClean ?? false);
      if (this.#stopped || this.#offline) this.#setState('closed');
      else this.#scheduleReconnect();
    });
    // An 'error' is always followed by 'close', which does the work.
    ws.addEventListener('error', () => {});
  }

  /** Stops listening to the current socket at once and closes it. */
  #detach(code: number, reason: string, wasClean: boolean): void {
    const ws = this.#ws;
    if (!ws) return;
    this.#ws = null;
    try {
      ws.close(code, reason);
    } catch {
      // already closing
    }
    this.#afterClose(code, reason, wasClean);
  }

  #afterClose(code: number, reason: string, wasClean: boolean): void {
    this.#queue.length = 0;
    if (this.#pumpTimer !== null) this.#clock.clearTimeout(this.#pumpTimer);
    this.#pumpTimer = null;
    for (const p of this.#outbox) p.sent = false;
    for (const r of this.#rooms.values()) r.joined = false;
    this.#emit({ kind: 'close', code, reason, wasClean });
  }

  #scheduleReconnect(): void {
    const delay = backoffDelay(this.#attempt, this.#random, this.#opts.backoff ?? CHAT_BACKOFF);
    this.#attempt += 1;
    const retryAt = this.#clock.now() + delay;
    this.#retryTimer = this.#clock.setTimeout(() => {
      this.#retryTimer = null;
      this.#connect();
    }, delay);
    this.#state = 'reconnecting';
    this.#emit({ kind: 'state', state: 'reconnecting', retryAt, attempt: this.#attempt });
  }

  #clearRetry(): void {
    if (this.#retryTimer !== null) this.#clock.clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
  }

  #setState(state: ConnectionState): void {
    if (state === this.#state) return;
    this.#state = state;
    this.#emit({ kind: 'state', state, retryAt: null, attempt: this.#attempt });
  }

  #sendJoin(room: string): void {
    const r = this.#rooms.get(room);
    if (!r) return;
    r.resumed = r.lastId > 0;
    this.#enqueue(
      r.lastId > 0 ? { type: 'join', room, afterId: r.lastId } : { type: 'join', room },
    );
  }

  #flushRoom(room: string): void {
    for (const p of this.#outbox) {
      if (p.room !== room || p.sent) continue;
      p.sent = true;
      this.#enqueue({ type: 'chat', room, text: p.text, clientMsgId: p.clientMsgId });
    }
  }

  // The chat server sends only text; anything else is shown as what it is and otherwise ignored.
  #receiveBinary(data: unknown): void {
    const size = (data as { byteLength?: number; size?: number } | null) ?? {};
    this.#emit({
      kind: 'frame',
      dir: 'in',
      type: '?',
      opcode: 'binary',
      bytes: size.byteLength ?? size.size ?? 0,
      data: '',
      at: this.#clock.now(),
    });
  }

  #receive(data: string): void {
    const msg = parseServerMessage(data);
    this.#emit({
      kind: 'frame',
      dir: 'in',
      type: msg?.type ?? '?',
      opcode: 'text',
      bytes: utf8Length(data),
      data,
      at: this.#clock.now(),
    });
    if (!msg) return;
    switch (msg.type) {
      case 'welcome':
        // A new bootId means the server restarted and its ids started over.
        if (this.#bootId !== null && this.#bootId !== msg.bootId) {
          for (const r of this.#rooms.values()) r.lastId = 0;
        }
        this.#bootId = msg.bootId;
        this.#attempt = 0;
        this.#emit({ kind: 'welcome', msg });
        return;
      case 'hello':
        return;
      case 'joined': {
        const r = this.#rooms.get(msg.room);
        if (!r) return; // left meanwhile
        const missed = msg.history.filter((m) => this.#accept(m));
        const resumed = r.resumed;
        r.joined = true;
        this.#emit({
          kind: 'joined',
          room: msg.room,
          members: msg.members,
          missed,
          truncated: msg.truncated,
          resumed,
        });
        this.#flushRoom(msg.room);
        return;
      }
      case 'chat': {
        if (!this.#rooms.has(msg.room)) return;
        const mine = this.#settle(msg);
        if (this.#accept(msg)) this.#emit({ kind: 'message', msg, mine });
        return;
      }
      case 'left':
        this.#emit({ kind: 'left', room: msg.room });
        return;
      case 'presence':
        if (this.#rooms.has(msg.room)) this.#emit({ kind: 'presence', msg });
        return;
      case 'typing':
        if (this.#rooms.has(msg.room)) this.#emit({ kind: 'typing', msg });
        return;
      case 'error':
        this.#emit({ kind: 'error', msg, failed: this.#onError(msg) });
        return;
    }
  }

  /** Takes a message off the outbox when the server echoes it; true if it was ours. */
  #settle(msg: ChatMessage): boolean {
    if (msg.clientMsgId === undefined) return false;
    const i = this.#outbox.findIndex((p) => p.clientMsgId === msg.clientMsgId);
    if (i < 0) return false;
    this.#outbox.splice(i, 1);
    this.#emit({ kind: 'acked', clientMsgId: msg.clientMsgId, msg });
    return true;
  }

  /** True for a message not seen before; ids only go up within a room. */
  #accept(msg: ChatMessage): boolean {
    const r = this.#rooms.get(msg.room);
    if (!r) return false;
    if (msg.id <= r.lastId) {
      this.duplicatesDropped += 1;
      return false;
    }
    r.lastId = msg.id;
    return true;
  }

  #onError(msg: Extract<ServerMessage, { type: 'error' }>): Pending | null {
    const ref = msg.ref;
    if (ref === undefined) return null;
    const i = this.#outbox.findIndex((p) => p.clientMsgId === ref);
    const pending = i >= 0 ? this.#outbox[i] : undefined;
    if (msg.code === 'rate_limited') {
      // Not stored, so it is safe to send again once the limit allows.
      if (pending) {
        this.#retryLater(() => {
          if (pending.sent) this.#resend(pending);
        });
      } else if (this.#rooms.has(ref)) this.#retryLater(() => this.#sendJoin(ref));
      return null;
    }
    if (pending) {
      this.#outbox.splice(i, 1);
      return pending;
    }
    if (this.#rooms.has(ref) && msg.code !== 'not_joined') {
      // The server would not let us in (nick taken, too many rooms): stop trying.
      this.#rooms.delete(ref);
    }
    return null;
  }

  #retryLater(fn: () => void): void {
    const ws = this.#ws;
    this.#retrying += 1;
    this.#clock.setTimeout(() => {
      this.#retrying -= 1;
      if (ws === this.#ws && this.#isOpen) fn();
    }, this.#opts.retryRateLimitedMs ?? 1000);
  }

  #resend(p: Pending): void {
    this.#enqueue({ type: 'chat', room: p.room, text: p.text, clientMsgId: p.clientMsgId });
  }

  #refill(): void {
    const now = this.#clock.now();
    this.#tokens = Math.min(
      this.#rate,
      this.#tokens + ((now - this.#tokensAt) * this.#rate) / 1000,
    );
    this.#tokensAt = now;
  }

  /** Queues a frame behind the client's own rate limit, so the server never has to refuse it. */
  #enqueue(msg: ClientMessage): void {
    this.#queue.push(JSON.stringify(msg));
    this.#pump();
  }

  #pump(): void {
    if (this.#pumpTimer !== null) return;
    this.#refill();
    while (this.#queue.length > 0 && this.#tokens >= 1) {
      const frame = this.#queue.shift();
      if (frame === undefined || !this.#ws) break;
      this.#tokens -= 1;
      this.#writeRaw(frame);
    }
    if (this.#queue.length > 0) {
      const wait = Math.ceil(((1 - this.#tokens) * 1000) / this.#rate);
      this.#pumpTimer = this.#clock.setTimeout(
        () => {
          this.#pumpTimer = null;
          this.#pump();
        },
        Math.max(1, wait),
      );
    }
  }

  #write(msg: ClientMessage): void {
    this.#writeRaw(JSON.stringify(msg));
  }

  /** Writes one text message; `showAll` false shortens what the inspector keeps of a huge one. */
  #writeRaw(frame: string, showAll = true): void {
    const ws = this.#ws;
    if (!ws || ws.readyState !== OPEN) return;
    ws.send(frame);
    const type = /^\{"type":"([a-z]+)"/.exec(frame)?.[1] ?? '?';
    this.#emit({
      kind: 'frame',
      dir: 'out',
      type,
      opcode: 'text',
      bytes: utf8Length(frame),
      data: showAll || frame.length <= 120 ? frame : `${frame.slice(0, 100)}…`,
      at: this.#clock.now(),
    });
  }

  #emit(ev: ChatEvent): void {
    this.#opts.onEvent(ev);
  }
}
