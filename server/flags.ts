// Command-line flags, one way for every command (`npm start`, `npm run race`): a strict parse by
// node:util's parseArgs and the checks of values that several commands take (whole numbers, http
// origins), so they reject the same mistakes in the same words and exit with code 2.
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';

/** A bad flag or environment value: the command prints the message and exits with code 2. */
export class OptionError extends Error {
  override name = 'OptionError';
}

/**
 * Parses `argv` against `options`, strictly (an unknown flag, a missing value or a positional is an
 * OptionError in parseArgs' own words, followed by where the help is).
 */
export function parseFlags<const O extends ParseArgsOptionsConfig>(
  argv: readonly string[],
  options: O,
  command: string,
) {
  try {
    return parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    // parseArgs explains unknown flags and missing values well; keep its words, drop its code.
    throw new OptionError(`${(err as Error).message}. Run "${command} -- --help" for the options.`);
  }
}

/** A whole number from `min` to `max` written in digits ("12abc", "1e3" and "-1" are refused). */
export function wholeNumber(raw: string, name: string, min: number, max: number): number {
  // Number() alone would take some of those ("1e3", "0x10", " "): digits only.
  const n = /^\d+$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!(n >= min && n <= max)) {
    throw new OptionError(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return n;
}

/** Any finite number (the caller checks the range); `fallback` when the flag is absent. */
export function numberFlag(raw: string | undefined, name: string, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n)) {
    throw new OptionError(`${name} must be a number, got ${JSON.stringify(raw)}`);
  }
  return n;
}

/** The origin of an http:// or https:// URL. */
export function httpOrigin(raw: string, name: string): string {
  try {
    const u = new URL(raw);
    if (u.protocol === 'http:' || u.protocol === 'https:') return u.origin;
  } catch {
    // reported below, with the flag's name
  }
  throw new OptionError(`${name} must be an http:// or https:// URL, got "${raw}"`);
}
