import { defineConfig } from '@playwright/test';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { findMosquitto } from './server/broker/mosquitto.ts';

/** The Chromium to drive: CHROMIUM_PATH, else Debian's, else Playwright's own (never downloaded here). */
function chromiumPath(): string | undefined {
  if (process.env['CHROMIUM_PATH']) return process.env['CHROMIUM_PATH'];
  return existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

// Chosen once in the main process; workers inherit it through the environment.
process.env['LAB_E2E_PORT'] ??= String(await freePort());
const port = Number(process.env['LAB_E2E_PORT']);
// A second lab, with the managed Mosquitto as its broker, for the MQTT 5.0 experiments.
process.env['LAB_E2E_MOSQUITTO_PORT'] ??= String(await freePort());
const mosquittoPort = Number(process.env['LAB_E2E_MOSQUITTO_PORT']);
/**
 * Whether this machine has Mosquitto for the second lab. CI installs it (.ci/run); elsewhere
 * the managed-Mosquitto project is left out with a note rather than failing every e2e run.
 */
const haveMosquitto = ((): boolean => {
  try {
    findMosquitto(null);
    return true;
  } catch {
    console.warn('e2e: no Mosquitto here, so the chromium-mosquitto project is skipped');
    return false;
  }
})();
/** Specs that run against the managed Mosquitto only. */
const MOSQUITTO_SPECS = /mqtt5\.spec\.ts$/;
/**
 * What the managed Mosquitto runs: the MQTT 5.0 experiments, and of the lab's 3.1.1 checks only
 * the basic exchange (connect, subscribe, publish at QoS 2); the rest would take over a minute.
 */
const MOSQUITTO_RUNS = /MQTT 5\.0 experiments|four-packet exchange/;
// The trainer token of the lab under test: the server and the workers inherit it, so a test can
// log in as the trainer from a context that the lab does not trust as local.
process.env['LAB_TRAINER_TOKEN'] ??= `e2e-trainer-${randomBytes(9).toString('base64url')}`;
const executablePath = chromiumPath();

export default defineConfig({
  testDir: 'tests/e2e',
  fullyParallel: true,
  workers: 2,
  retries: 0,
  timeout: 30_000,
  reporter: process.env['CI'] ? [['list']] : [['list'], ['html', { open: 'never' }]],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    // Recording a trace costs every action a DOM snapshot, and a CI run keeps only its printed
    // output: trace locally, where a failure's trace can be opened.
    trace: process.env['CI'] ? 'off' : 'retain-on-failure',
    launchOptions: {
      ...(executablePath ? { executablePath } : {}),
      // Without these Chromium keeps trying to reach Google services that this network refuses.
      args: [
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    },
  },
  projects: [
    { name: 'chromium', use: { browserName: 'chromium' }, testIgnore: MOSQUITTO_SPECS },
    ...(haveMosquitto
      ? [
          {
            name: 'chromium-mosquitto',
            use: { browserName: 'chromium', baseURL: `http://127.0.0.1:${mosquittoPort}` },
            testMatch: [MOSQUITTO_SPECS, /mqtt\.spec\.ts$/],
            grep: MOSQUITTO_RUNS,
          },
        ]
      : []),
  ],
  webServer: [
    {
      // The real entry point, exactly as `npm start` runs it, on free ports.
      command: `LAB_FLEET_BACKOFF=off node server/cli.ts --port ${port} --mqtt-port 0 --host 127.0.0.1`,
      url: `http://127.0.0.1:${port}/api/health`,
      reuseExistingServer: false,
      timeout: 180_000,
      stdout: 'ignore',
      stderr: 'pipe',
      gracefulShutdown: { signal: 'SIGTERM', timeout: 3000 },
    },
    ...(haveMosquitto
      ? [
          {
            // The same entry point with `--broker mosquitto`: Debian's Mosquitto as a child process.
            // No fleet: these tests need only the broker, and the machine is shared.
            command: `node server/cli.ts --broker mosquitto --port ${mosquittoPort} --mqtt-port 0 --mosquitto-ws-port 0 --host 127.0.0.1 --no-fleet`,
            url: `http://127.0.0.1:${mosquittoPort}/api/health`,
            reuseExistingServer: false,
            timeout: 180_000,
            stdout: 'ignore',
            stderr: 'pipe',
            gracefulShutdown: { signal: 'SIGTERM', timeout: 3000 },
          },
        ]
      : []),
  ],
});
