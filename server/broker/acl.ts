import { timingSafeEqual, createHash } from 'node:crypto';
import type { Client, AedesOptions } from 'aedes';
import type { BrokerUser } from './users.ts';
import { isFirehose } from '../../src/lib/wire/mqtt-topic.ts';

/** Who a connected client is: an anonymous browser or learner, or a known account. */
export type Principal = { kind: 'anonymous' } | { kind: 'user'; user: BrokerUser };

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

/** May `who` publish on `topic`? `$SYS` is the broker's own ([MQTT-4.7.2-1] reserves `$`). */
export function mayPublish(who: Principal, topic: string): boolean {
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
  if (who.kind === 'user' || !topic.startsWith('$SYS/')) return true;
  return topic.startsWith('$SYS/lab/');
}

/** Whether an anonymous client may use `clientId` (no account's prefix is on it). */
export function freeClientId(users: readonly BrokerUser[], clientId: string): boolean {
  return !users.some((u) => u.clientIdPrefixes.some((p) => clientId.startsWith(p)));
}

/** May `who` subscribe to `filter`? Anonymous clients may watch anything but the whole broker. */
export function maySubscribe(who: Principal, filter: string): boolean {
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
        // Checked for every message delivered: most topics are done with at the first byte.
        if (packet.topic.charCodeAt(0) !== 0x24) return packet;
        return mayReceive(principalOf(client), packet.topic) ? packet : null;
      },
    },
  };
}
