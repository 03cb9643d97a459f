// The only Chart.js parts the line charts use, registered once. Imported dynamically by
// LineChart.svelte, so the bundler tree-shakes the rest of Chart.js and text pages ship none of it.
// Only this file and bar-chart-parts.ts may import 'chart.js' (an ESLint rule says so).
import { Chart, Legend, LineController, LineElement, LinearScale, PointElement } from 'chart.js';

Chart.register(LineController, LineElement, PointElement, LinearScale, Legend);

export { Chart };
