import { timingSafeEqual, createHash } from 'node:crypto';
import type { Client, AedesOptions } from 'aedes';
import type { BrokerUser } from './users.ts';
import type { RaceKeys } from './race-keys.ts';
import { isFirehose, isRaceTopic } from '../../src/lib/wire/mqtt-topic.ts';

/**
 * Who a connected client is: an anonymous browser or learner, a known account, or a lane of one
 * protocol race (credentials the race API issued).
 */
export type Principal =
  { kind: 'anonymous' } | { kind: 'user'; user: BrokerUser } | { kind: 'race'; raceId: string };

const ANONYMOUS: Principal = { kind: 'anonymous' };

// Top-level namespaces: anyone may publish under these; devices also under vehicle/ and fleet/.
const OPEN_PUBLISH = ['lab', 'chat'];
const DEVICE_PUBLISH = ['vehicle', 'fleet'];

function firstLevel(topic: string): string {
  const i = topic.indexOf('/');
  return i < 0 ? topic : topic.slice(0, i);
}

// The browser lab explains refusals with the same test, so it lives with the shared topic rules.
export { isFirehose };

// Each race's stream is `race/<id>`: private to that race's lanes (server/race).
const RACE_CLIENT_PREFIX = 'race-';
const underRace = isRaceTopic;

/** True when `topic` (a name or filter) is `race/<id>` or below it. */
function ownRaceTopic(raceId: string, topic: string): boolean {
  const own = `race/${raceId}`;
  return topic === own || topic.startsWith(`${own}/`);
}

/** May `who` publish on `topic`? `$SYS` is the broker's own ([MQTT-4.7.2-1] reserves `$`). */
export function mayPublish(who: Principal, topic: string): boolean {
  // Only the server publishes a race's stream; its lanes only receive.
  if (who.kind === 'race') return false;
  if (topic.startsWith('$')) return false;
  const ns = firstLevel(topic);
  if (OPEN_PUBLISH.includes(ns)) return true;
  return who.kind === 'user' && who.user.role === 'device' && DEVICE_PUBLISH.includes(ns);
}

/**
 * May `who` receive a message on `topic`? Aedes announces every client id under
 * `$SYS/<broker id>/` (new and disconnected clients, their subscriptions); anonymous clients
 * see only the lab's own statistics under `$SYS/lab/`, so they cannot learn ids to take over.
 */
export function mayReceive(who: Principal, topic: string): boolean {
  // A race's stream reaches its own lanes and nobody else, whatever filter matched it
  // (`+/<id>`, or `#` of an account).
  if (underRace(topic)) return who.kind === 'race' && ownRaceTopic(who.raceId, topic);
  if (who.kind === 'race') return false;
  if (who.kind === 'user' || !topic.startsWith('$SYS/')) return true;
  return topic.startsWith('$SYS/lab/');
}

/** Whether an anonymous client may use `clientId` (no account's or race lane's prefix is on it). */
export function freeClientId(users: readonly BrokerUser[], clientId: string): boolean {
  if (clientId.startsWith(RACE_CLIENT_PREFIX)) return false;
  return !users.some((u) => u.clientIdPrefixes.some((p) => clientId.startsWith(p)));
}

/**
 * May `who` subscribe to `filter`? Anonymous clients may watch anything but the whole broker;
 * under `race/` only a race's own lanes may subscribe, and only to their race's topics.
 */
export function maySubscribe(who: Principal, filter: string): boolean {
  if (who.kind === 'race') return ownRaceTopic(who.raceId, filter);
  if (underRace(filter)) return false;
  if (who.kind === 'user') return true;
  return !isFirehose(filter);
}

function sameSecret(a: string, b: Buffer): boolean {
  // Hash both so the comparison takes the same time whatever the lengths.
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

/** Finds the account for a username and password; null when they do not match one. */
export function checkCredentials(
  users: readonly BrokerUser[],
  username: string,
  password: Buffer | undefined,
): BrokerUser | null {
  const user = users.find((u) => u.username === username);
  if (!user || !password) return null;
  return sameSecret(user.password, password) ? user : null;
}

/** Aedes hooks enforcing the lab's access rules, and a lookup of each client's principal. */
export function createAcl(
  users: readonly BrokerUser[],
  onReservedId: () => void = () => {},
  raceKeys: RaceKeys | null = null,
): {
  hooks: Required<
    Pick<
      AedesOptions,
      'authenticate' | 'authorizePublish' | 'authorizeSubscribe' | 'authorizeForward'
    >
  >;
  principalOf(client: Client | null): Principal;
} {
  const principals = new WeakMap<Client, Principal>();
  const principalOf = (client: Client | null): Principal =>
    (client && principals.get(client)) ?? ANONYMOUS;

  return {
    principalOf,
    hooks: {
      authenticate(client, username, password, done) {
        if (username === undefined) {
          if (!freeClientId(users, client.id)) {
            // §3.2.2.3 0x05 "not authorized": the id is valid, but only with the account's
            // credentials (Mosquitto answers `clientid_prefixes` the same way).
            onReservedId();
            done(Object.assign(new Error('client id reserved'), { returnCode: 5 as const }), false);
            return;
          }
          principals.set(client, ANONYMOUS);
          done(null, true);
          return;
        }
        const raceId = raceKeys?.raceOf(username) ?? null;
        if (raceId !== null) {
          const expected = raceKeys?.passwordOf(raceId);
          // A race's credentials open only its own lanes' client ids; an ended race's none.
          const ok =
            expected !== undefined &&
            !!password &&
            sameSecret(expected, password) &&
            client.id.startsWith(`${RACE_CLIENT_PREFIX}${raceId}-`);
          if (!ok) {
            done(Object.assign(new Error('not authorized'), { returnCode: 5 as const }), false);
            return;
          }
          principals.set(client, { kind: 'race', raceId });
          done(null, true);
          return;
        }
        const user = checkCredentials(users, username, password);
        if (!user) {
          // CONNACK 0x05 "not authorized": the lab answers the same for an unknown user and
          // a wrong password, so probing cannot tell which accounts exist.
          const err = Object.assign(new Error('not authorized'), { returnCode: 5 as const });
          done(err, false);
          return;
        }
        principals.set(client, { kind: 'user', user });
        done(null, true);
      },
      authorizePublish(client, packet, done) {
        // Wills and API publishes from the server itself have no client; the broker allows them.
        if (!client) {
          done(null);
          return;
        }
        // [MQTT-3.3.5-2]: an unauthorized PUBLISH cannot be refused in 3.1.1; closing the
        // connection (what Aedes does with this error) makes the refusal visible in the lab.
        done(mayPublish(principalOf(client), packet.topic) ? null : new Error('not authorized'));
      },
      authorizeSubscribe(client, sub, done) {
        // A null subscription becomes return code 0x80 in the SUBACK [MQTT-3.9.3-2].
        done(null, maySubscribe(principalOf(client), sub.topic) ? sub : null);
      },
      authorizeForward(client, packet) {
        // Checked for every message delivered: most topics are done with at the first byte
        // (neither '$' nor the 'r' of `race/`). A race lane subscribes only below `race/<id>`.
        const c = packet.topic.charCodeAt(0);
        if (c !== 0x24 && c !== 0x72) return packet;
        return mayReceive(principalOf(client), packet.topic) ? packet : null;
      },
    },
  };
}
