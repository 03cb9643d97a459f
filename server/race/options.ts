/** Limits of the race; every one protects the server from one visitor or from the whole room. */
export interface RaceOptions {
  /** Races one visitor (one address) may hold at once. */
  maxRacesPerVisitor: number;
  /** Races created per visitor per minute. */
  maxCreatesPerMinute: number;
  /** Races held at once by everyone. */
  maxRaces: number;
  /** A race not started within this time is freed (ms). */
  startWithinMs: number;
  /** A finished race keeps its counts this long for the page to read them (ms). */
  lingerMs: number;
  /** A race with no connection and no request for this long is freed: its page is gone (ms). */
  idleMs: number;
  /** Unsent bytes queued on one lane's connection before it is cut as too slow. */
  maxBacklogBytes: number;
  /** Most payload bytes in one poll answer; the rest comes with the next request. */
  maxPollBodyBytes: number;
  /** Shortest time between two cuts of one race (ms). */
  minCutGapMs: number;
}

/** The defaults: a workshop room where each attendee runs their own race. */
export const RACE_DEFAULTS: RaceOptions = {
  maxRacesPerVisitor: 2,
  maxCreatesPerMinute: 10,
  maxRaces: 40,
  startWithinMs: 30_000,
  lingerMs: 30_000,
  idleMs: 10_000,
  maxBacklogBytes: 4 * 1024 * 1024,
  maxPollBodyBytes: 2 * 1024 * 1024,
  minCutGapMs: 1000,
};
