// Experiment 6 of the MQTT lab: two clients with one client id (session takeover). Loaded only
// when the experiment runs, so that the lab's page does not carry it.
import type { Packet } from 'mqtt';
import {
  baseOptions,
  close,
  connected,
  kill,
  persistent,
  type ExperimentEnv,
} from './experiments.ts';

/** Counts of experiment 6. */
export interface TakeoverReport {
  clientId: string;
  /** Did the broker close the first client's connection once the second connected [MQTT-3.1.4-2]? */
  firstClosed: boolean;
  /** From the second client's CONNECT to the first one's closed connection. */
  afterMs: number | null;
  /** The reason code of a DISCONNECT the first client got (5.0 sends 0x8E); null when none came. */
  disconnectCode: number | null;
  /** The second client's CONNACK: it found the first one's session [MQTT-3.2.2-2]. */
  sessionPresent: boolean;
  /** Did the first connection's will reach a subscriber? */
  willPublished: boolean;
}

/** How long experiment 6 watches for the first client's will after its connection closed. */
const WILL_WINDOW_MS = 1000;

/**
 * Experiment 6: two clients with one client id, by default both with a persistent session, as
 * two tabs sharing an id from `localStorage` would; the first one registers a will.
 */
export async function runTakeoverExperiment(
  env: ExperimentEnv,
  clean = false,
): Promise<TakeoverReport> {
  const sleep = env.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = env.now ?? Date.now;
  const topic = `${env.prefix}/takeover`;
  const clientId = `lab-twin-${env.id}`;
  const watcher = env.open('subscriber', { ...baseOptions(env), clientId: `lab-sub-${env.id}-t` });
  await connected(watcher);
  let willPublished = false;
  const will = new Promise<void>((resolve) =>
    watcher.once('message', () => {
      willPublished = true;
      resolve();
    }),
  );
  await watcher.subscribeAsync(topic, { qos: 1 });

  const first = env.open('twin.a', {
    ...persistent(env, clientId, clean),
    will: { topic, payload: new TextEncoder().encode('gone') as Buffer, qos: 1, retain: false },
  });
  await connected(first);
  // A subscription gives the session something to hand over. (Aedes reports an empty session as
  // absent, though its existence alone is session state, 3.1.1 §3.1.2.4.)
  await first.subscribeAsync(`${env.prefix}/twin`, { qos: 1 });
  let disconnectCode: number | null = null;
  first.on('packetreceive', (p: Packet) => {
    if (p.cmd === 'disconnect') disconnectCode = p.reasonCode ?? 0;
  });
  let closedAt: number | null = null;
  let ending = false;
  const firstClosed = new Promise<void>((resolve) =>
    first.once('close', () => {
      // Closed by this experiment at the end, not by the broker: nothing to report.
      if (ending) return;
      closedAt = now();
      env.closed?.('twin.a');
      resolve();
    }),
  );
  const startedAt = now();
  const second = env.open('twin.b', persistent(env, clientId, clean));
  try {
    const { sessionPresent } = await connected(second);
    // [MQTT-3.1.4-2]: the broker must disconnect the first client; 3.1.1 gives no reason, it
    // just closes the connection. A broker that does not is reported, not waited on forever.
    await Promise.race([firstClosed, sleep(env.timeoutMs ?? 5000)]);
    // [MQTT-3.1.2-8]: the will belongs to the connection and goes out when it closes without a
    // DISCONNECT from the client. It comes at once or not at all; the window is for a busy page.
    if (closedAt !== null) await Promise.race([will, sleep(WILL_WINDOW_MS)]);
    return {
      clientId,
      firstClosed: closedAt !== null,
      afterMs: closedAt === null ? null : closedAt - startedAt,
      disconnectCode,
      sessionPresent,
      willPublished,
    };
  } finally {
    ending = true;
    kill(first);
    await Promise.all([close(second), close(watcher)]);
    // Leave no session behind on the broker.
    const cleanup = env.open('twin.b', persistent(env, clientId, true));
    await connected(cleanup).catch(() => {});
    await close(cleanup);
  }
}
