// The trainer's fault buttons: each cuts one kind of connection for the whole room, reports how
// many it touched and then, once a second for a while, how many have come back.
import type { FaultKind, FaultReport } from '../../src/lib/wire/workshop.ts';

/** What a fault acts on: the other modules' handles, so this module owns no sockets. */
export interface FaultTargets {
  /** Cuts every open SSE stream mid-response; returns how many. */
  cutSse(): number;
  /** Cuts every held long-poll mid-response; returns how many. */
  cutLongPolls(): number;
  /** Closes every chat socket; returns how many. */
  closeChat(): number;
  /** Drops every MQTT client without DISCONNECT, so their wills fire; returns how many. */
  disconnectMqtt(): number;
  /** Cuts up to `n` connected vehicles at once; returns how many. */
  cutVehicles(n: number): number;
  /** Stops or restarts the ticker; returns the connections that read it (SSE + long polls). */
  pauseTicker(paused: boolean): number;
  /** Connections of the kind a fault cuts, open now; null when there is nothing to count. */
  count(kind: FaultKind): number | null;
}

/** How long and how often the "came back" figure is measured after a fault. */
export interface FaultTiming {
  checkEveryMs: number;
  checkForMs: number;
  keep: number;
  now: () => number;
}

const DEFAULT_TIMING: FaultTiming = {
  checkEveryMs: 1000,
  // Vehicles wait 5 s before reconnecting and chats back off up to a few seconds.
  checkForMs: 15_000,
  keep: 20,
  now: Date.now,
};

/** Runs faults and keeps the latest reports. */
export class Faults {
  readonly #targets: FaultTargets;
  readonly #timing: FaultTiming;
  readonly #reports: FaultReport[] = [];
  readonly #timers = new Set<ReturnType<typeof setInterval>>();
  #nextId = 1;

  constructor(targets: FaultTargets, timing: Partial<FaultTiming> = {}) {
    this.#targets = targets;
    this.#timing = { ...DEFAULT_TIMING, ...timing };
  }

  /** The latest reports, newest first. */
  reports(): FaultReport[] {
    return this.#reports.map((r) => ({ ...r }));
  }

  /** Runs one fault now. */
  run(kind: FaultKind, n = 1): FaultReport {
    const t = this.#targets;
    const before = t.count(kind);
    let touched: number;
    switch (kind) {
      case 'cut-sse':
        touched = t.cutSse();
        break;
      case 'cut-long-polls':
        touched = t.cutLongPolls();
        break;
      case 'close-chat':
        touched = t.closeChat();
        break;
      case 'disconnect-mqtt':
        touched = t.disconnectMqtt();
        break;
      case 'cut-vehicles':
        touched = t.cutVehicles(n);
        break;
      case 'pause-ticker':
        touched = t.pauseTicker(true);
        break;
      case 'resume-ticker':
        touched = t.pauseTicker(false);
        break;
    }
    const report: FaultReport = {
      id: this.#nextId++,
      kind,
      at: this.#timing.now(),
      touched,
      back: null,
      backAfterS: null,
    };
    this.#reports.unshift(report);
    this.#reports.length = Math.min(this.#reports.length, this.#timing.keep);
    if (before !== null && touched > 0) this.#watch(report, before);
    return { ...report };
  }

  /** Stops the "came back" checks. */
  close(): void {
    for (const timer of this.#timers) clearInterval(timer);
    this.#timers.clear();
  }

  #watch(report: FaultReport, before: number): void {
    // What is left open right after the cut; anything above it has come back (or is new: the
    // figure cannot tell a returning page from a newcomer, so it is capped at what was cut).
    const floor = before - report.touched;
    const timer = setInterval(() => {
      const now = this.#targets.count(report.kind) ?? floor;
      const elapsed = this.#timing.now() - report.at;
      report.back = Math.max(0, Math.min(report.touched, now - floor));
      report.backAfterS = Math.round(elapsed / 100) / 10;
      if (report.back === report.touched || elapsed >= this.#timing.checkForMs) {
        clearInterval(timer);
        this.#timers.delete(timer);
      }
    }, this.#timing.checkEveryMs);
    timer.unref();
    this.#timers.add(timer);
  }
}
