import type { HealthResponse } from '../wire/health.ts';

/** What the badge shows: not yet known, answering, or not answering. */
export type Reachability = 'checking' | 'connected' | 'unreachable';

/** Reactive state of the server status badge: polls the health endpoint while started. */
export class ServerStatus {
  state: Reachability = $state('checking');
  health: HealthResponse | null = $state(null);
  error: string | null = $state(null);

  readonly #check: () => Promise<HealthResponse>;
  readonly #intervalMs: number;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #running = false;

  constructor(check: () => Promise<HealthResponse>, intervalMs = 5000) {
    this.#check = check;
    this.#intervalMs = intervalMs;
  }

  /** Starts polling at once and then every interval. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    void this.refresh();
  }

  /** Stops polling; a check in flight is ignored when it lands. */
  stop(): void {
    this.#running = false;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  /** Checks now, then schedules the next check. */
  async refresh(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    try {
      const health = await this.#check();
      if (!this.#running) return;
      this.health = health;
      this.error = null;
      this.state = 'connected';
    } catch (err) {
      if (!this.#running) return;
      this.error = (err as Error).message;
      this.state = 'unreachable';
    }
    this.#timer = setTimeout(() => void this.refresh(), this.#intervalMs);
  }
}
