// Validation shared by the CLI (`npm run fleet`), the server flags and the control API, so all
// three accept the same values and explain a bad one the same way.
import { FLEET_LIMITS } from '../../src/lib/wire/fleet.ts';

/** A bad value; `field` names the flag or JSON field so the user knows what to fix. */
export class FleetOptionError extends Error {
  override name = 'FleetOptionError';
  readonly field: string;
  constructor(field: string, message: string) {
    super(`${field} ${message}`);
    this.field = field;
  }
}

const toNumber = (raw: unknown): number =>
  typeof raw === 'number'
    ? raw
    : typeof raw === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(raw)
      ? Number(raw)
      : NaN;

/** A fleet size: a whole number from `min` (1, or 0 where 0 means "no fleet") to 5,000. */
export function checkVehicles(raw: unknown, field: string, min = 1): number {
  const n = toNumber(raw);
  if (!Number.isInteger(n) || n < min || n > FLEET_LIMITS.maxVehicles) {
    throw new FleetOptionError(
      field,
      `must be a whole number from ${min} to ${FLEET_LIMITS.maxVehicles}, got ${JSON.stringify(raw)}`,
    );
  }
  return n;
}

/** A publish rate in Hz, from 0.2 (one status every 5 s) to 10. */
export function checkRate(raw: unknown, field: string): number {
  const n = toNumber(raw);
  if (!Number.isFinite(n) || n < FLEET_LIMITS.minRateHz || n > FLEET_LIMITS.maxRateHz) {
    throw new FleetOptionError(
      field,
      `must be a number of messages per second from ${FLEET_LIMITS.minRateHz} to ${FLEET_LIMITS.maxRateHz}, got ${JSON.stringify(raw)}`,
    );
  }
  return n;
}
