// Child process of `npm run bench -- ws`: the companion server alone, so its CPU and memory are
// measured apart from the benchmark's clients. Talks to its parent over IPC.
import { startLab } from '../server/app.ts';

const lab = await startLab({
  port: 0,
  host: '127.0.0.1',
  broker: { mode: 'embedded', mqttPort: 0 },
  site: false,
  distDir: 'dist',
  allowedOrigins: [],
});

/** What the parent asks for, and what this process answers. */
type Request = { kind: 'stats' } | { kind: 'stop' };

const gc = (globalThis as { gc?: () => void }).gc;

process.on('message', (req: Request) => {
  if (req.kind === 'stats') {
    // Collect garbage first so the figure is live memory, not whatever the GC has not reclaimed.
    gc?.();
    gc?.();
    const mem = process.memoryUsage();
    process.send?.({
      kind: 'stats',
      rss: mem.rss,
      heapUsed: mem.heapUsed,
      external: mem.external,
      cpu: process.cpuUsage(),
      connections: lab.gauges.snapshot()['wsChat'] ?? 0,
    });
  } else {
    void lab.close().then(() => process.exit(0));
  }
});
process.send?.({ kind: 'ready', port: lab.port });
