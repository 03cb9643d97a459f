// What every line chart of the site draws, as plain data: the one shared line-chart component
// (src/components/ui/LineChart.svelte) turns it into Chart.js objects built on the registered
// parts only (src/components/ui/chart-parts.ts). Types only from Chart.js here: no code of it.
import type { ChartConfiguration, ChartDataset } from 'chart.js';

/** One point of a line. */
export interface XY {
  x: number;
  y: number;
}

/** One line of a chart. */
export interface LineSeries {
  label: string;
  color: string;
  points: readonly XY[];
  /** Dashed, so that two lines differ by more than their colour. */
  dashed?: boolean;
  /** The value axis it is read against: `y` on the left (default) or `y1` on the right. */
  axis?: 'y' | 'y1';
  /** Dot radius at each point; 0 (default) draws the line only. */
  pointRadius?: number;
}

/** The axes of a line chart. */
export interface LineAxes {
  x: {
    title?: string;
    /** Ticks on whole numbers only (sequence numbers have no halves). */
    integer?: boolean;
    maxTicks?: number;
  };
  y: { title: string };
  /** A second value axis on the right, for a series in other units. */
  y1?: { title: string };
}

/** Everything a line chart shows. */
export interface LineSpec {
  series: readonly LineSeries[];
  axes: LineAxes;
}

type LineData = XY[];

/** The Chart.js datasets of a chart's series (fresh arrays: Chart.js keeps what it is given). */
export function lineDatasets(series: readonly LineSeries[]): ChartDataset<'line', LineData>[] {
  return series.map((s) => ({
    label: s.label,
    data: s.points.map((p) => ({ x: p.x, y: p.y })),
    yAxisID: s.axis ?? 'y',
    borderColor: s.color,
    backgroundColor: s.color,
    borderWidth: s.pointRadius ? 1.5 : 2,
    pointRadius: s.pointRadius ?? 0,
    ...(s.dashed ? { borderDash: [5, 3] } : {}),
  }));
}

/** The whole Chart.js configuration of a line chart. */
export function lineChartConfig(spec: LineSpec): ChartConfiguration<'line', LineData> {
  const { x, y, y1 } = spec.axes;
  return {
    type: 'line',
    data: { datasets: lineDatasets(spec.series) },
    options: {
      // Points arrive many times a second: no animation, for speed and for reduced motion.
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      // The data is already {x, y} and sorted by x: Chart.js need not parse or sort it.
      parsing: false,
      normalized: true,
      scales: {
        x: {
          type: 'linear',
          ...(x.title ? { title: { display: true, text: x.title } } : {}),
          // precision 0 rounds the step up to a whole number, so ticks fall on integers only.
          ticks: {
            ...(x.integer ? { precision: 0 } : {}),
            ...(x.maxTicks ? { maxTicksLimit: x.maxTicks } : {}),
          },
        },
        y: {
          type: 'linear',
          position: 'left',
          beginAtZero: true,
          title: { display: true, text: y.title },
        },
        ...(y1
          ? {
              y1: {
                type: 'linear' as const,
                position: 'right' as const,
                beginAtZero: true,
                title: { display: true, text: y1.title },
                // One grid is enough: the right axis only labels its own scale.
                grid: { drawOnChartArea: false },
              },
            }
          : {}),
      },
      plugins: { legend: { display: true } },
    },
  };
}
