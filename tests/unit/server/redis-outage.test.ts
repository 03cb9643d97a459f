// Redis going away under a running lab instance, and coming back (its own redis-server, which
// the test kills and restarts; split from redis-cluster.test.ts so that the two run side by side).
import { afterAll, describe, expect, it } from 'vitest';
import { STORE_UNAVAILABLE, type HealthResponse } from '../../../src/lib/wire/health.ts';
import { startTestLab, waitFor } from '../../helpers/lab.ts';
import { startTestRedis } from '../../helpers/redis.ts';
import { joinedChat } from '../../helpers/chat.ts';
import { base, mqttClients, nextMessage } from '../../helpers/cluster.ts';

const { connect, endAll } = mqttClients();

afterAll(async () => {
  await endAll();
});

describe('Redis going away while the lab runs', () => {
  it('is reported by /api/health and the demos, and everything recovers when it is back', async () => {
    const own = await startTestRedis({ durable: true });
    const one = await startTestLab({ redisUrl: own.url });
    const health = async (): Promise<HealthResponse['redis']> =>
      ((await (await fetch(`${base(one)}/api/health`)).json()) as HealthResponse).redis;
    try {
      const sub = await connect(`mqtt://127.0.0.1:${one.mqttPort}`, { reconnectPeriod: 200 });
      await sub.subscribeAsync('lab/outage/t', { qos: 1 });
      const chat = await joinedChat(one, 'otto', 'outage');
      const willed = await connect(`mqtt://127.0.0.1:${one.mqttPort}`, {
        will: { topic: 'lab/outage/will', payload: Buffer.from('gone'), qos: 0, retain: false },
      });

      await own.kill();
      // Leaving while Redis is away: Aedes deletes the will, which the store does without
      // waiting for every command (a rejection nobody handles would end the process).
      await willed.endAsync();
      await waitFor(async () => (await health()) === 'down', 'health to say down');
      const emit = await fetch(`${base(one)}/api/ticker/emit?clientId=out`, { method: 'POST' });
      expect(emit.status).toBe(503);
      // Pages say this in their own language: the code, not the English text, is what they read.
      expect(await emit.json()).toMatchObject({ statusCode: 503, code: STORE_UNAVAILABLE });
      const race = await fetch(`${base(one)}/api/race`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ rate: 5, size: 60, durationS: 5, pollIntervalS: 0.5 }),
      });
      expect(await race.json()).toMatchObject({ statusCode: 503, code: STORE_UNAVAILABLE });
      chat.send({ type: 'chat', room: 'outage', text: 'lost?', clientMsgId: 'o1' });
      // Two Redis commands (the rate window, then the post), each failing only after two
      // reconnection attempts up to a second apart: this answer took over 5 s at times.
      expect((await chat.next('error', (m) => m.ref === 'o1', 0, 20_000)).code).toBe('unavailable');

      await own.restart();
      await waitFor(async () => (await health()) === 'up', 'health to say up', 10_000);
      expect(
        (await fetch(`${base(one)}/api/ticker/emit?clientId=out`, { method: 'POST' })).status,
      ).toBe(200);
      chat.send({ type: 'chat', room: 'outage', text: 'back', clientMsgId: 'o2' });
      await chat.next('chat', (m) => m.text === 'back', 0);
      await waitFor(() => sub.connected, 'the MQTT client to be connected', 10_000);
      const got = nextMessage(sub, 'lab/outage/t');
      const pub = await connect(`mqtt://127.0.0.1:${one.mqttPort}`);
      await pub.publishAsync('lab/outage/t', 'after', { qos: 1 });
      expect(await got).toBe('after');
      chat.close();
    } finally {
      await one.close();
      await own.stop();
    }
    // About 8 s on an idle machine, most of it real waiting: while Redis is away a command fails
    // only after two reconnection attempts, up to a second apart, and the clients reconnect
    // after it is back. Beside lint and the type checks on 2 cores it took over 30 s once.
  }, 90_000);
});
