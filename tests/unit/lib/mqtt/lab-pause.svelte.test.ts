// The lab's clients while the page is hidden: each connected panel leaves with DISCONNECT and
// comes back, with the same settings, when the page does.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import { MqttLab } from '../../../../src/lib/mqtt/lab.svelte.ts';

class FakeClient extends EventEmitter {
  ended = false;
  connect(): this {
    return this;
  }
  end(): this {
    this.ended = true;
    return this;
  }
  endAsync(): Promise<void> {
    this.ended = true;
    return Promise.resolve();
  }
}

describe('the MQTT lab in a hidden page', () => {
  it('disconnects the connected panels and reconnects only those when the page is back', async () => {
    const made: { url: string; opts: { clientId?: string }; client: FakeClient }[] = [];
    const l = new MqttLab(
      () =>
        Promise.resolve((url: string, opts: { clientId?: string }) => {
          const client = new FakeClient();
          made.push({ url, opts, client });
          return client as unknown as MqttClient;
        }),
      () => 'http://127.0.0.1:4321/en/mqtt/',
    );
    l.thisServerUrl = 'ws://127.0.0.1:4321/mqtt';
    await l.connect('subscriber');
    made[0]?.client.emit('connect', { cmd: 'connack', returnCode: 0, sessionPresent: false });
    expect(l.subscriber.status).toBe('connected');

    l.pause('hidden');
    expect(made[0]?.client.ended).toBe(true);
    expect(l.subscriber.status).toBe('closed');
    expect(l.publisher.status).not.toBe('connecting'); // never connected, so not woken either

    l.resume(false);
    await expect.poll(() => made.length).toBe(2);
    expect(made[1]?.url).toBe(made[0]?.url);
    expect(made[1]?.opts.clientId).toBe(made[0]?.opts.clientId); // the same session
    made[1]?.client.emit('connect', { cmd: 'connack', returnCode: 0, sessionPresent: true });
    expect(l.subscriber.status).toBe('connected');
  });
});
