import type { ByteTotals, ClientStats } from '../wire/http-demos.ts';
import { LONG_POLL_TIMEOUT_DEFAULT_S } from '../wire/http-demos.ts';
import { DemoBase, type DemoEnv } from './demo-base.svelte.ts';
import type { LongPollClient } from './long-poll-client.ts';

/** Reactive state of the long-polling demo. */
export class LongPollDemo extends DemoBase {
  /** Local time the current request was sent, while one is held; null between requests. */
  pendingSince: number | null = $state(null);
  cycles = $state(0);
  timeouts = $state(0);
  failures = $state(0);
  drops = $state(0);
  /** Events in the last answer with events, and the mean over all such answers. */
  lastBatch = $state(0);
  batches = $state(0);
  /** When the client will retry after an error (local time), or null. */
  retryAt: number | null = $state(null);
  holdSeconds = $state(LONG_POLL_TIMEOUT_DEFAULT_S);
  /** The request loop, from the first Start on (its module loads then). */
  #client: LongPollClient | null = null;
  readonly #env: DemoEnv;
  #eventsInBatches = 0;

  constructor(env: DemoEnv) {
    super(env);
    this.#env = env;
  }

  async #loop(): Promise<LongPollClient> {
    if (this.#client) return this.#client;
    const env = this.#env;
    const { LongPollClient } = await import('./long-poll-client.ts');
    this.#client ??= new LongPollClient(
      {
        fetch: env.fetch,
        clock: env.clock,
        timers: env.timers,
        random: env.random,
        clientId: this.clientId,
        ...(env.base ? { base: env.base } : {}),
      },
      {
        onRequest: (at) => {
          this.pendingSince = at;
          this.retryAt = null;
          this.now = at;
        },
        onResult: (result, receivedAt) => {
          this.pendingSince = null;
          this.cycles++;
          this.error = null;
          if (result.status === 204) {
            this.timeouts++;
            return;
          }
          if (result.rewound) {
            this.seq.rewind(0);
            this.note('note.rewound');
          }
          if (result.gone > 0) this.gone += result.gone;
          if (result.events.length) {
            this.batches++;
            this.lastBatch = result.events.length;
            this.#eventsInBatches += result.events.length;
          }
          for (const ev of result.events) this.accept(ev, receivedAt);
          if (result.events.length) this.publishDelays();
        },
        onError: (err, retryIn) => {
          this.pendingSince = null;
          this.failures++;
          this.retryAt = env.clock() + retryIn;
          this.fail(err);
          this.note('note.retry', { ms: Math.round(retryIn), error: err.message });
        },
      },
      this.holdSeconds,
    );
    return this.#client;
  }

  /** Mean events per answer that carried events. */
  get meanBatch(): number {
    return this.batches ? this.#eventsInBatches / this.batches : NaN;
  }

  protected override pickBytes(stats: ClientStats): ByteTotals {
    return stats.longPoll;
  }

  /** Measures the clock, then starts the request loop from the present. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.open();
  }

  protected override async open(): Promise<void> {
    if (this.paused) return;
    if (!(await this.prepareFromPresent()) || this.paused) return;
    const client = await this.#loop();
    // Stopped or paused while the loop's module loaded: nothing to start.
    if (this.paused || !this.running) return;
    client.cursor = this.seq.last;
    client.start();
    this.startTimers();
  }

  protected override suspend(): void {
    this.pendingSince = null;
    this.retryAt = null;
    this.#client?.stop();
    this.stopTimers(false);
  }

  stop(): void {
    if (!this.running) return;
    this.running = false;
    this.pendingSince = null;
    this.retryAt = null;
    this.#client?.stop();
    this.stopTimers();
  }

  /** Seconds the server holds each request (1-60). */
  setHold(seconds: number): void {
    this.holdSeconds = seconds;
    if (this.#client) this.#client.holdSeconds = seconds;
  }

  /** Asks the server to cut this client's held request, as a network failure would. */
  async drop(): Promise<void> {
    try {
      const n = await this.api.drop(this.clientId);
      this.drops++;
      this.note('note.dropped', { n });
    } catch (err) {
      this.fail(err);
    }
  }
}
