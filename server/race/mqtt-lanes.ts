import type { Socket } from 'node:net';
import { duplexPair } from 'node:stream';
import type { Aedes, Client } from 'aedes';
import { MqttClient } from 'mqtt';
import type { LaneId, RaceMqttAuth } from '../../src/lib/wire/race.ts';
import { raceMqttClientId, raceTopic } from '../../src/lib/wire/race.ts';
import type { Race } from './race.ts';
import type { SocketMeter } from './socket-meter.ts';

/** The MQTT lanes of a race. */
export type MqttLaneId = Extract<LaneId, 'mqttWs0' | 'mqttWs1' | 'mqttTcp'>;

const MQTT_LANES: readonly MqttLaneId[] = ['mqttWs0', 'mqttWs1', 'mqttTcp'];
const CLIENT_ID = /^race-([A-Za-z0-9_-]{22})-(mqttWs0|mqttWs1|mqttTcp)$/;

/** What the MQTT lanes need from the race module. */
export interface MqttLaneDeps {
  aedes: Aedes;
  lookup(id: string): Race | null;
  meter(race: Race, lane: MqttLaneId): SocketMeter;
  touch(race: Race): void;
}

/** The per-race side of the MQTT lanes. */
export interface MqttLanes {
  attach(race: Race): () => void;
  /** Closes the race's MQTT connections and forgets their sessions in the broker. */
  free(race: Race, auth: RaceMqttAuth | null): Promise<void>;
  close(): void;
}

// Aedes keeps the upgrade request of a WebSocket client as `req`, and the TCP socket as `conn`.
type AedesClient = Client & { req?: { socket?: Socket }; conn: unknown };

/**
 * MQTT over WebSocket at QoS 0 and QoS 1, and MQTT over TCP (`npm run race` only). The server
 * publishes each message once, at QoS 1, on `race/<id>`; the broker delivers it to each
 * subscriber at the lower of that and the subscription's QoS ([MQTT-3.8.4-6]), so one
 * publication feeds every MQTT lane. Lane clients are recognised by their client id, and their
 * bytes counted on their TCP socket.
 */
export function registerMqttLanes(deps: MqttLaneDeps): MqttLanes {
  const { aedes } = deps;
  const clients = new WeakMap<Race, Set<AedesClient>>();
  // Client ids whose sessions are being discarded right now: not lanes.
  const purging = new Set<string>();

  const onClient = (client: AedesClient): void => {
    const m = CLIENT_ID.exec(client.id);
    if (!m || purging.has(client.id)) return;
    const race = deps.lookup(m[1] ?? '');
    if (!race) {
      // A lane of a race that is gone or never was: nothing will be published for it.
      client.close();
      return;
    }
    const lane = m[2] as MqttLaneId;
    const socket = lane === 'mqttTcp' ? (client.conn as Socket) : client.req?.socket;
    if (!socket) return;
    deps.meter(race, lane).add(socket);
    let set = clients.get(race);
    if (!set) clients.set(race, (set = new Set()));
    set.add(client);
    deps.touch(race);
    socket.once('close', () => {
      set.delete(client);
      deps.touch(race);
    });
  };
  aedes.on('client', onClient);

  return {
    attach(race) {
      const topic = raceTopic(race.id);
      return race.onPublish((_seq, payload) => {
        aedes.publish(
          {
            cmd: 'publish',
            topic,
            payload: Buffer.from(payload),
            qos: 1,
            retain: false,
            dup: false,
          },
          () => {},
        );
      });
    },
    async free(race, auth) {
      for (const c of clients.get(race) ?? []) c.close();
      clients.delete(race);
      // A QoS 1 subscription with clean session off outlives its connection, with every message
      // queued for it ([MQTT-3.1.2-4]). Connecting once more with clean session on discards it
      // ([MQTT-3.1.2-6]); the connection is in memory, never on a socket.
      await Promise.all(
        MQTT_LANES.filter((l) => l !== 'mqttWs0').map((lane) =>
          discardSession(aedes, raceMqttClientId(race.id, lane), auth, purging),
        ),
      );
    },
    close() {
      aedes.off('client', onClient);
    },
  };
}

function discardSession(
  aedes: Aedes,
  clientId: string,
  auth: RaceMqttAuth | null,
  purging: Set<string>,
): Promise<void> {
  purging.add(clientId);
  return new Promise<void>((resolve) => {
    const [ours, theirs] = duplexPair();
    aedes.handle(theirs);
    const client = new MqttClient(() => ours, {
      clientId,
      // Lane client ids are reserved to the race's credentials (server/broker/acl.ts).
      ...(auth ?? {}),
      clean: true,
      reconnectPeriod: 0,
      connectTimeout: 5000,
    });
    const done = (): void => {
      client.end(true, () => void drainQueue(aedes, clientId).finally(resolve));
    };
    client.once('connect', done);
    client.once('error', done);
    client.once('close', () => void drainQueue(aedes, clientId).finally(resolve));
  }).finally(() => purging.delete(clientId));
}

/** The persistence calls used to empty a client's queue (promise forms, without callbacks). */
interface QueueStore {
  outgoingStream(client: { id: string }): AsyncIterable<{ messageId?: number }>;
  outgoingClearMessageId(client: { id: string }, packet: { messageId?: number }): Promise<unknown>;
}

/**
 * Empties what the broker still queues for a client id. A clean-session CONNECT drops the queue
 * only as its delivery stream runs, which a connection closed at once can cut short; with the
 * subscription already gone nothing new is queued, so one pass clears it for good.
 */
async function drainQueue(aedes: Aedes, clientId: string): Promise<void> {
  const store = (aedes as unknown as { persistence: QueueStore }).persistence;
  const who = { id: clientId };
  const queued: { messageId?: number }[] = [];
  for await (const p of store.outgoingStream(who)) queued.push(p);
  for (const p of queued) await store.outgoingClearMessageId(who, p);
}
