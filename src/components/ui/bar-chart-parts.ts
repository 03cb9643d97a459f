// The only Chart.js parts the race's bar charts use, registered once. Imported dynamically by
// BarChart.svelte, so pages without a bar chart ship none of it.
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LogarithmicScale,
} from 'chart.js';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, LogarithmicScale, Legend);

export { Chart };
