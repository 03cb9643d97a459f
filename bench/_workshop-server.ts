// Child process of `npm run bench -- workshop`: the whole lab alone (API, chat, SSE, broker), so
// its CPU and memory are measured apart from the simulated attendees. Talks to its parent over IPC.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startLab } from '../server/app.ts';

const token = process.env['BENCH_TRAINER_TOKEN'] ?? '';
const lab = await startLab({
  port: 0,
  host: '127.0.0.1',
  broker: { mode: 'embedded', mqttPort: 0 },
  site: false,
  distDir: 'dist',
  allowedOrigins: [],
  fleet: { vehicles: 0, rateHz: 1 },
  trainer: { token, localTrainer: false, trustProxy: null },
});

const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();

type Request = { kind: 'stats' } | { kind: 'stop' };

process.on('message', (req: Request) => {
  if (req.kind === 'stats') {
    process.send?.({
      kind: 'stats',
      rss: process.memoryUsage().rss,
      cpu: process.cpuUsage(),
      gauges: lab.gauges.snapshot(),
      loopDelayP99Ms: loopDelay.percentile(99) / 1e6,
    });
  } else {
    void lab.close().then(() => process.exit(0));
  }
});
process.send?.({ kind: 'ready', port: lab.port, mqttPort: lab.mqttPort });
