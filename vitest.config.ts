import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const alias = { '~': fileURLToPath(new URL('./src', import.meta.url)) };

// The CLI and broker tests start the lab as a child process more than a dozen times (kill -9,
// SIGINT, the banner): with Node's compile cache each start after the first skips compiling
// Fastify, Aedes and the server again (about 1.5 s of CPU down to 1 s). Children inherit it.
process.env['NODE_COMPILE_CACHE'] ??= fileURLToPath(
  new URL('./node_modules/.cache/node-compile', import.meta.url),
);

/**
 * The slowest files (5-15 s each, mostly waiting on sockets, timers and child processes), slowest
 * first. Vitest starts the files it has timings of longest first, but a fresh clone (CI) has none
 * and falls back to file size: these small files (the behaviour suites are 6 lines each) would
 * start last and leave one worker finishing alone. A slow file left off the list only starts
 * later; a listed file that is gone stops the run.
 */
const SLOWEST = [
  'server/broker/aedes-upstream',
  'server/redis-cluster',
  'server/fleet-api',
  'server/broker/behaviour-mosquitto-robustness',
  'server/broker/behaviour-embedded-robustness',
  'server/race',
  'server/broker/behaviour-mosquitto',
  'server/redis-failover',
  'server/redis-outage',
  'server/broker/behaviour-embedded',
  'server/proxy',
  'server/cli',
  'server/chat',
  'server/fleet',
].map((f) => `/tests/unit/${f}.test.ts`);
for (const f of SLOWEST) {
  // A renamed file would otherwise drop out of the list unnoticed.
  if (!existsSync(fileURLToPath(new URL(`.${f}`, import.meta.url))))
    throw new Error(`vitest.config.ts: SLOWEST lists ${f}, which does not exist`);
}

/** Where the Svelte project's files go in the order: after the four slowest node files. */
const SVELTE_RANK = 3.5;

class SlowestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification): number => {
      // The rune tests are quick, but their project starts workers of its own (happy-dom, the
      // Svelte compiler): started last, that start-up was 3-4 s with the other cores idle.
      if (f.project.name === 'svelte') return SVELTE_RANK;
      const i = SLOWEST.findIndex((s) => f.moduleId.endsWith(s));
      return i < 0 ? SLOWEST.length : i;
    };
    // Stable: everything else keeps vitest's order (projects in turn, then longest or largest).
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}

export default defineConfig({
  test: {
    // Most broker and server tests wait on sockets, timers and child processes (a lease running
    // out, a 5 s race, a keep-alive): on the 2-core machine four workers still left both cores
    // idle for seconds at a time, when all four were waiting (40-49 s); with six the cores stay
    // busy (32-39 s). Eight were no faster: each worker imports the server once more.
    maxWorkers: 6,
    sequence: { sequencer: SlowestFirst },
    projects: [
      {
        resolve: { alias },
        test: {
          name: 'node',
          environment: 'node',
          include: ['tests/unit/**/*.test.ts'],
          exclude: ['tests/unit/**/*.svelte.test.ts'],
          // One module graph per worker: re-importing Fastify, Aedes and the server for each
          // file was about a third of the run's CPU. Safe with the broker's process-wide patch
          // (applyBrokerPatches: mqtt-packet's writeToStream, installed once and the same for
          // every broker); Aedes' own suite runs in a child process of its own.
          isolate: false,
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      {
        // Rune-based state classes need Svelte's client runtime (and a DOM-like environment) to be reactive.
        plugins: [svelte()],
        resolve: { alias, conditions: ['browser'] },
        test: {
          name: 'svelte',
          environment: 'happy-dom',
          include: ['tests/unit/**/*.svelte.test.ts'],
          // One happy-dom per worker instead of one per file (about 1 s of set-up each).
          isolate: false,
        },
      },
    ],
  },
});
