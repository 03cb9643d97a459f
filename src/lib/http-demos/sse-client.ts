import type { Clock } from '../measure/clock.ts';
import type { HelloNotice, ResetNotice, TickerEvent } from '../wire/http-demos.ts';
import { isTickerEvent, serializeSse } from '../wire/http-demos.ts';

/** The part of a `MessageEvent` the client reads. */
export interface SseMessageLike {
  data: unknown;
  lastEventId: string;
}

/** The part of `EventSource` the client uses (the browser's, or the `eventsource` package). */
export interface EventSourceLike {
  readonly readyState: number;
  addEventListener(type: string, listener: (ev: SseMessageLike) => void): void;
  close(): void;
}

/** Constructs an EventSource for a URL. */
export type EventSourceFactory = (url: string) => EventSourceLike;

/** What an SSE client needs from its surroundings. */
export interface SseDeps {
  open: EventSourceFactory;
  clock: Clock;
  clientId: string;
  base?: string;
}

/** Callbacks of an SSE client. */
export interface SseHandlers {
  /** A ticker event, with the local time it arrived and the stream text it came as. */
  onEvent(ev: TickerEvent, receivedAt: number, raw: string): void;
  /** First event of every (re)connection: where the stream starts. */
  onHello?(hello: HelloNotice, raw: string): void;
  /** The server could not resume where asked, and says why and how many events are gone. */
  onReset?(reset: ResetNotice, raw: string): void;
  /**
   * Connection state changes; `reconnects` counts opens after the first, `failures` the attempts
   * that failed since the stream was last open (the browser retries by itself after each).
   */
  onState?(state: SseState, reconnects: number, failures: number): void;
}

/** Where the stream is: connecting (or reconnecting), open, or closed for good. */
export type SseState = 'connecting' | 'open' | 'closed';

// EventSource.readyState values (HTML: "CONNECTING (0), OPEN (1), CLOSED (2)").
const CLOSED = 2;

/**
 * Rebuilds the event-stream text of one dispatched event. EventSource hides the raw stream, but
 * the server writes every event with `serializeSse`, so this gives back the same bytes (comments
 * and `retry:` lines never reach a page, so they cannot be shown).
 */
export function rebuildRaw(type: string, msg: SseMessageLike): string {
  return serializeSse({
    event: type,
    ...(msg.lastEventId && type !== 'reset' ? { id: msg.lastEventId } : {}),
    data: typeof msg.data === 'string' ? msg.data : '',
  });
}

/**
 * Server-Sent Events: one `EventSource` on `/api/sse`. The browser reconnects by itself after a
 * drop and sends `Last-Event-ID`; the server replays what was missed from its buffer.
 */
export class SseClient {
  #source: EventSourceLike | null = null;
  #opens = 0;
  #failures = 0;
  readonly #deps: SseDeps;
  readonly #on: SseHandlers;

  constructor(deps: SseDeps, handlers: SseHandlers) {
    this.#deps = deps;
    this.#on = handlers;
  }

  get running(): boolean {
    return this.#source !== null;
  }

  /** Opens the stream; `lastEventId` resumes after that seq on the first connection. */
  start(lastEventId?: number): void {
    if (this.#source) return;
    this.#opens = 0;
    this.#failures = 0;
    const q = new URLSearchParams({ clientId: this.#deps.clientId });
    if (lastEventId !== undefined && lastEventId > 0) q.set('lastEventId', String(lastEventId));
    const source = this.#deps.open(`${this.#deps.base ?? ''}/api/sse?${q.toString()}`);
    this.#source = source;
    this.#on.onState?.('connecting', 0, 0);

    source.addEventListener('open', () => {
      this.#opens++;
      this.#failures = 0;
      this.#on.onState?.('open', Math.max(0, this.#opens - 1), 0);
    });
    source.addEventListener('error', () => {
      if (this.#source !== source) return;
      // CLOSED means the browser gave up (an HTTP error such as 429): it will not retry.
      const closed = source.readyState === CLOSED;
      if (closed) this.#source = null;
      // HTML: a network error makes EventSource "reestablish the connection" (readyState
      // CONNECTING, then an error event per failed attempt): count them so the page can say so.
      this.#failures++;
      const reconnects = Math.max(0, this.#opens - 1);
      this.#on.onState?.(closed ? 'closed' : 'connecting', reconnects, this.#failures);
    });
    const onTicker = (type: string) => (msg: SseMessageLike) => {
      const receivedAt = this.#deps.clock();
      const ev = parse(msg.data);
      if (isTickerEvent(ev)) this.#on.onEvent(ev, receivedAt, rebuildRaw(type, msg));
    };
    source.addEventListener('reading', onTicker('reading'));
    source.addEventListener('log', onTicker('log'));
    source.addEventListener('hello', (msg) => {
      const hello = parse(msg.data) as HelloNotice | null;
      if (hello) this.#on.onHello?.(hello, rebuildRaw('hello', msg));
    });
    source.addEventListener('reset', (msg) => {
      const reset = parse(msg.data) as ResetNotice | null;
      if (reset) this.#on.onReset?.(reset, rebuildRaw('reset', msg));
    });
  }

  /** Closes the stream for good. */
  stop(): void {
    this.#source?.close();
    this.#source = null;
    this.#on.onState?.('closed', Math.max(0, this.#opens - 1), 0);
  }
}

function parse(data: unknown): unknown {
  if (typeof data !== 'string') return null;
  try {
    return JSON.parse(data) as unknown;
  } catch {
    return null;
  }
}
