import type { ByteTotals, ClientStats, TickerEvent } from '../wire/http-demos.ts';
import { RATE_DEFAULT } from '../wire/http-demos.ts';
import type { ApiErrorCode } from '../wire/health.ts';
import {
  DelayRecorder,
  SequenceTracker,
  measureOffset,
  type Clock,
  type DelayPoint,
} from '../measure/index.ts';
import { DemoApi, HttpError, newClientId } from './api.ts';
import type { FetchLike, Timers } from '../platform.ts';
import { loadTrainer } from '../trainer/status.ts';
import type { Pausable, PauseReason } from '../lifecycle/page-lifecycle.ts';
import { watchStore } from '../status/store-report.ts';

/** Everything a demo's state needs from the page, passed in so tests can fake it. */
export interface DemoEnv {
  fetch: FetchLike;
  clock: Clock;
  timers: Timers;
  random: () => number;
  clientId?: string;
  base?: string;
  /** How often to refresh the server's byte counts while running (ms). */
  statsEveryMs?: number;
  /** Told when the lab refused a request because its shared store (Redis) is away. */
  onStoreDown?: () => void;
}

/** Remarks a demo adds to its log; the island turns them into words (see i18n/http-demos.ts). */
export type NoteKey =
  | 'note.rewound'
  | 'note.gone'
  | 'note.retry'
  | 'note.dropped'
  | 'note.timeout'
  | 'note.reconnected'
  | 'note.reset.expired'
  | 'note.reset.invalid'
  | 'note.reset.ahead'
  | 'note.paused.hidden'
  | 'note.paused.offline'
  | 'note.paused.frozen'
  | 'note.resumed';

/** One line of a demo's event log. */
export interface LogEntry {
  /** Unique key for rendering. */
  key: number;
  seq: number | null;
  level: 'info' | 'warn' | 'error';
  /** The event's own text (ticker payload), empty for notes. */
  text: string;
  /** For notes: what to say. */
  note?: { key: NoteKey; vars: Record<string, string | number> };
  /** Delivery delay (ms), for events. */
  delay: number | null;
  /** `note` lines are the demo's own remarks (drops, resets, timeouts), not ticker events. */
  kind: 'event' | 'note';
}

const LOG_LIMIT = 200;
/** How long "too many, not sent" stays next to the button (ms). */
const SEND_REFUSED_SHOWN_MS = 4000;

/**
 * What every HTTP demo measures the same way: clock offset, per-event delay, lost and repeated
 * events (from seq gaps), exact bytes (from the server), and a bounded log.
 */
export class DemoBase implements Pausable {
  readonly clientId: string;
  readonly api: DemoApi;
  running = $state(false);
  received = $state(0);
  missed = $state(0);
  duplicates = $state(0);
  /** Events the server said are gone for good (outside its buffer). */
  gone = $state(0);
  /** Server clock minus ours (ms) and the round trip of the best sample, once measured. */
  offset: number | null = $state(null);
  rtt: number | null = $state(null);
  delayP50 = $state(NaN);
  delayP99 = $state(NaN);
  delayMean = $state(NaN);
  points: readonly DelayPoint[] = $state.raw([]);
  log: readonly LogEntry[] = $state.raw([]);
  bytes: ByteTotals = $state({ requests: 0, bytesIn: 0, bytesOut: 0 });
  rate = $state(RATE_DEFAULT);
  /** Whether this browser may set the shared rate: false shows the control disabled, with why. */
  trainer: boolean | null = $state(null);
  error: string | null = $state(null);
  /**
   * The server refused "send an event now" as too many (429). Kept apart from `error`, which the
   * polling loops clear on every good answer, so the refusal stays readable for a few seconds.
   */
  sendRefused = $state(false);
  /** Local time, refreshed while running so ages can be shown. */
  now = $state(0);
  /**
   * Why the page lifecycle has the connection resting (hidden, offline, in the back/forward
   * cache), or null. `running` keeps the reader's choice; the connection follows both.
   */
  paused: PauseReason | null = $state(null);

  protected readonly env: DemoEnv;
  protected readonly seq = new SequenceTracker();
  protected readonly delays = new DelayRecorder(300);
  #statsTimer: unknown = null;
  #refusedTimer: unknown = null;
  #nextKey = 1;

  constructor(env: DemoEnv) {
    this.env = env;
    this.clientId = env.clientId ?? newClientId(env.random);
    this.api = new DemoApi(env.fetch, env.base);
    this.now = env.clock();
  }

  /** Which of the visitor's byte totals this demo shows. */
  protected pickBytes(_stats: ClientStats): ByteTotals {
    return { requests: 0, bytesIn: 0, bytesOut: 0 };
  }

  /** Measures the clock offset against `/api/time` (NTP style) and reads the ticker rate. */
  async measureClock(): Promise<void> {
    const est = await measureOffset(() => this.api.time(), this.env.clock, 5);
    if (est) {
      this.offset = est.offset;
      this.rtt = est.rtt;
      this.delays.offset = est.offset;
    }
  }

  /**
   * Measures the clock, then (on the first start) puts the cursor at the ticker's newest event,
   * so older events are not replayed. False when the demo was stopped meanwhile.
   */
  protected async prepareFromPresent(): Promise<boolean> {
    await this.measureClock();
    if (!this.running) return false;
    if (this.seq.last === 0) {
      try {
        const info = await this.api.ticker();
        this.rate = info.rate;
        this.seq.startAt(info.latest);
      } catch (err) {
        this.fail(err);
      }
    }
    return true;
  }

  /** Reads the ticker's current rate, and whether this browser is the trainer who sets it. */
  async loadTicker(): Promise<void> {
    const trainer = loadTrainer((url) => this.env.fetch(url), this.env.base ?? '');
    try {
      this.rate = (await this.api.ticker()).rate;
    } catch (err) {
      this.fail(err);
    }
    this.trainer = await trainer;
  }

  /** Changes the ticker rate (for every visitor: all demos read the same stream). */
  async setRate(rate: number): Promise<void> {
    try {
      this.rate = (await this.api.setRate(rate)).rate;
    } catch (err) {
      // The lab says this is the trainer's control: show it as such rather than as a failure.
      if (err instanceof HttpError && err.status === 403) this.trainer = false;
      else this.fail(err);
    }
  }

  /** Asks the server for one event now; a 429 shows as `sendRefused` for a few seconds. */
  async sendNow(): Promise<void> {
    try {
      await this.api.emitNow(this.clientId);
      this.error = null;
      this.#showRefused(false);
    } catch (err) {
      if (err instanceof HttpError && err.status === 429) this.#showRefused(true);
      else this.fail(err);
    }
  }

  #showRefused(refused: boolean): void {
    const { timers } = this.env;
    if (this.#refusedTimer !== null) timers.clearTimeout(this.#refusedTimer);
    this.#refusedTimer = null;
    this.sendRefused = refused;
    if (refused) {
      this.#refusedTimer = timers.setTimeout(() => {
        this.#refusedTimer = null;
        this.sendRefused = false;
      }, SEND_REFUSED_SHOWN_MS);
    }
  }

  /** Refreshes the exact byte counts from the server. */
  async refreshStats(): Promise<void> {
    try {
      this.bytes = this.pickBytes(await this.api.stats(this.clientId));
    } catch {
      // Counts are informative; a failed refresh is retried on the next round.
    }
  }

  /** Counts one delivered event: gap check, delay, log line. */
  protected accept(ev: TickerEvent, receivedAt: number): void {
    const before = this.seq.counts;
    this.seq.accept(ev.seq);
    const after = this.seq.counts;
    this.received = after.received;
    this.missed = after.missed;
    this.duplicates = after.duplicates;
    if (after.duplicates > before.duplicates) return;
    const delay = this.delays.record(ev.seq, ev.ts, receivedAt);
    this.addLog({ seq: ev.seq, level: ev.level, text: ev.text, delay, kind: 'event' });
  }

  /** Publishes the delay window to the chart and the counters (once per batch). */
  protected publishDelays(): void {
    const s = this.delays.summary();
    this.delayP50 = s.p50;
    this.delayP99 = s.p99;
    this.delayMean = s.mean;
    this.points = [...this.delays.points];
  }

  /** Adds a log line, keeping the newest LOG_LIMIT. */
  protected addLog(entry: Omit<LogEntry, 'key'>): void {
    const next = [...this.log, { ...entry, key: this.#nextKey++ }];
    this.log = next.length > LOG_LIMIT ? next.slice(next.length - LOG_LIMIT) : next;
  }

  /** Adds a remark of the demo itself to the log. */
  protected note(
    key: NoteKey,
    vars: Record<string, string | number> = {},
    level: LogEntry['level'] = 'warn',
  ): void {
    this.addLog({ seq: null, level, text: '', note: { key, vars }, delay: null, kind: 'note' });
  }

  protected fail(err: unknown): void {
    // The page's store notice says this in the reader's language; the server's text is English.
    // A literal rather than STORE_UNAVAILABLE: this keeps wire/health.ts out of the page's start.
    if (err instanceof HttpError && err.code === ('store_unavailable' satisfies ApiErrorCode)) {
      this.error = null;
      this.env.onStoreDown?.();
      return;
    }
    this.error = err instanceof HttpError || err instanceof Error ? err.message : String(err);
  }

  /** Starts the periodic byte-count refresh and the `now` clock. */
  protected startTimers(): void {
    // A demo runs: from now on the page's store notice may have something to say.
    watchStore();
    const every = this.env.statsEveryMs ?? 1000;
    const tick = (): void => {
      this.now = this.env.clock();
      void this.refreshStats();
      this.#statsTimer = this.env.timers.setTimeout(tick, every);
    };
    this.#statsTimer = this.env.timers.setTimeout(tick, every);
  }

  /** Stops the refresh, then reads the final counts once (not when pausing: maybe offline). */
  protected stopTimers(readFinal = true): void {
    if (this.#statsTimer !== null) this.env.timers.clearTimeout(this.#statsTimer);
    this.#statsTimer = null;
    if (readFinal) void this.refreshStats();
  }

  /** The page went hidden, offline or into the cache: close the connection, keep the cursor. */
  pause(reason: PauseReason): void {
    const was = this.paused;
    if (was === reason) return;
    this.paused = reason;
    if (!this.running) return;
    if (was === null) this.suspend();
    this.note(`note.paused.${reason}`, {}, 'info');
  }

  /** The page is back: reopen from the cursor, so what was published meanwhile is caught up. */
  resume(_restored: boolean): void {
    if (this.paused === null) return;
    this.paused = null;
    if (!this.running) return;
    this.note('note.resumed', { id: this.seq.last }, 'info');
    void this.open();
  }

  /** Opens the demo's connection (subclasses); does nothing while paused. */
  protected async open(): Promise<void> {}

  /** Closes the demo's connection and timers without forgetting that the reader started it. */
  protected suspend(): void {
    this.stopTimers(false);
  }

  /** The resume cursor. */
  get cursor(): number {
    return this.seq.last;
  }
}
