// The only Chart.js parts the line charts use, registered once. Imported dynamically by
// LineChart.svelte, so the bundler tree-shakes the rest of Chart.js and text pages ship none of it.
// Only this file and bar-chart-parts.ts may import 'chart.js' (an ESLint rule says so).
import { Chart, Legend, LineController, LineElement, LinearScale, PointElement } from 'chart.js';

Chart.register(LineController, LineElement, PointElement, LinearScale, Legend);

export { Chart };
// Building the configuration is only needed once Chart.js is here: it travels in the same lazy
// chunk, so a page pays for none of it before its first chart appears.
export { lineChartConfig, lineDatasets } from '../../lib/chart/line-chart.ts';
