// The only Chart.js parts the delay chart uses, registered once. Imported dynamically by
// DelayChart.svelte, so the bundler tree-shakes the rest of Chart.js and text pages ship none of it.
import { Chart, Legend, LineController, LineElement, LinearScale, PointElement } from 'chart.js';

Chart.register(LineController, LineElement, PointElement, LinearScale, Legend);

export { Chart };
