// State of the MQTT chapter's queue-limit demo: runs the experiment once and keeps its report.
import type { IClientOptions, MqttClient } from 'mqtt';
import { resolveBrokerWsUrl, type ConfigResponse } from '../wire/health.ts';
import type { QueuePhase, QueueReport } from './queue-limit.ts';
import { QUEUE_DEMO_COUNT } from './queue-sizes.ts';

/** What the demo needs from the page. */
export interface QueueDemoDeps {
  pageUrl: () => string;
  fetch: typeof fetch;
  loadConnect: () => Promise<(url: string, opts: IClientOptions) => MqttClient>;
  /** Six random characters of [a-z0-9], so each run has its own topic and client ids. */
  randomId: () => string;
}

/** The demo's state: idle, running (with its phase), or the report (or why it failed). */
export class QueueDemo {
  running = $state(false);
  phase: QueuePhase | null = $state(null);
  published = $state(0);
  readonly total = QUEUE_DEMO_COUNT;
  report: QueueReport | null = $state(null);
  failed = $state(false);
  /** Whether the broker runs with the lab's caps (embedded, or the managed Mosquitto). */
  labCaps = $state(true);
  readonly #deps: QueueDemoDeps;

  constructor(deps: QueueDemoDeps) {
    this.#deps = deps;
  }

  /** The counter's change during the run, or null when the broker publishes no lab statistics. */
  get counted(): number | null {
    const r = this.report;
    if (!r || r.counterBefore === null || r.counterAfter === null) return null;
    return r.counterAfter - r.counterBefore;
  }

  /** Runs the experiment against the broker the page is configured for. */
  async run(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.failed = false;
    this.report = null;
    this.published = 0;
    try {
      const page = this.#deps.pageUrl();
      const config = (await (await this.#deps.fetch('/api/config')).json()) as ConfigResponse;
      // The experiment itself is needed from the first run on only.
      const [connect, { runQueueLimitExperiment }] = await Promise.all([
        this.#deps.loadConnect(),
        import('./queue-limit.ts'),
      ]);
      const url = resolveBrokerWsUrl(config.broker, page);
      this.labCaps = config.broker.mode !== 'external';
      this.report = await runQueueLimitExperiment({
        open: (_role, opts) => connect(url, opts),
        id: this.#deps.randomId(),
        onProgress: (phase, n) => {
          this.phase = phase;
          this.published = n;
        },
      });
    } catch {
      this.failed = true;
    } finally {
      this.running = false;
      this.phase = null;
    }
  }
}
