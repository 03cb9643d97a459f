import { preciseClock } from '../measure/clock.ts';
import { realTimers } from '../platform.ts';
import type { DemoEnv } from './demo-base.svelte.ts';
import { reportStoreDown } from '../status/store-report.ts';

/** Ticker rates offered by the demos (events/s). */
export const RATE_CHOICES = [0.2, 0.5, 1, 2, 5, 10, 20] as const;
/** Long-poll hold times offered by the demo (s). */
export const HOLD_CHOICES = [5, 10, 25, 60] as const;

/** A delay in ms for a counter: one decimal under 10 ms, else whole; "–" when unknown. */
export function fmtMs(n: number | null): string {
  if (n === null || !Number.isFinite(n)) return '–';
  return Math.abs(n) < 10 ? n.toFixed(1) : String(Math.round(n));
}

/** A share (0..1) as a percentage; "–" when unknown. */
export function fmtPct(share: number): string {
  return Number.isFinite(share) ? `${Math.round(share * 100)} %` : '–';
}

/** A plain number with at most one decimal; "–" when unknown. */
export function fmtNum(n: number): string {
  if (!Number.isFinite(n)) return '–';
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

/** The page's real fetch, clock and timers. */
export function browserEnv(): DemoEnv {
  return {
    fetch: (input, init) => fetch(input, init),
    clock: preciseClock(performance),
    timers: realTimers,
    random: Math.random,
    onStoreDown: reportStoreDown,
  };
}
