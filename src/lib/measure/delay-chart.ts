// The delay chart of the HTTP and SSE demos, as data for the shared line chart.
import type { LineSpec } from '../chart/line-chart.ts';
import type { DelayPoint } from './delay.ts';

/** The delay chart's axis and line names, in the page's language. */
export interface DelayChartLabels {
  delay: string;
  reference: string;
  seq: string;
}

/** Delay per event by sequence number, and a flat reference line (e.g. the theoretical mean). */
export function delayChartSpec(
  points: readonly DelayPoint[],
  reference: number | null,
  labels: DelayChartLabels,
): LineSpec {
  const data = points.map((p) => ({ x: p.seq, y: Math.round(p.delay * 10) / 10 }));
  const first = data[0];
  const last = data.at(-1);
  return {
    series: [
      { label: labels.delay, color: '#2f6fde', points: data, pointRadius: 2 },
      ...(reference !== null && first && last
        ? [
            {
              label: labels.reference,
              color: '#c2410c',
              points: [
                { x: first.x, y: reference },
                { x: last.x, y: reference },
              ],
            },
          ]
        : []),
    ],
    // Sequence numbers are whole: with a few points Chart.js would otherwise tick at 1.5, 2.5.
    axes: { x: { title: labels.seq, integer: true }, y: { title: labels.delay } },
  };
}
