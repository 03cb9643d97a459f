import { measureOffset } from '../measure/clock.ts';
import type {
  LaneBytes,
  LaneId,
  RaceCreated,
  RaceStarted,
  RaceError,
  RaceStatus,
  Scenario,
} from '../wire/race.ts';
import { RACE_API } from '../wire/race.ts';
import { openLane, type Lane, type LaneEnv } from './lanes.ts';
import { LaneMeter, type LaneFigures } from './meter.ts';

/** What `fetch` must offer the runner (POSTs and JSON bodies). */
export type RunnerFetch = (
  url: string,
  init?: { method?: string; body?: string; headers?: Record<string, string>; keepalive?: boolean },
) => Promise<{ status: number; ok: boolean; json(): Promise<unknown> }>;

/** Everything the runner needs: the lanes' surroundings plus a POST-capable fetch. */
export interface RunnerEnv extends LaneEnv {
  request: RunnerFetch;
  /**
   * The server reads the same clock as this runner (it runs on this machine), so the offset is 0
   * by construction; estimating it would only add the estimate's error (up to half a round trip).
   */
  sameClock?: boolean;
}

/** One lane's result: what the receiver measured and what the server counted. */
export interface LaneResult {
  lane: LaneId;
  figures: LaneFigures;
  bytes: LaneBytes | null;
  /** Payload bytes delivered (every copy, duplicates included). */
  payloadBytes: number;
  /** Bytes per delivered message beyond its payload, after set-up (down, up). */
  overheadDownPerMsg: number;
  overheadUpPerMsg: number;
}

/** A whole race's result. */
export interface RaceResult {
  id: string;
  scenario: Scenario;
  total: number;
  /** Server clock minus local clock (ms) and the probe's round trip. */
  offset: number;
  rtt: number;
  cuts: number[];
  lanes: LaneResult[];
  /** Messages the server could not send on the bare WebSocket lane (no socket at the time). */
  wsUnsent: number;
}

/** A refused or failed request to the race API. */
export class RaceApiError extends Error {
  override name = 'RaceApiError';
  readonly statusCode: number;
  readonly field: string | undefined;
  readonly code: RaceError['code'];
  constructor(statusCode: number, message: string, field?: string, code?: RaceError['code']) {
    super(message);
    this.statusCode = statusCode;
    this.field = field;
    this.code = code;
  }
}

/** Derives a lane's per-message figures from its counts. */
export function laneResult(
  lane: LaneId,
  figures: LaneFigures,
  bytes: LaneBytes | null,
  size: number,
): LaneResult {
  const payloadBytes = (figures.received + figures.duplicates) * size;
  const n = Math.max(1, figures.received);
  return {
    lane,
    figures,
    bytes,
    payloadBytes,
    overheadDownPerMsg: bytes ? (bytes.down - bytes.setupDown - payloadBytes) / n : NaN,
    overheadUpPerMsg: bytes ? (bytes.up - bytes.setupUp) / n : NaN,
  };
}

/**
 * Runs one race against the lab: creates it, opens every lane, measures the clock offset,
 * starts it, optionally cuts the network every few seconds, waits until every lane has every
 * message (or the time is up), reads the server's byte counts and ends the race.
 */
export class RaceRun {
  readonly env: RunnerEnv;
  readonly scenario: Scenario;
  readonly meters = new Map<LaneId, LaneMeter>();
  created: RaceCreated | null = null;
  offset = 0;
  rtt = 0;
  readonly cuts: number[] = [];
  #lanes = new Map<LaneId, Lane>();
  #ended = false;
  // Whether this runner created the race (and so ends it on the server).
  #owner = false;
  #cutTimer: ReturnType<typeof setInterval> | null = null;
  #wake: (() => void) | null = null;

  constructor(env: RunnerEnv, scenario: Scenario) {
    this.env = env;
    this.scenario = scenario;
  }

  async #call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const res = await this.env.request(`${this.env.httpBase}${RACE_API}${path}`, {
      method,
      ...(body === undefined
        ? {}
        : { body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } }),
    });
    if (res.status === 204) return undefined as T;
    const json = (await res.json()) as T & Partial<RaceError>;
    if (!res.ok) {
      throw new RaceApiError(res.status, json.error ?? `HTTP ${res.status}`, json.field, json.code);
    }
    return json;
  }

  /** Creates the race and opens the lanes (those asked for that the server runs). */
  async open(lanes: readonly LaneId[]): Promise<RaceCreated> {
    const created = await this.#call<RaceCreated>('POST', '', this.scenario);
    this.#owner = true;
    await this.join(created, lanes);
    return created;
  }

  /**
   * Opens lanes of a race created by another runner (the benchmark gives each lane a thread of
   * its own) and measures this runner's clock offset; `end()` then leaves the race to its owner.
   */
  async join(created: RaceCreated, lanes: readonly LaneId[]): Promise<void> {
    this.created = created;
    const probe = async (): Promise<{ received: number; sent: number }> =>
      (await (await this.env.request(`${this.env.httpBase}/api/time`)).json()) as {
        received: number;
        sent: number;
      };
    const est = await measureOffset(probe, this.env.clock, 5);
    // RFC 5905 §8: the estimate is exact only when both directions take equally long. Over
    // loopback an HTTP request and its answer do not (the server parses more than the client),
    // which put thread-per-lane p50s of the benchmark below zero; one clock needs no estimate.
    this.offset = this.env.sameClock ? 0 : (est?.offset ?? 0);
    this.rtt = est?.rtt ?? 0;
    const opts = {
      raceId: created.id,
      pollIntervalMs: this.scenario.pollIntervalS * 1000,
      total: created.total,
      mqttAuth: created.mqtt,
    };
    for (const lane of lanes) {
      if (!created.lanes.includes(lane)) continue;
      const meter = new LaneMeter(created.total);
      this.meters.set(lane, meter);
      this.#lanes.set(
        lane,
        openLane(lane, this.env, opts, {
          message: (p, at) => {
            meter.message(p, at);
            if (meter.complete) this.#wake?.();
          },
          count: (dir, n) => meter.count(dir, n),
          link: (up, at) => meter.link(up, at),
        }),
      );
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_r, reject) => {
      timer = setTimeout(
        () => reject(new RaceApiError(504, 'a lane did not connect within 15 s')),
        15_000,
      );
    });
    try {
      await Promise.race([Promise.all([...this.#lanes.values()].map((l) => l.ready)), timeout]);
    } catch (err) {
      await this.end();
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Starts publishing and waits until done; returns the result (the race is then ended). */
  async run(cutEveryS = 0): Promise<RaceResult> {
    const epoch = await this.start();
    this.begin(epoch);
    if (cutEveryS > 0) {
      this.#cutTimer = setInterval(() => void this.cut().catch(() => {}), cutEveryS * 1000);
    }
    await this.settled();
    if (this.#cutTimer) clearInterval(this.#cutTimer);
    return this.finish();
  }

  /** Asks the server to start publishing; returns its clock at t = 0. */
  async start(): Promise<number> {
    const created = this.created;
    if (!created) throw new Error('open() first');
    const started = await this.#call<RaceStarted>('POST', `/${created.id}/start`);
    return started.epoch;
  }

  /** Starts measuring against the server's clock at t = 0; polling lanes begin asking. */
  begin(epoch: number): void {
    for (const m of this.meters.values()) m.setClock(epoch, this.offset);
    for (const l of this.#lanes.values()) l.begin();
  }

  /** Resolves once every lane has every message, or when the race's time is up. */
  settled(): Promise<void> {
    // Long enough for the last message to reach a short-polling lane, and for lanes that were
    // cut to come back; every lane complete ends the wait sooner.
    const deadline =
      this.scenario.durationS * 1000 + this.scenario.pollIntervalS * 1000 + 1500 + this.rtt;
    return new Promise<void>((resolve) => {
      const done = (): boolean => [...this.meters.values()].every((m) => m.complete);
      const t = setTimeout(resolve, deadline);
      this.#wake = () => {
        if (done()) {
          clearTimeout(t);
          resolve();
        }
      };
      this.#wake();
    });
  }

  /** Cuts every lane's connection now (server side). */
  async cut(): Promise<number> {
    const id = this.created?.id;
    if (!id || this.#ended) return 0;
    const r = await this.#call<{ at: number }>('POST', `/${id}/cut`);
    this.cuts.push(r.at);
    return r.at;
  }

  /** The server's view of the race now (state, byte counts). */
  async status(): Promise<RaceStatus | null> {
    const id = this.created?.id;
    if (!id || this.#ended) return null;
    return this.#call<RaceStatus>('GET', `/${id}`);
  }

  /** The figures so far, without server bytes. */
  snapshot(bytes: RaceStatus['bytes'] = {}, final = false): LaneResult[] {
    return [...this.meters].map(([lane, m]) =>
      laneResult(lane, m.figures(this.cuts, final), bytes[lane] ?? null, this.scenario.size),
    );
  }

  /** Reads the server's counts, stops every lane and ends the race. */
  async finish(): Promise<RaceResult> {
    const created = this.created;
    if (!created) throw new Error('open() first');
    const status = await this.status().catch(() => null);
    const lanes = this.snapshot(status?.bytes ?? {}, true);
    await this.end();
    return {
      id: created.id,
      scenario: this.scenario,
      total: created.total,
      offset: this.offset,
      rtt: this.rtt,
      cuts: [...this.cuts],
      lanes,
      wsUnsent: status?.wsUnsent ?? 0,
    };
  }

  /** Stops every lane without telling the server, as a closed tab does. */
  abandon(): void {
    this.#ended = true;
    if (this.#cutTimer) clearInterval(this.#cutTimer);
    for (const l of this.#lanes.values()) l.stop();
  }

  /** Stops every lane and frees the race on the server (idempotent). */
  async end(): Promise<void> {
    if (this.#ended) return;
    this.#ended = true;
    if (this.#cutTimer) clearInterval(this.#cutTimer);
    this.#wake = null;
    for (const l of this.#lanes.values()) l.stop();
    const id = this.created?.id;
    if (id && this.#owner) await this.#call('POST', `/${id}/end`).catch(() => {});
  }
}
