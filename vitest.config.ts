import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { fileURLToPath } from 'node:url';

const alias = { '~': fileURLToPath(new URL('./src', import.meta.url)) };

export default defineConfig({
  test: {
    // Vitest leaves one core free by default, which on a 2-core machine means one file at a time;
    // most broker and server tests wait on sockets and timers, so two files at once halve the run.
    maxWorkers: 2,
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
