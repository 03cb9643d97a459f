import { afterEach, describe, expect, it } from 'vitest';
import { Chart } from '../../../src/components/ui/chart-parts.ts';
import { lineChartConfig, type LineSpec } from '../../../src/lib/chart/line-chart.ts';
import { delayChartSpec } from '../../../src/lib/measure/delay-chart.ts';
import { detailChartSpec, ratesChartSpec } from '../../../src/lib/fleet/fleet-charts.ts';
import { rateChartSpec } from '../../../src/lib/workshop/rate-chart.ts';

/** A canvas for Chart.js in Node: a 2D context that draws nothing and measures 6 px a character. */
function fakeCanvas(width = 400, height = 200) {
  const base: Record<string | symbol, unknown> = {
    measureText: (s: string) => ({ width: String(s).length * 6 }),
  };
  const ctx = new Proxy(base, {
    get: (target, key) => (key in target ? target[key] : () => {}),
    set: (target, key, value) => ((target[key] = value), true),
  });
  const canvas = { width, height, style: {}, getContext: () => ctx };
  base['canvas'] = canvas;
  return canvas as unknown as HTMLCanvasElement;
}

const charts: Chart[] = [];
function draw(spec: LineSpec): Chart<'line', { x: number; y: number }[]> {
  const config = lineChartConfig(spec);
  // No window in Node: size the chart from the canvas itself.
  config.options = { ...config.options, responsive: false };
  const chart = new Chart(fakeCanvas(), config);
  charts.push(chart);
  return chart;
}
afterEach(() => charts.splice(0).forEach((c) => c.destroy()));

const delayLabels = { delay: 'delay (ms)', reference: 'theory', seq: 'event #' };

describe('the shared line chart', () => {
  it('labels the delay chart with whole sequence numbers, also with only a few points', () => {
    for (const n of [2, 3, 5]) {
      const points = Array.from({ length: n }, (_, i) => ({ seq: i + 1, delay: 40 + i }));
      const chart = draw(delayChartSpec(points, 50, delayLabels));
      const ticks = chart.scales['x']?.ticks.map((t) => t.value) ?? [];
      expect(ticks.length).toBeGreaterThan(1);
      expect(ticks.every(Number.isInteger), `ticks for ${n} points: ${ticks.join(', ')}`).toBe(
        true,
      );
    }
  });

  it('draws every chart of the site with the registered parts alone', () => {
    const now = 100_000;
    const specs: LineSpec[] = [
      delayChartSpec([{ seq: 1, delay: 12.34 }], 10, delayLabels),
      ratesChartSpec([{ t: now - 1000, bytesPerS: 900, msgsPerS: 3, mode: 'overview' }], now, {
        bytes: 'B/s',
        msgs: 'msg/s',
      }),
      detailChartSpec([{ t: now - 2000, speed: 30, battery: 80 }], now, {
        speed: 'km/h',
        battery: '%',
      }),
      rateChartSpec(
        [{ t: 1, rates: { sse: 1, longPoll: 2, wsChat: 3, mqtt: 4, room: 5 } }],
        { sse: 'SSE', longPoll: 'LP', wsChat: 'WS', mqtt: 'MQTT', room: 'room' },
        { time: 's', rate: '/s' },
      ),
    ];
    for (const spec of specs) {
      const chart = draw(spec);
      expect(chart.data.datasets.map((d) => d.label)).toEqual(spec.series.map((s) => s.label));
      // A right-hand axis exactly when a series is read against it.
      expect('y1' in chart.scales).toBe(spec.series.some((s) => s.axis === 'y1'));
    }
    // The fleet's second line is dashed, so it differs from the first by more than colour.
    const rates = draw(specs[1]!);
    expect(rates.data.datasets[1]?.borderDash).toEqual([5, 3]);
    expect(rates.data.datasets[0]?.data[0]).toEqual({ x: -1, y: 900 });
  });
});
