// The lab's state shows what the broker's SUBACK said. The fake client calls back the way mqtt.js 5
// does (checked against the real library and broker in suback.test.ts): on a failure code the
// second argument still carries the requested QoS, and only the packet holds the real answer.
import { EventEmitter } from 'node:events';
import { flushSync } from 'svelte';
import { describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import { MqttLab } from '../../../../src/lib/mqtt/lab.svelte.ts';

/** A broker that refuses filters the way the lab's ACL does: 0x80 for `#`, `+/#`, … */
const answer = (filter: string, qos: number) => (/^(\+\/)*#$/.test(filter) ? 0x80 : qos);

class FakeClient extends EventEmitter {
  connected = true;
  connect(): this {
    return this;
  }
  subscribe(
    filter: string,
    opts: { qos: number },
    cb: (err: Error | null, granted: { topic: string; qos: number }[], packet: object) => void,
  ): this {
    const code = answer(filter, opts.qos);
    const packet = { cmd: 'suback', messageId: 1, granted: [code] };
    this.emit('packetreceive', packet);
    const err = code >= 0x80 ? new Error('Subscribe error: Unspecified error') : null;
    queueMicrotask(() => cb(err, [{ topic: filter, qos: err ? opts.qos : code }], packet));
    return this;
  }
  publishAsync(): Promise<void> {
    return Promise.resolve();
  }
  end(): this {
    return this;
  }
  endAsync(): Promise<void> {
    return Promise.resolve();
  }
}

function lab(): MqttLab {
  const l = new MqttLab(
    () => Promise.resolve(() => new FakeClient() as unknown as MqttClient),
    () => 'http://127.0.0.1:4321/en/mqtt/',
  );
  l.thisServerUrl = 'ws://127.0.0.1:4321/mqtt';
  return l;
}

describe('the MQTT lab reports the SUBACK', () => {
  it('shows a refused "#" as refused, with the lab’s access rule as the reason', async () => {
    const l = lab();
    l.subscriber.client = new FakeClient() as unknown as MqttClient;
    await l.subscribe('subscriber', 'lab/#', 2);
    await l.subscribe('subscriber', '#', 2);
    flushSync();
    expect(l.subscriber.subacks).toEqual([
      { kind: 'granted', filter: 'lab/#', requested: 2, qos: 2, reason: null },
      { kind: 'refused', filter: '#', requested: 2, code: 0x80, reason: 'acl' },
    ]);
    // Logged in, the lab's rule does not apply: the 3.1.1 SUBACK cannot say why.
    l.settings.username = 'someone';
    await l.subscribe('subscriber', '#', 1);
    expect(l.subscriber.subacks.at(-1)).toMatchObject({ kind: 'refused', reason: 'v311' });
  });

  it('has the wildcard playground report a refused "+/#" as refused, delivering nothing', async () => {
    const l = lab();
    l.filter = '+/#';
    await l.askBroker();
    expect(l.error).toBeNull();
    expect(l.answer).toEqual({
      suback: { kind: 'refused', filter: '+/#', requested: 1, code: 0x80, reason: 'acl' },
      delivered: [],
    });
  });

  it('offers Connect only while the panel is neither connecting nor connected', async () => {
    const l = lab();
    expect(l.canConnect('publisher')).toBe(true);
    await l.connect('publisher');
    const client = l.publisher.client as unknown as FakeClient;
    expect(l.publisher.status).toBe('connecting');
    expect(l.canConnect('publisher')).toBe(false);
    client.emit('connect');
    expect(l.publisher.status).toBe('connected');
    expect(l.canConnect('publisher')).toBe(false);
    // A second connect while connected does not replace the open client.
    await l.connect('publisher');
    expect(l.publisher.client).toBe(client);
    expect(l.canConnect('subscriber')).toBe(true);
    await l.disconnect('publisher');
    expect(l.canConnect('publisher')).toBe(true);
  });
});
