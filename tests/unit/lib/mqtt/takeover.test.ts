// Experiment 6 (two clients, one client id) against scripted brokers: no sockets, no timers. The
// real brokers (Aedes and Mosquitto) run the same experiment in tests/helpers/behaviour-suite.ts.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { IClientOptions, MqttClient } from 'mqtt';
import type { ExperimentEnv } from '../../../../src/lib/mqtt/experiments.ts';
import { runTakeoverExperiment } from '../../../../src/lib/mqtt/takeover.ts';
import { PacketLog } from '../../../../src/lib/mqtt/packet-log.ts';

/** How a scripted broker treats a second connection with a client id already connected. */
interface Policy {
  /** Closes the first connection, as [MQTT-3.1.4-2] requires. */
  takeover: boolean;
  /** Publishes the first connection's will when it closes it. */
  will: boolean;
  /** Sends the first client a DISCONNECT with this reason code first (MQTT 5.0). */
  disconnect?: number;
}

class FakeClient extends EventEmitter {
  connected = false;
  readonly options: IClientOptions;
  readonly stream: { destroy: () => void };
  readonly subscribeAsync: (topic: string) => Promise<unknown>;
  readonly endAsync: () => Promise<void>;
  constructor(options: IClientOptions, broker: FakeBroker) {
    super();
    this.options = options;
    // Destroying the socket is a connection closed without DISCONNECT: the will goes out.
    this.stream = { destroy: () => broker.drop(this, true) };
    this.subscribeAsync = (topic) => {
      broker.subs.push({ topic, client: this });
      return Promise.resolve([]);
    };
    this.endAsync = () => {
      broker.drop(this, false);
      return Promise.resolve();
    };
  }
}

class FakeBroker {
  readonly byId = new Map<string, FakeClient>();
  readonly sessions = new Set<string>();
  readonly subs: { topic: string; client: FakeClient }[] = [];
  clock = 1000;
  readonly policy: Policy;
  constructor(policy: Policy) {
    this.policy = policy;
  }

  open = (_role: string, opts: IClientOptions): MqttClient => {
    const c = new FakeClient(opts, this);
    queueMicrotask(() => this.#connect(c));
    return c as unknown as MqttClient;
  };

  #connect(c: FakeClient): void {
    const id = c.options.clientId!;
    // mqtt.js asks for a clean session unless told otherwise.
    const clean = c.options.clean ?? true;
    const present = !clean && this.sessions.has(id);
    if (clean) this.sessions.delete(id);
    else this.sessions.add(id);
    // The broker takes 7 ms to notice the duplicate.
    this.clock += 7;
    const old = this.byId.get(id);
    if (old && this.policy.takeover) {
      if (this.policy.disconnect !== undefined)
        old.emit('packetreceive', { cmd: 'disconnect', reasonCode: this.policy.disconnect });
      this.drop(old, this.policy.will);
    }
    this.byId.set(id, c);
    c.connected = true;
    c.emit('connect', { sessionPresent: present });
  }

  drop(c: FakeClient, publishWill: boolean): void {
    if (!c.connected) return;
    c.connected = false;
    if (this.byId.get(c.options.clientId!) === c) this.byId.delete(c.options.clientId!);
    const will = c.options.will;
    if (publishWill && will) {
      for (const s of this.subs) if (s.topic === will.topic) s.client.emit('message', will.topic);
    }
    c.emit('close');
  }
}

function setup(policy: Policy) {
  const broker = new FakeBroker(policy);
  const waits: number[] = [];
  const closedRows: string[] = [];
  const env: ExperimentEnv = {
    open: broker.open,
    prefix: 'lab/t',
    id: 'abc',
    now: () => broker.clock,
    // No real waiting: a wait ends at once, and the test sees which waits were asked for.
    sleep: (ms) => {
      waits.push(ms);
      return Promise.resolve();
    },
    closed: (role) => closedRows.push(role),
  };
  return { broker, env, waits, closedRows };
}

describe('experiment 6: two clients with one client id', () => {
  it('reports the first client cut off with no packet, the session handed on, the will out (Aedes)', async () => {
    const { broker, env, closedRows } = setup({ takeover: true, will: true });
    const r = await runTakeoverExperiment(env);
    expect(r).toEqual({
      clientId: 'lab-twin-abc',
      firstClosed: true,
      afterMs: 7,
      disconnectCode: null,
      sessionPresent: true,
      willPublished: true,
    });
    // The diagram gets one "closed, no packet" row, for the first client.
    expect(closedRows).toEqual(['twin.a']);
    // Nothing left behind: no connection, no session.
    expect([...broker.byId.keys()]).toEqual([]);
    expect([...broker.sessions]).toEqual([]);
  });

  it('reports a will the broker kept back, after watching for it (Mosquitto 2.0 with persistent sessions)', async () => {
    const { env, waits } = setup({ takeover: true, will: false });
    const r = await runTakeoverExperiment(env);
    expect(r).toMatchObject({ firstClosed: true, willPublished: false, sessionPresent: true });
    expect(waits).toContain(1000);
  });

  it('reports the reason code of a 5.0 DISCONNECT, and no session with clean sessions', async () => {
    const { env } = setup({ takeover: true, will: true, disconnect: 0x8e });
    const r = await runTakeoverExperiment(env, true);
    expect(r).toMatchObject({ firstClosed: true, disconnectCode: 0x8e, sessionPresent: false });
  });

  it('reports a broker that leaves the first client connected, without waiting for a will', async () => {
    const { env, waits, closedRows } = setup({ takeover: false, will: true });
    const r = await runTakeoverExperiment(env);
    expect(r).toMatchObject({ firstClosed: false, afterMs: null, willPublished: false });
    expect(closedRows).toEqual([]);
    expect(waits).not.toContain(1000);
  });
});

describe('the packet log', () => {
  it('marks a connection the broker closed without a packet', () => {
    let t = 0;
    const log = new PacketLog(() => t);
    log.add('twin.a', 'out', { cmd: 'connect', clientId: 'x', protocolId: 'MQTT' } as never);
    t = 12;
    const row = log.closed('twin.a');
    expect(row).toMatchObject({ seq: 2, t: 12, client: 'twin.a', dir: 'in', closed: true });
    expect(row.bytes).toBe(0);
  });
});
