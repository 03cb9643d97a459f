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

/**
 * A short picture of a rejected value for an error message. Only primitives are printed:
 * JSON.stringify recurses, and a value nested 10,000 deep would overflow the stack (a 500).
 */
export function shown(raw: unknown): string {
  if (Array.isArray(raw)) return 'an array';
  if (raw !== null && typeof raw === 'object') return 'an object';
  if (typeof raw === 'string')
    return JSON.stringify(raw.length > 40 ? `${raw.slice(0, 40)}…` : raw);
  return typeof raw === 'number' || typeof raw === 'boolean' || raw === null
    ? JSON.stringify(raw)
    : typeof raw;
}

/** A fleet size: a whole number from `min` (1, or 0 where 0 means "no fleet") to 5,000. */
export function checkVehicles(raw: unknown, field: string, min = 1): number {
  const n = toNumber(raw);
  if (!Number.isInteger(n) || n < min || n > FLEET_LIMITS.maxVehicles) {
    throw new FleetOptionError(
      field,
      `must be a whole number from ${min} to ${FLEET_LIMITS.maxVehicles}, got ${shown(raw)}`,
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
      `must be a number of messages per second from ${FLEET_LIMITS.minRateHz} to ${FLEET_LIMITS.maxRateHz}, got ${shown(raw)}`,
    );
  }
  return n;
}
