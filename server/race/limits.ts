import type { RaceError } from '../../src/lib/wire/race.ts';
import type { RaceOptions } from './options.ts';

/**
 * Per-visitor and global admission of races: a visitor (one address, not a self-declared id,
 * since one browser can claim any id) holds a few races at once and creates a few per minute.
 */
export class VisitorLimits {
  readonly #options: RaceOptions;
  readonly #held = new Map<string, number>();
  readonly #created = new Map<string, number[]>();

  constructor(options: RaceOptions) {
    this.#options = options;
  }

  /** Admits a new race for `visitor`, or says why not (429 per visitor, 503 for everyone). */
  admit(visitor: string, racesNow: number): RaceError | null {
    const o = this.#options;
    if (racesNow >= o.maxRaces) {
      return { error: 'the server runs too many races right now; retry shortly', statusCode: 503 };
    }
    const held = this.#held.get(visitor) ?? 0;
    if (held >= o.maxRacesPerVisitor) {
      return {
        error: `at most ${o.maxRacesPerVisitor} races at once per visitor; end one first`,
        statusCode: 429,
      };
    }
    const now = Date.now();
    const recent = (this.#created.get(visitor) ?? []).filter((t) => now - t < 60_000);
    if (recent.length >= o.maxCreatesPerMinute) {
      return {
        error: `at most ${o.maxCreatesPerMinute} races per minute per visitor`,
        statusCode: 429,
      };
    }
    recent.push(now);
    this.#created.set(visitor, recent);
    this.#held.set(visitor, held + 1);
    // Bounded: visitors with nothing held and nothing recent are forgotten.
    if (this.#created.size > 10_000) {
      for (const [k, v] of this.#created) {
        if (!this.#held.has(k) && v.every((t) => now - t >= 60_000)) this.#created.delete(k);
      }
    }
    return null;
  }

  /** A visitor's race was freed. */
  release(visitor: string): void {
    const n = (this.#held.get(visitor) ?? 0) - 1;
    if (n <= 0) this.#held.delete(visitor);
    else this.#held.set(visitor, n);
  }
}
