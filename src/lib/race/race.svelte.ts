import type { LaneId, PresetId, RaceStatus, Scenario } from '../wire/race.ts';
import {
  BROWSER_LANES,
  DEFAULT_SCENARIO,
  PRESETS,
  RACE_API,
  scenarioError,
  scenarioFromQuery,
  scenarioToQuery,
} from '../wire/race.ts';
import type { LaneResult, RaceResult, RaceRun, RunnerEnv } from './runner.ts';
import { laneTheory, type LaneTheory } from './theory.ts';
import { dailyCost, costCsv, type CostInputs, type DailyCost, type Load } from './cost.ts';
import { resultCsv, resultJson } from './export.ts';
import { focusFromQuery } from './links.ts';
import { reportStoreDown, watchStore } from '../status/store-report.ts';

/** Where the race is. */
export type RacePhase = 'idle' | 'opening' | 'running' | 'done' | 'error';

/** The preset a scenario equals, or 'custom'. */
export function presetOf(s: Scenario): PresetId | 'custom' {
  for (const [id, p] of Object.entries(PRESETS) as [PresetId, Scenario][]) {
    if (
      Math.abs(p.rate - s.rate) < 1e-4 &&
      p.size === s.size &&
      p.durationS === s.durationS &&
      p.pollIntervalS === s.pollIntervalS
    ) {
      return id;
    }
  }
  return 'custom';
}

/**
 * The protocol race page's state: the scenario (shareable in the URL), the running race's
 * figures refreshed a few times a second, the final result, and the cost calculator.
 */
export class RaceState {
  scenario: Scenario = $state({ ...DEFAULT_SCENARIO });
  phase: RacePhase = $state('idle');
  error = $state('');
  cutEveryS = $state(0);
  lanes: LaneResult[] = $state.raw([]);
  status: RaceStatus | null = $state.raw(null);
  result: RaceResult | null = $state.raw(null);
  cuts: number[] = $state.raw([]);
  /** Lanes a link asked the learner to watch (the quiz's picks). */
  focus: LaneId[] = $state.raw([]);
  load: Load = $state({ clients: 1000, rate: 1, size: 200, pollIntervalS: 1 });
  #env: RunnerEnv;
  #run: RaceRun | null = null;
  #timer: ReturnType<typeof setInterval> | null = null;
  #lastStatusAt = 0;

  constructor(env: RunnerEnv) {
    this.#env = env;
    this.#syncLoad();
  }

  /** Takes the scenario from a share URL's query, when it holds a valid one. */
  restore(search: string): void {
    this.focus = focusFromQuery(search);
    const s = scenarioFromQuery(search);
    if (!s) return;
    this.scenario = s;
    this.#syncLoad();
  }

  /** The scenario's problem, if any (the Start button is disabled then). */
  get invalid(): string | null {
    return scenarioError(this.scenario)?.message ?? null;
  }

  /** The preset the scenario equals. */
  get preset(): PresetId | 'custom' {
    return presetOf(this.scenario);
  }

  /** Picks a preset. */
  choose(preset: PresetId | 'custom'): void {
    if (preset !== 'custom') this.scenario = { ...PRESETS[preset] };
    this.#syncLoad();
  }

  /** The theory of every lane for the scenario. */
  get theory(): LaneTheory[] {
    return laneTheory(this.scenario, BROWSER_LANES);
  }

  /** The share URL's query for the scenario. */
  get query(): string {
    return scenarioToQuery(this.scenario);
  }

  /** Runs one race with the scenario; the figures refresh while it runs. */
  async start(): Promise<void> {
    if (this.phase === 'opening' || this.phase === 'running' || this.invalid) return;
    this.phase = 'opening';
    this.error = '';
    watchStore();
    this.result = null;
    this.status = null;
    this.lanes = [];
    this.cuts = [];
    let run: RaceRun;
    try {
      // The lanes, their meters and the runner are needed from the first Start on only.
      const { RaceRun } = await import('./runner.ts');
      run = new RaceRun(this.#env, { ...this.scenario });
    } catch (err) {
      this.error = err instanceof Error ? err.message : String(err);
      this.phase = 'error';
      return;
    }
    this.#run = run;
    try {
      await run.open(BROWSER_LANES);
      this.phase = 'running';
      this.#timer = setInterval(() => this.#refresh(), 250);
      const result = await run.run(this.cutEveryS);
      this.result = result;
      this.lanes = result.lanes;
      this.cuts = result.cuts;
      this.phase = 'done';
      this.#syncLoad();
    } catch (err) {
      await run.end();
      // The lab's Redis is away: the page's store notice says so in the reader's language
      // (rather than an error line in the server's English), and Start may be pressed again.
      if ((err as { code?: unknown } | null)?.code === 'store_unavailable') {
        this.phase = 'idle';
        reportStoreDown();
      } else {
        this.error = err instanceof Error ? err.message : String(err);
        this.phase = 'error';
      }
    } finally {
      if (this.#timer) clearInterval(this.#timer);
      this.#timer = null;
      this.#run = null;
    }
  }

  /** Cuts every lane's connection now. */
  async cut(): Promise<void> {
    const run = this.#run;
    if (!run || this.phase !== 'running') return;
    try {
      await run.cut();
      this.cuts = [...run.cuts];
    } catch (err) {
      this.error = err instanceof Error ? err.message : String(err);
    }
  }

  /** Ends a running race (the page is going away). */
  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    const id = this.#run?.created?.id;
    this.#run?.abandon();
    return id ? void this.#beacon(id) : undefined;
  }

  #beacon(id: string): void {
    // Ending the page ends the race: keepalive lets the request outlive the page.
    void this.#env
      .request(`${this.#env.httpBase}${RACE_API}/${id}/end`, { method: 'POST', keepalive: true })
      .catch(() => {});
  }

  #refresh(): void {
    const run = this.#run;
    if (!run) return;
    this.lanes = run.snapshot(this.status?.bytes ?? {});
    const now = Date.now();
    if (now - this.#lastStatusAt > 1000) {
      this.#lastStatusAt = now;
      void run
        .status()
        .then((s) => {
          if (s && this.#run === run) this.status = s;
        })
        .catch(() => {});
    }
  }

  /** The measurements as CSV, or null before any race ended. */
  csv(): string | null {
    return this.result ? resultCsv(this.result) : null;
  }

  /** The measurements as JSON, or null before any race ended. */
  json(): string | null {
    return this.result ? resultJson(this.result) : null;
  }

  /** Whether the calculator uses measured overheads (else the spec's). */
  get costMeasured(): boolean {
    return this.result !== null;
  }

  /** The calculator's rows: measured per-message overheads where a race gave them. */
  get cost(): DailyCost[] {
    const theory = laneTheory({ ...this.scenario, size: this.load.size }, BROWSER_LANES);
    return theory.map((t) => dailyCost(this.#costInputs(t), this.load));
  }

  /** The calculator's table as CSV. */
  costCsv(): string {
    return costCsv(this.cost, this.load);
  }

  #costInputs(t: LaneTheory): CostInputs {
    const measured = this.result?.lanes.find((l) => l.lane === t.lane);
    // Request heads are what the browser sent: a measured average, or a typical 400 B.
    const requestBytes =
      measured?.bytes && measured.bytes.requests > 0
        ? (measured.bytes.up - measured.bytes.setupUp) / Math.max(1, measured.figures.countUp)
        : 400;
    const down =
      measured && Number.isFinite(measured.overheadDownPerMsg)
        ? measured.overheadDownPerMsg
        : t.downPerMsg;
    const up =
      measured && Number.isFinite(measured.overheadUpPerMsg) && t.upPerMsg !== null
        ? measured.overheadUpPerMsg
        : (t.upPerMsg ?? 0);
    return {
      lane: t.lane,
      downPerMsg: Math.max(0, down),
      upPerMsg: Math.max(0, up),
      requestBytes: t.lane === 'shortPoll' || t.lane === 'longPoll' ? requestBytes : 0,
      emptyAnswerBytes: 130,
    };
  }

  #syncLoad(): void {
    this.load = {
      ...this.load,
      rate: Number(this.scenario.rate.toPrecision(4)),
      size: this.scenario.size,
      pollIntervalS: this.scenario.pollIntervalS,
    };
  }
}

/** A lane's label key in the race dictionary. */
export const laneKey = (lane: LaneId): `lane.${LaneId}` => `lane.${lane}`;
