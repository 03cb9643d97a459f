import {
  RATE_KEYS,
  WORKSHOP_API,
  type FaultKind,
  type JoinUrl,
  type PollRequest,
  type RateKey,
  type RoomView,
} from '../wire/workshop.ts';
import { TRAINER_API, type TrainerAction, type TrainerStatus } from '../wire/trainer.ts';
import type { FetchLike } from '../platform.ts';
import { watchStore } from '../status/store-report.ts';

/** One point of the rate chart. */
export interface RatePoint {
  /** Seconds since the desk started. */
  t: number;
  rates: Record<RateKey, number>;
}

/** Where the desk is: checking who this browser is, asking for the token, or running the room. */
export type DeskState = 'checking' | 'login' | 'ready';

const HISTORY = 60;

/** Reactive state of the trainer page: it polls the room and sends the trainer's actions. */
export class TrainerDesk {
  state: DeskState = $state('checking');
  status: TrainerStatus | null = $state(null);
  join: JoinUrl[] = $state([]);
  /** The join addresses are still being asked for (the page keeps their place meanwhile). */
  joinPending = $state(true);
  room: RoomView | null = $state(null);
  history: RatePoint[] = $state([]);
  log: TrainerAction[] = $state([]);
  /** The last refused action or failed request, as the server worded it. */
  error: string | null = $state(null);
  /** A wrong token was typed. */
  loginFailed = $state(false);
  busy = $state(false);

  readonly #fetch: FetchLike;
  readonly #joinPath: () => string;
  readonly #intervalMs: number;
  readonly #now: () => number;
  readonly #startedAt: number;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #running = false;

  constructor(
    fetchFn: FetchLike,
    opts: { joinPath: () => string; intervalMs?: number; now?: () => number },
  ) {
    this.#fetch = fetchFn;
    this.#joinPath = opts.joinPath;
    this.#intervalMs = opts.intervalMs ?? 1000;
    this.#now = opts.now ?? (() => performance.now());
    this.#startedAt = this.#now();
  }

  /** Learns whether this browser is the trainer, then polls the room while it is. */
  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    watchStore();
    await this.#checkTrainer();
  }

  /** Stops polling. */
  stop(): void {
    this.#running = false;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  /** Logs in with the trainer token (it travels in a POST body, never in a URL). */
  async login(token: string): Promise<void> {
    this.loginFailed = false;
    const res = await this.#fetch(TRAINER_API.login, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token }),
    }).catch(() => null);
    if (!res?.ok) {
      this.loginFailed = true;
      this.error = res ? await errorText(res) : null;
      return;
    }
    this.error = null;
    await this.#checkTrainer();
  }

  /** Ends this browser's trainer session. */
  async logout(): Promise<void> {
    await this.#fetch(TRAINER_API.logout, { method: 'POST' }).catch(() => null);
    await this.#checkTrainer();
  }

  /** Shows a one-line announcement on every attendee page (`""` takes it down). */
  announce(text: string): Promise<boolean> {
    return this.#post(WORKSHOP_API.announce, { text });
  }

  /** Asks every attendee to open a chapter. */
  followMe(chapter: string): Promise<boolean> {
    return this.#post(WORKSHOP_API.follow, { chapter });
  }

  /** Opens a poll. */
  openPoll(poll: PollRequest): Promise<boolean> {
    return this.#post(WORKSHOP_API.poll, poll);
  }

  /** Closes the poll, or shows or hides its tally to attendees. */
  setPoll(change: { open?: boolean; shown?: boolean }): Promise<boolean> {
    return this.#post(WORKSHOP_API.pollState, change);
  }

  /** Runs one fault; `n` is the number of vehicles for `cut-vehicles`. */
  fault(kind: FaultKind, n?: number): Promise<boolean> {
    return this.#post(`${WORKSHOP_API.faults}/${kind}`, n === undefined ? {} : { n });
  }

  async #checkTrainer(): Promise<void> {
    const res = await this.#fetch(TRAINER_API.status).catch(() => null);
    if (!res?.ok) {
      this.error = res ? await errorText(res) : null;
      this.state = 'login';
      return;
    }
    this.status = (await res.json()) as TrainerStatus;
    this.state = this.status.trainer ? 'ready' : 'login';
    if (this.state === 'ready') {
      void this.#loadJoin();
      void this.#poll();
    } else if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
  }

  async #loadJoin(): Promise<void> {
    const res = await this.#fetch(
      `${WORKSHOP_API.join}?path=${encodeURIComponent(this.#joinPath())}`,
    ).catch(() => null);
    if (res?.ok) this.join = ((await res.json()) as { urls: JoinUrl[] }).urls;
    this.joinPending = false;
  }

  /** Reads the room and the action log now. */
  async refresh(): Promise<void> {
    const [room, log] = await Promise.all([
      this.#fetch(WORKSHOP_API.room).catch(() => null),
      this.#fetch(TRAINER_API.log).catch(() => null),
    ]);
    if (room?.status === 403) {
      this.state = 'login';
      return;
    }
    if (room?.ok) {
      const view = (await room.json()) as RoomView;
      this.room = view;
      const point: RatePoint = {
        t: Math.round((this.#now() - this.#startedAt) / 100) / 10,
        rates: Object.fromEntries(RATE_KEYS.map((k) => [k, view.rates[k] ?? 0])) as Record<
          RateKey,
          number
        >,
      };
      this.history = [...this.history.slice(-(HISTORY - 1)), point];
    }
    if (log?.ok) this.log = ((await log.json()) as { actions: TrainerAction[] }).actions;
  }

  async #poll(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.refresh();
    if (!this.#running || this.state !== 'ready') return;
    this.#timer = setTimeout(() => void this.#poll(), this.#intervalMs);
  }

  async #post(path: string, body: unknown): Promise<boolean> {
    this.busy = true;
    try {
      const res = await this.#fetch(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).catch(() => null);
      if (!res) {
        this.error = 'network';
        return false;
      }
      if (!res.ok) {
        this.error = await errorText(res);
        return false;
      }
      this.error = null;
      await this.refresh();
      return true;
    } finally {
      this.busy = false;
    }
  }
}

async function errorText(res: Response): Promise<string> {
  try {
    const body = (await res.json()) as { error?: unknown };
    return typeof body.error === 'string' ? body.error : `HTTP ${res.status}`;
  } catch {
    return `HTTP ${res.status}`;
  }
}
