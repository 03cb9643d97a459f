import { startLab, type Lab } from '../../server/app.ts';
import type { LabConfig } from '../../server/config.ts';

/** Starts the companion server on free loopback ports, API and broker only unless told otherwise. */
export async function startTestLab(overrides: Partial<LabConfig> = {}): Promise<Lab> {
  return startLab({
    port: 0,
    host: '127.0.0.1',
    broker: { mode: 'embedded', mqttPort: 0 },
    site: false,
    distDir: 'dist',
    allowedOrigins: [],
    // A test counting vehicles' messages must not see the fleet slowed by a busy machine; the
    // backoff has its own tests (fleet-backoff.test.ts).
    fleetBackoff: false,
    ...overrides,
  });
}

/** Polls `check` until it returns true or `timeoutMs` passes; rejects with `what` on timeout. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 5000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
