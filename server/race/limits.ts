import type { RaceError } from '../../src/lib/wire/race.ts';
import { HeldCounter, type Visitor, type Visitors } from '../visitor.ts';
import type { RaceOptions } from './options.ts';

/**
 * Per-visitor and global admission of races: a visitor (address plus browser cookie, see
 * server/visitor.ts) holds a few races at once and creates a few per minute; an address gets
 * several visitors' worth, for attendees behind one NAT.
 */
export class VisitorLimits {
  readonly #options: RaceOptions;
  readonly #visitors: Visitors;
  readonly #held = new HeldCounter();
  readonly #created = new Map<string, number[]>();

  constructor(options: RaceOptions, visitors: Visitors) {
    this.#options = options;
    this.#visitors = visitors;
  }

  /**
   * Admits a new race for `v`: returns its release function, or why not (429 for the visitor,
   * 503 for everyone).
   */
  admit(v: Visitor, racesNow: number): { release: () => void } | RaceError {
    const o = this.#options;
    if (racesNow >= o.maxRaces) {
      return { error: 'the server runs too many races right now; retry shortly', statusCode: 503 };
    }
    if (
      !this.#held.allows(v, o.maxRacesPerVisitor, this.#visitors.perAddress(o.maxRacesPerVisitor))
    ) {
      return {
        error: `at most ${o.maxRacesPerVisitor} races at once per visitor; end one first`,
        statusCode: 429,
      };
    }
    const now = Date.now();
    const recent = (this.#created.get(v.key) ?? []).filter((t) => now - t < 60_000);
    if (recent.length >= o.maxCreatesPerMinute) {
      return {
        error: `at most ${o.maxCreatesPerMinute} races per minute per visitor`,
        statusCode: 429,
      };
    }
    recent.push(now);
    this.#created.set(v.key, recent);
    // Bounded: visitors with nothing recent are forgotten.
    if (this.#created.size > 10_000) {
      for (const [k, ts] of this.#created) {
        if (ts.every((t) => now - t >= 60_000)) this.#created.delete(k);
      }
    }
    return { release: this.#held.hold(v) };
  }
}
