import { randomBytes } from 'node:crypto';

/** The MQTT credentials of one race's lanes. */
export interface RaceCredentials {
  username: string;
  password: string;
}

const PREFIX = 'race-';

/**
 * Per-race MQTT credentials: the race API issues a username `race-<id>` and a random password
 * when it creates a race, and revokes them when it frees it. The ACL lets them read only
 * `race/<id>` and below, and only with a lane's client id (`race-<id>-…`).
 */
export class RaceKeys {
  readonly #passwords = new Map<string, string>();

  /** New credentials for a race (replacing any it had). */
  issue(raceId: string): RaceCredentials {
    const password = randomBytes(18).toString('base64url');
    this.#passwords.set(raceId, password);
    return { username: PREFIX + raceId, password };
  }

  /** Forgets a race's credentials: its lanes can no longer connect. */
  revoke(raceId: string): void {
    this.#passwords.delete(raceId);
  }

  /** The race a username names, if it has the shape of a race's (`race-<id>`). */
  raceOf(username: string): string | null {
    return username.startsWith(PREFIX) ? username.slice(PREFIX.length) : null;
  }

  /** The password of a live race. */
  passwordOf(raceId: string): string | undefined {
    return this.#passwords.get(raceId);
  }

  /** Races with credentials now. */
  get size(): number {
    return this.#passwords.size;
  }
}
