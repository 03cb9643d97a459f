// Child process of `npm run bench -- ws`: the companion server alone, so its CPU and memory are
// measured apart from the benchmark's clients. Talks to its parent over IPC.
import { monitorEventLoopDelay } from 'node:perf_hooks';
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

/** What the parent asks for, and what this process answers. */
type Request = { kind: 'stats' } | { kind: 'reset' } | { kind: 'stop' };

// How late this process's event loop runs its callbacks: on a busy machine, time spent waiting
// for a CPU shows up here rather than in the server's own work.
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();

const gc = (globalThis as { gc?: () => void }).gc;

process.on('message', (req: Request) => {
  if (req.kind === 'reset') {
    loopDelay.reset();
  } else if (req.kind === 'stats') {
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
      loopDelayP50Ms: loopDelay.percentile(50) / 1e6,
      loopDelayP99Ms: loopDelay.percentile(99) / 1e6,
    });
  } else {
    void lab.close().then(() => process.exit(0));
  }
});
process.send?.({ kind: 'ready', port: lab.port });
