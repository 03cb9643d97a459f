// The fleet dashboard's two line charts, as data for the shared line chart: x is seconds before
// now (negative), so the newest point sits at the right edge.
import type { LineSpec } from '../chart/line-chart.ts';
import type { RatePoint } from './fleet-dashboard.svelte.ts';

/** One second of the selected vehicle's history. */
export interface DetailPoint {
  t: number;
  speed: number;
  battery: number;
}

const ago = (t: number, now: number): number => (t - now) / 1000;

/** Bytes/s (left axis) and messages/s (right axis, dashed) this browser received. */
export function ratesChartSpec(
  history: readonly RatePoint[],
  now: number,
  labels: { bytes: string; msgs: string },
): LineSpec {
  return {
    series: [
      {
        label: labels.bytes,
        color: '#2f6fdb',
        points: history.map((p) => ({ x: ago(p.t, now), y: p.bytesPerS })),
      },
      {
        label: labels.msgs,
        color: '#c2410c',
        dashed: true,
        axis: 'y1',
        points: history.map((p) => ({ x: ago(p.t, now), y: p.msgsPerS })),
      },
    ],
    axes: { x: { maxTicks: 6 }, y: { title: labels.bytes }, y1: { title: labels.msgs } },
  };
}

/** The selected vehicle's speed (left axis) and battery (right axis, dashed). */
export function detailChartSpec(
  history: readonly DetailPoint[],
  now: number,
  labels: { speed: string; battery: string },
): LineSpec {
  return {
    series: [
      {
        label: labels.speed,
        color: '#2f6fdb',
        points: history.map((p) => ({ x: ago(p.t, now), y: p.speed })),
      },
      {
        label: labels.battery,
        color: '#15803d',
        dashed: true,
        axis: 'y1',
        points: history.map((p) => ({ x: ago(p.t, now), y: p.battery })),
      },
    ],
    axes: { x: { maxTicks: 6 }, y: { title: labels.speed }, y1: { title: labels.battery } },
  };
}
