import type { ByteTotals, ClientStats } from '../wire/http-demos.ts';
import { DemoBase, type DemoEnv } from './demo-base.svelte.ts';
import { PollClient } from './poll-client.ts';

/** Reactive state of the short-polling demo. */
export class PollDemo extends DemoBase {
  intervalMs = $state(2000);
  requests = $state(0);
  empty = $state(0);
  /** Events per non-empty answer, last answer. */
  lastBatch = $state(0);
  readonly #client: PollClient;

  constructor(env: DemoEnv, intervalMs = 2000) {
    super(env);
    this.intervalMs = intervalMs;
    this.#client = new PollClient(
      {
        fetch: env.fetch,
        clock: env.clock,
        timers: env.timers,
        clientId: this.clientId,
        ...(env.base ? { base: env.base } : {}),
      },
      {
        onResult: (result, receivedAt) => {
          this.requests++;
          if (result.rewound) {
            this.seq.rewind(0);
            this.note('note.rewound');
          }
          if (result.gone > 0) {
            this.gone += result.gone;
            this.note('note.gone', { n: result.gone });
          }
          if (result.events.length === 0) this.empty++;
          else this.lastBatch = result.events.length;
          for (const ev of result.events) this.accept(ev, receivedAt);
          if (result.events.length) this.publishDelays();
          this.error = null;
        },
        onError: (err) => {
          this.requests++;
          this.fail(err);
        },
      },
      intervalMs,
    );
  }

  /** Share of answers that carried no event (0..1), NaN before the first. */
  get emptyShare(): number {
    return this.requests ? this.empty / this.requests : NaN;
  }

  /** The average wait an event spends before the next poll picks it up: interval / 2. */
  get theoreticalDelay(): number {
    return this.intervalMs / 2;
  }

  protected override pickBytes(stats: ClientStats): ByteTotals {
    return stats.poll;
  }

  /** Measures the clock, then polls. Starting from the present: older events are not replayed. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.open();
  }

  protected override async open(): Promise<void> {
    if (this.paused) return;
    if (!(await this.prepareFromPresent()) || this.paused) return;
    this.#client.cursor = this.seq.last;
    this.#client.start();
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

  /** Changes the polling interval (0.5-10 s). */
  setInterval(ms: number): void {
    this.intervalMs = ms;
    this.#client.intervalMs = ms;
  }
}
