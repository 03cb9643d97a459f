import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  FleetDashboard,
  packetBytes,
  type FleetMqttClient,
} from '../../../src/lib/fleet/fleet-dashboard.svelte.ts';
import { encodeSnapshot, type VehicleAlert } from '../../../src/lib/wire/fleet.ts';

/** A stand-in for an mqtt.js client that records subscriptions and lets tests push messages. */
class FakeClient implements FleetMqttClient {
  readonly handlers = new Map<string, ((...args: never[]) => void)[]>();
  readonly subscribed = new Set<string>();
  /** When set, SUBACK/UNSUBACK callbacks wait here until the test calls them. */
  heldAcks: (() => void)[] | null = null;
  url = '';
  on(event: string, cb: (...args: never[]) => void): this {
    this.handlers.set(event, [...(this.handlers.get(event) ?? []), cb]);
    return this;
  }
  emit(event: string, ...args: unknown[]): void {
    for (const h of this.handlers.get(event) ?? []) (h as (...a: unknown[]) => void)(...args);
  }
  subscribe(topics: Record<string, { qos: 0 | 1 }>, cb?: (err?: Error | null) => void): this {
    for (const t of Object.keys(topics)) this.subscribed.add(t);
    this.#ack(() => cb?.(null));
    return this;
  }
  unsubscribe(topics: string[], cb?: (err?: Error | null) => void): this {
    for (const t of topics) this.subscribed.delete(t);
    this.#ack(() => cb?.(null));
    return this;
  }
  #ack(fn: () => void): void {
    if (this.heldAcks) this.heldAcks.push(fn);
    else fn();
  }
  end(): this {
    return this;
  }
  /** Delivers a PUBLISH of `bytes` bytes, as mqtt.js reports it before the message event. */
  deliver(topic: string, payload: Uint8Array | string, remaining = 100): void {
    this.emit('packetreceive', { cmd: 'publish', length: remaining });
    this.emit(
      'message',
      topic,
      typeof payload === 'string' ? new TextEncoder().encode(payload) : payload,
    );
  }
}

const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200 });

/** A dashboard on the embedded broker; `next` makes the client of each connection. */
function dashboard(next: () => FakeClient): FleetDashboard {
  return new FleetDashboard({
    loadMqtt: async () => (url) => {
      const client = next();
      client.url = url;
      return client;
    },
    fetch: async (input) =>
      input === '/api/config'
        ? json({ broker: { mode: 'embedded', wsUrl: null, tcpUrl: null }, mqttPath: '/mqtt' })
        : json({ vehicles: 200, connected: 200, rateHz: 1, paused: false }),
    pageUrl: () => 'https://lab.example/en/mqtt-over-websocket/',
  });
}

async function started() {
  const client = new FakeClient();
  const dash = dashboard(() => client);
  await dash.start();
  client.emit('connect');
  return { dash, client };
}

afterEach(() => vi.useRealTimers());

describe('FleetDashboard', () => {
  it('connects to the broker URL for this page and subscribes to the overview, not to every vehicle', async () => {
    const { dash, client } = await started();
    expect(client.url).toBe('wss://lab.example/mqtt');
    expect(dash.conn).toBe('connected');
    expect([...client.subscribed].sort()).toEqual(
      ['fleet/snapshot', 'fleet/stats', 'vehicle/+/alert', 'vehicle/+/online'].sort(),
    );
    dash.stop();
  });

  it('subscribes to one vehicle when it is selected, and swaps the subscription with the mode', async () => {
    const { dash, client } = await started();
    dash.select(42);
    expect(client.subscribed.has('vehicle/42/status')).toBe(true);
    expect(client.subscribed.has('vehicle/42/alert')).toBe(true);
    dash.select(7);
    expect(client.subscribed.has('vehicle/42/status')).toBe(false);
    expect(client.subscribed.has('vehicle/7/status')).toBe(true);
    dash.setMode('naive');
    expect(client.subscribed.has('vehicle/+/status')).toBe(true);
    expect(client.subscribed.has('fleet/snapshot')).toBe(false);
    // The wildcard already carries vehicle 7: no second, overlapping subscription.
    expect(client.subscribed.has('vehicle/7/status')).toBe(false);
    dash.setMode('overview');
    expect(client.subscribed.has('vehicle/+/status')).toBe(false);
    expect(client.subscribed.has('vehicle/7/status')).toBe(true);
    dash.stop();
  });

  it('shows each alert once, newest first, even when QoS 1 delivers it twice', async () => {
    const { dash, client } = await started();
    const alert = (key: string, id: number): VehicleAlert => ({
      key,
      id,
      kind: 'harsh-braking',
      value: 9,
      x: 0,
      y: 0,
      ts: 1,
    });
    client.deliver('vehicle/3/alert', JSON.stringify(alert('3-a-1', 3)));
    client.deliver('vehicle/3/alert', JSON.stringify(alert('3-a-1', 3))); // duplicate
    client.deliver('vehicle/5/alert', JSON.stringify(alert('5-a-1', 5)));
    client.deliver('vehicle/5/alert', '{not json');
    expect(dash.alerts.map((a) => a.key)).toEqual(['5-a-1', '3-a-1']);
    dash.select(3);
    expect(dash.selectedAlerts.map((a) => a.key)).toEqual(['3-a-1']);
    dash.stop();
  });

  it('draws vehicles from snapshots and online flags, and forgets cleared ones', async () => {
    const { dash, client } = await started();
    client.deliver(
      'fleet/snapshot',
      encodeSnapshot({
        ts: 1,
        vehicles: [
          { id: 1, x: 100, y: 200, heading: 90, state: 'driving' },
          { id: 2, x: 300, y: 400, heading: 0, state: 'charging' },
        ],
      }),
    );
    client.deliver('vehicle/1/online', 'true');
    client.deliver('vehicle/2/online', 'false');
    expect(dash.store.vehicles.get(1)).toMatchObject({
      x: 100,
      y: 200,
      online: true,
      placed: true,
    });
    expect(dash.store.counts()).toEqual({ total: 2, online: 1, offline: 1 });
    client.deliver('vehicle/2/online', '');
    expect(dash.store.vehicles.has(2)).toBe(false);
    dash.stop();
  });

  it('measures bytes per mode and reports how much the naive wildcard costs', async () => {
    vi.useFakeTimers();
    vi.setSystemTime(0); // whole seconds line up with the meter's buckets
    const { dash, client } = await started();
    const run = (seconds: number, perSecond: () => void) => {
      for (let s = 0; s < seconds; s++) {
        perSecond();
        vi.advanceTimersByTime(1000);
      }
    };
    run(6, () => client.deliver('fleet/stats', '{}', 1000));
    expect(dash.measured.overview?.bytesPerS).toBeCloseTo(packetBytes(1000), -1);
    dash.setMode('naive');
    run(6, () => {
      for (let k = 0; k < 200; k++) client.deliver('vehicle/1/status', '{}', 148);
    });
    expect(dash.measured.naive?.bytesPerS).toBeCloseTo(200 * packetBytes(148), -2);
    expect(dash.ratio).toBeGreaterThan(25);
    expect(dash.history.length).toBe(12);
    dash.stop();
  });

  it('measures a mode only after the broker acknowledged the switch, so late publishes of the old mode do not count', async () => {
    vi.useFakeTimers();
    vi.setSystemTime(0);
    const { dash, client } = await started();
    dash.setMode('naive');
    const naiveSecond = () => {
      for (let k = 0; k < 200; k++) client.deliver('vehicle/1/status', '{}', 148);
    };
    for (let s = 0; s < 6; s++) {
      naiveSecond();
      vi.advanceTimersByTime(1000);
    }
    const naive = dash.measured.naive?.bytesPerS ?? 0;
    expect(naive).toBeGreaterThan(0);

    // Back to the overview while the broker is slow: for 5 s the old wildcard's publishes keep
    // coming (they were queued before the UNSUBACK), and no acknowledgement is in yet.
    client.heldAcks = [];
    dash.setMode('overview');
    for (let s = 0; s < 5; s++) {
      naiveSecond();
      vi.advanceTimersByTime(1000);
    }
    // Nothing measured in the overview yet: the switch is not settled.
    expect(dash.measured.overview?.bytesPerS ?? null).not.toBeCloseTo(naive, -2);
    const acks = client.heldAcks;
    client.heldAcks = null;
    for (const ack of acks) ack();
    for (let s = 0; s < 6; s++) {
      client.deliver('fleet/snapshot', new Uint8Array(0), 1000);
      vi.advanceTimersByTime(1000);
    }
    expect(dash.measured.overview?.bytesPerS).toBeCloseTo(packetBytes(1000), -1);
    expect(dash.ratio).toBeGreaterThan(25);
    dash.stop();
  });
});

describe('FleetDashboard.slowdown', () => {
  it('reports the lab slowing the fleet on an overloaded machine, and 1 before it knows', async () => {
    let slowdown: number | undefined = 4;
    const dash = new FleetDashboard({
      loadMqtt: async () => () => new FakeClient(),
      fetch: async () =>
        json({ vehicles: 200, connected: 200, rateHz: 1, paused: false, slowdown }),
      pageUrl: () => 'https://lab.example/en/mqtt-over-websocket/',
    });
    expect(dash.slowdown).toBe(1);
    await dash.refreshInfo();
    expect(dash.slowdown).toBe(4);
    slowdown = undefined; // an older lab, or an external fleet: no figure means full rate
    await dash.refreshInfo();
    expect(dash.slowdown).toBe(1);
  });
});

describe('FleetDashboard.pause', () => {
  it('stops receiving while the page is hidden and connects again when it is back', async () => {
    const clients: FakeClient[] = [];
    const dash = dashboard(() => {
      const c = new FakeClient();
      clients.push(c);
      return c;
    });
    await dash.start();
    clients[0]?.emit('connect');
    expect(dash.conn).toBe('connected');
    const ended = vi.spyOn(clients[0] as FakeClient, 'end');
    dash.pause('hidden');
    expect(ended).toHaveBeenCalled();
    expect(dash.conn).toBe('idle');
    dash.pause('offline'); // a second reason while paused changes nothing
    expect(clients).toHaveLength(1);
    dash.resume(false);
    await vi.waitFor(() => expect(clients).toHaveLength(2));
    clients[1]?.emit('connect');
    expect(dash.conn).toBe('connected');
    expect(clients[1]?.subscribed.has('fleet/snapshot')).toBe(true);
    dash.stop();
  });
});
