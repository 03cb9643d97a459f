// Child process of bench/http.ts: the real lab on a free loopback port, so its CPU time and memory
// are measured apart from the benchmark's clients. Talks to the parent over IPC.
import { startLab } from '../server/app.ts';

const lab = await startLab({
  port: 0,
  host: '127.0.0.1',
  broker: { mode: 'embedded', mqttPort: 0 },
  site: false,
  distDir: 'dist',
  allowedOrigins: [],
  // Every simulated client comes from 127.0.0.1: give that one address room for all of them.
  peoplePerAddress: 100_000,
});

process.on('message', (msg: { type: string }) => {
  if (msg.type === 'usage') {
    process.send?.({
      type: 'usage',
      cpu: process.cpuUsage(),
      rss: process.memoryUsage().rss,
      at: performance.now(),
      gauges: lab.gauges.snapshot(),
    });
  } else if (msg.type === 'stop') {
    void lab.close().then(() => process.exit(0));
  }
});
process.send?.({ type: 'ready', port: lab.port });
