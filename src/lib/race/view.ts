// What the race page lays out, as data: the scenario's fields, the results table's columns, and
// the three bar charts' series. The island and its parts only render these.
import type { LaneId, Scenario } from '../wire/race.ts';
import type { LaneResult } from './runner.ts';
import type { LaneTheory } from './theory.ts';

/** One number field of the scenario form: the scenario key, its label key and its step. */
export interface ScenarioField {
  key: keyof Scenario;
  label: 'rate' | 'size' | 'duration' | 'pollInterval';
  step: string;
}

/** The scenario form's fields, in order (the share link restores them in this order). */
export const SCENARIO_FIELDS: readonly ScenarioField[] = [
  { key: 'rate', label: 'rate', step: 'any' },
  { key: 'size', label: 'size', step: '1' },
  { key: 'durationS', label: 'duration', step: '1' },
  { key: 'pollIntervalS', label: 'pollInterval', step: '0.25' },
];

/** The results table's columns after the lane, in order. */
export const RESULT_COLUMNS = [
  'received',
  'lost',
  'duplicates',
  'p50',
  'p95',
  'p99',
  'max',
  'theoryLatency',
  'countUp',
  'countDown',
  'bytesUp',
  'bytesDown',
  'overheadDown',
  'theoryDown',
  'overheadUp',
  'theoryUp',
  'connections',
] as const;

/** The columns of the table of cuts after the lane. */
export const CUT_COLUMNS = ['cut', 'resume', 'lost', 'replayed'] as const;

/** Requests (or frames) per second in both directions over the race's duration. */
export function requestsPerS(lane: LaneResult, durationS: number): number {
  return (lane.figures.countUp + lane.figures.countDown) / durationS;
}

/** The theory row of a lane, if the scenario has one. */
export function theoryOf(theory: readonly LaneTheory[], lane: LaneId): LaneTheory | undefined {
  return theory.find((x) => x.lane === lane);
}

/** One series of a bar chart: a label key (or a fixed label), its values and colour. */
export interface BarSeries {
  label: string;
  data: number[];
  color: string;
}

/** The three charts' series: latency percentiles, overhead measured against the spec, requests/s. */
export function raceChartSeries(
  lanes: readonly LaneResult[],
  theory: readonly LaneTheory[],
  durationS: number,
  labels: { measured: string; theory: string; reqPerS: string },
): { latency: BarSeries[]; overhead: BarSeries[]; requests: BarSeries[] } {
  const of = (f: (l: LaneResult) => number) => lanes.map(f);
  return {
    latency: [
      { label: 'p50', data: of((l) => l.figures.p50), color: '#2f6fde' },
      { label: 'p95', data: of((l) => l.figures.p95), color: '#c2410c' },
      { label: 'p99', data: of((l) => l.figures.p99), color: '#6b7280' },
    ],
    overhead: [
      { label: labels.measured, data: of((l) => l.overheadDownPerMsg), color: '#2f6fde' },
      {
        label: labels.theory,
        data: of((l) => theoryOf(theory, l.lane)?.downPerMsg ?? NaN),
        color: '#c2410c',
      },
    ],
    requests: [
      { label: labels.reqPerS, data: of((l) => requestsPerS(l, durationS)), color: '#2f6fde' },
    ],
  };
}
