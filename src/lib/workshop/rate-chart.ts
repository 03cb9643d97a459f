// The trainer's messages-per-second chart, as data for the shared line chart.
import type { LineSpec } from '../chart/line-chart.ts';
import { RATE_KEYS, type RateKey } from '../wire/workshop.ts';
import type { RatePoint } from './trainer.svelte.ts';

// One colour per transport, told apart by the legend's labels as well.
const COLORS: Record<RateKey, string> = {
  sse: '#2f6fde',
  longPoll: '#c2410c',
  wsChat: '#1a7f37',
  mqtt: '#8250df',
  room: '#6e7781',
};

/** One line per transport over the seconds since the desk started. */
export function rateChartSpec(
  points: readonly RatePoint[],
  labels: Record<RateKey, string>,
  axes: { time: string; rate: string },
): LineSpec {
  return {
    series: RATE_KEYS.map((k) => ({
      label: labels[k],
      color: COLORS[k],
      points: points.map((p) => ({ x: p.t, y: p.rates[k] })),
    })),
    axes: { x: { title: axes.time }, y: { title: axes.rate } },
  };
}
