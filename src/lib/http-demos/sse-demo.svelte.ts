import type { ByteTotals, ClientStats, EventLevel } from '../wire/http-demos.ts';
import { DemoBase, type DemoEnv } from './demo-base.svelte.ts';
import { SseClient, type EventSourceFactory, type SseState } from './sse-client.ts';

/** One block of event-stream text as the server wrote it. */
export interface RawBlock {
  key: number;
  text: string;
}

const RAW_LIMIT = 60;

/** Reactive state of the Server-Sent Events demo. */
export class SseDemo extends DemoBase {
  state: SseState = $state('closed');
  /**
   * Reconnections EventSource made by itself, over the whole visit like every other counter:
   * Stop then Start resumes the stream and is not a reconnect, so it neither counts nor resets.
   */
  reconnects = $state(0);
  /** Attempts that failed since the stream was last open (0 while it is open). */
  failedTries = $state(0);
  drops = $state(0);
  resets = $state(0);
  raw: readonly RawBlock[] = $state.raw([]);
  /** Levels shown in the log (the filter). */
  levels: Record<EventLevel, boolean> = $state({ info: true, warn: true, error: true });
  readonly #client: SseClient;
  #rawKey = 1;
  /** Reconnects counted before the current Start. */
  #reconnectsBefore = 0;

  constructor(env: DemoEnv, open: EventSourceFactory) {
    super(env);
    this.#client = new SseClient(
      { open, clock: env.clock, clientId: this.clientId, ...(env.base ? { base: env.base } : {}) },
      {
        onEvent: (ev, receivedAt, raw) => {
          this.#addRaw(raw);
          this.accept(ev, receivedAt);
          this.publishDelays();
        },
        onHello: (hello, raw) => {
          this.#addRaw(raw);
          this.rate = hello.rate;
          // A fresh stream starts at the server's present: nothing before it counts as missed.
          this.seq.startAt(hello.latest);
        },
        onReset: (reset, raw) => {
          this.#addRaw(raw);
          this.resets++;
          if (reset.reason === 'expired') {
            this.gone += reset.gone;
            this.note('note.reset.expired', { n: reset.gone, id: reset.requested });
          } else if (reset.reason === 'ahead') {
            this.seq.rewind(reset.latest);
            this.note('note.reset.ahead', { id: reset.requested });
          } else {
            this.note('note.reset.invalid', { id: reset.requested });
          }
        },
        onState: (state, sinceStart, failures) => {
          const reconnects = this.#reconnectsBefore + sinceStart;
          const grew = reconnects > this.reconnects;
          this.state = state;
          this.reconnects = reconnects;
          this.failedTries = failures;
          if (grew) this.note('note.reconnected', { id: this.seq.last }, 'info');
          if (state === 'closed' && this.running && !this.paused) {
            this.running = false;
            this.stopTimers();
          }
        },
      },
    );
  }

  protected override pickBytes(stats: ClientStats): ByteTotals {
    return stats.sse;
  }

  /** The log with the level filter applied. */
  get visibleLog() {
    return this.log.filter((e) => this.levels[e.level]);
  }

  /** Measures the clock, then opens the stream (resuming after the last event seen, if any). */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.open();
  }

  protected override async open(): Promise<void> {
    if (this.paused) return;
    await this.measureClock();
    if (!this.running || this.paused) return;
    this.#reconnectsBefore = this.reconnects;
    // Resuming after a pause sends Last-Event-ID: the server replays what the page missed.
    this.#client.start(this.seq.last || undefined);
    this.startTimers();
  }

  protected override suspend(): void {
    this.#client.stop();
    this.stopTimers(false);
  }

  stop(): void {
    if (!this.running) return;
    this.running = false;
    this.#client.stop();
    this.stopTimers();
  }

  /** Asks the server to cut this client's stream; EventSource reconnects by itself. */
  async drop(): Promise<void> {
    try {
      const n = await this.api.drop(this.clientId);
      this.drops++;
      this.note('note.dropped', { n });
    } catch (err) {
      this.fail(err);
    }
  }

  #addRaw(text: string): void {
    const next = [...this.raw, { key: this.#rawKey++, text }];
    this.raw = next.length > RAW_LIMIT ? next.slice(next.length - RAW_LIMIT) : next;
  }
}
