import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** The versions whose internals were read and tested against (package.json pins exactly these). */
export const CHECKED_VERSIONS = {
  aedes: '1.2.0',
  'aedes-persistence': '11.0.0',
  mqemitter: '7.1.0',
  'mqtt-packet': '9.0.2',
} as const;

/** A package whose private parts the broker's patches rely on. */
export type PatchedPackage = keyof typeof CHECKED_VERSIONS;

/** One private field, method or behaviour relied on, and the file that relies on it. */
export interface Internal {
  pkg: PatchedPackage | 'node';
  name: string;
  why: string;
  file: string;
}

/**
 * Everything outside a public API that `applyBrokerPatches` relies on. Reviewed against
 * CHECKED_VERSIONS; a new version means reading each of these again in its source.
 */
export const INTERNALS: readonly Internal[] = [
  // Aedes' Client (lib/client.js)
  {
    pkg: 'aedes',
    name: 'Client#_parser (parse, emit "packet", error)',
    why: 'our framer feeds the parser and emits decoded packets where Aedes listens',
    file: 'server/broker/patches/index.ts, ingress.ts',
  },
  {
    pkg: 'aedes',
    name: 'Client#version',
    why: 'decode and deliver ourselves only for MQTT 3.1 and 3.1.1',
    file: 'ingress.ts, fast-delivery.ts',
  },
  {
    pkg: 'aedes',
    name: 'Client#deliver0, Client#deliverQoS',
    why: 'replaced: QoS 0 fast path, highest granted QoS',
    file: 'fast-delivery.ts, conformance.ts',
  },
  {
    pkg: 'aedes',
    name: 'Client#subscriptions (null-prototype object, GHSA-52qw-whmv-87c5)',
    why: 'read and wrapped to pick the highest granted QoS',
    file: 'conformance.ts',
  },
  {
    pkg: 'aedes',
    name: 'Client#duplicates (null-prototype object)',
    why: 'one delivery per message across overlapping subscriptions',
    file: 'fast-delivery.ts',
  },
  {
    pkg: 'aedes',
    name: 'Client#connected, #connecting, #errored, #conn, #id, #clean',
    why: 'the same state checks as lib/write.js and deliver0',
    file: 'fast-delivery.ts, conformance.ts',
  },
  {
    pkg: 'aedes',
    name: 'Client#waitForDrain(), Client#_onError()',
    why: 'a full socket and a failed write end as in lib/write.js',
    file: 'fast-delivery.ts',
  },
  {
    pkg: 'aedes',
    name: "Client#_parsingBatch, #_nextBatch, #_paused (read batching in lib/client.js; _nextBatch is the connection's 'readable' listener)",
    why: 'a connection held back by the overload guard is not read until resumed',
    file: 'patches/index.ts',
  },
  {
    pkg: 'aedes',
    name: 'Client#_inboundInflight (Set of QoS 2 ids awaiting PUBREL)',
    why: 'a returning session starts with the ids it left unreleased',
    file: 'quotas.ts',
  },
  {
    pkg: 'aedes',
    name: 'SUBSCRIBE stores packet.subscriptions per granted filter; authorize runs synchronously per filter',
    why: 'only granted filters are stored, each once',
    file: 'quotas.ts',
  },
  {
    pkg: 'aedes',
    name: 'QoS 1/2 PUBLISH reaches mqemitter after the PUBACK write / QoS 2 store',
    why: 'a connection counts its packets in progress as queued',
    file: 'patches/index.ts, overload.ts',
  },
  {
    pkg: 'aedes',
    name: 'Client#_nextId',
    why: 'a returning session continues its packet identifiers',
    file: 'conformance.ts',
  },
  {
    pkg: 'aedes',
    name: 'Aedes#clients, #persistence, #mq, #handle (instance properties)',
    why: 'session ids, PUBREL keys, dispatch guard, per-connection patches',
    file: 'conformance.ts, crash-guard.ts, patches/index.ts',
  },
  {
    pkg: 'aedes',
    name: 'Aedes#authenticate, #preConnect read at call time',
    why: 'the packet-id continuation runs inside authenticate',
    file: 'patches/index.ts',
  },
  {
    pkg: 'aedes',
    name: 'writes go through mqtt-packet writeToStream(packet, conn) without options',
    why: 'one-buffer encoding of PUBLISH and its acknowledgements',
    file: 'encode.ts',
  },
  // aedes-persistence (memory store)
  {
    pkg: 'aedes-persistence',
    name: 'outgoingUpdate() matches by brokerId and brokerCounter',
    why: 'each PUBREL gets a key of its own',
    file: 'conformance.ts',
  },
  {
    pkg: 'aedes-persistence',
    name: 'createRetainedStreamCombi(patterns) matches by pattern alone',
    why: 'wildcard-first patterns get no $ topics [MQTT-4.7.2-1]',
    file: 'conformance.ts',
  },
  {
    pkg: 'aedes-persistence',
    name: 'addSubscriptions, outgoingEnqueue(Combi), outgoingUpdate, outgoingClearMessageId, incomingStorePacket, incomingDelPacket, cleanIncoming',
    why: 'counted and capped per session; unreleased QoS 2 stored without payload',
    file: 'quotas.ts',
  },
  // mqemitter
  {
    pkg: 'mqemitter',
    name: 'MQEmitter#emit, #length (the queue behind `concurrency`)',
    why: 'QoS 0 shed and publishers held back when the queue is full',
    file: 'overload.ts',
  },
  {
    pkg: 'mqemitter',
    name: 'MQEmitter#_parallel',
    why: 'dispatches nest at most MAX_SYNC_DISPATCH deep',
    file: 'crash-guard.ts',
  },
  // mqtt-packet
  {
    pkg: 'mqtt-packet',
    name: 'writeToStream export is writable, and its cacheNumbers property',
    why: 'replaced for the whole process (mqtt.js in-process clients pass options and keep it)',
    file: 'encode.ts',
  },
  {
    pkg: 'mqtt-packet',
    name: 'the shape of parsed publish/puback/pubrec/pubrel/pubcomp packets',
    why: 'our decoder emits the same objects',
    file: 'ingress.ts',
  },
  // Node
  {
    pkg: 'node',
    name: 'net.Socket / Duplex instance write() and end() replaced',
    why: 'one write per turn and the outgoing cap',
    file: 'write-batching.ts, limits.ts',
  },
];

/** Finds the version of `name` that code in `fromDir` would load (Node's node_modules lookup). */
function installedVersion(name: string, fromDir: string): string | undefined {
  const require = createRequire(path.join(fromDir, 'noop.js'));
  for (const dir of require.resolve.paths(name) ?? []) {
    const file = path.join(dir, name, 'package.json');
    if (existsSync(file))
      return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  }
  return undefined;
}

/** The installed versions: Aedes as the lab loads it, its dependencies as Aedes loads them. */
export function installedVersions(
  fromDir = import.meta.dirname,
): Record<PatchedPackage, string | undefined> {
  const aedes = installedVersion('aedes', fromDir);
  const aedesDir = path.join(
    createRequire(path.join(fromDir, 'noop.js'))
      .resolve.paths('aedes')!
      .find((d) => existsSync(path.join(d, 'aedes', 'package.json'))) ?? fromDir,
    'aedes',
  );
  return {
    aedes,
    'aedes-persistence': installedVersion('aedes-persistence', aedesDir),
    mqemitter: installedVersion('mqemitter', aedesDir),
    'mqtt-packet': installedVersion('mqtt-packet', aedesDir),
  };
}

/** Packages whose installed version is not the one checked: "name installed X, checked Y". */
export function versionMismatches(installed: Record<PatchedPackage, string | undefined>): string[] {
  const out: string[] = [];
  for (const pkg of Object.keys(CHECKED_VERSIONS) as PatchedPackage[]) {
    if (installed[pkg] !== CHECKED_VERSIONS[pkg]) {
      out.push(`${pkg} installed ${installed[pkg] ?? 'nowhere'}, checked ${CHECKED_VERSIONS[pkg]}`);
    }
  }
  return out;
}

/** The error start-up fails with: what differs, then every internal to check again. */
export function internalsError(mismatches: readonly string[]): Error {
  const list = INTERNALS.map((i) => `  - ${i.pkg}: ${i.name} (${i.file}): ${i.why}`).join('\n');
  return new Error(
    `The embedded broker patches internals of exact versions, and these differ:\n` +
      mismatches.map((m) => `  * ${m}`).join('\n') +
      `\nCheck each internal below in the new source, then update CHECKED_VERSIONS in ` +
      `server/broker/patches/internals.ts and the pins in package.json:\n${list}`,
  );
}

/** Throws `internalsError` unless the installed versions are exactly the checked ones. */
export function assertCheckedVersions(
  installed: Record<PatchedPackage, string | undefined> = installedVersions(),
): void {
  const mismatches = versionMismatches(installed);
  if (mismatches.length > 0) throw internalsError(mismatches);
}
