// A killed instance that held the ticker's lock and ran the fleet: another instance of the same
// deployment takes both over within seconds (split from redis-cluster.test.ts so that the two
// run side by side; its own redis-server).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import type { Lab } from '../../../server/app.ts';
import type { FleetInfo } from '../../../src/lib/wire/fleet.ts';
import { startTestLab, waitFor } from '../../helpers/lab.ts';
import { startTestRedis, type TestRedis } from '../../helpers/redis.ts';
import { joinedChat } from '../../helpers/chat.ts';
import {
  base,
  kill9,
  mqttClients,
  nextMessage,
  openSse,
  startCliLab,
} from '../../helpers/cluster.ts';

let redis: TestRedis;
const { connect, endAll } = mqttClients();

beforeAll(async () => {
  redis = await startTestRedis();
});

afterAll(async () => {
  await endAll();
  await redis?.stop();
});

describe('the ticker and the fleet across instances', () => {
  it('moves with the fleet to another instance within seconds when its holder is killed, and clients go on', async () => {
    // A deployment of its own (Redis database 1): the CLI instance starts alone and holds the lock.
    const url = `${redis.url}/1`;
    const d = await startCliLab(url, ['--fleet', '3']);
    const e = await startTestLab({
      redisUrl: url,
      redisLeaseMs: 600,
      fleet: { vehicles: 3, rateHz: 1 },
    });
    const fleetInfo = async (): Promise<FleetInfo> =>
      (await (await fetch(`${base(e)}/api/fleet`)).json()) as FleetInfo;
    const probe = new Redis(url);
    try {
      expect(await probe.get('lab:ticker:lock')).not.toBe(e.redis!.instanceId);
      const sse = openSse(e);
      const timed = (): number[] =>
        sse.events.filter((x) => x.event !== 'hello' && x.id !== null).map((x) => x.id!);
      await waitFor(() => timed().length > 0, 'a tick of the first holder', 5000);

      // The fleet runs on D; E passes the trainer's change on and serves D's snapshot.
      await waitFor(async () => (await fleetInfo()).connected === 3, 'D’s vehicles', 15_000);
      const patched = await fetch(`${base(e)}/api/fleet`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ vehicles: 2 }),
      });
      expect(patched.status).toBe(200);
      await waitFor(
        async () => (await fleetInfo()).connected === 2,
        'D to apply the change',
        10_000,
      );
      const watcher = await connect(`ws://127.0.0.1:${e.port}/mqtt`);
      const snapshot = nextMessage(watcher, 'fleet/snapshot');
      await watcher.subscribeAsync('fleet/snapshot');
      expect((await snapshot).length).toBeGreaterThan(0);
      // One fleet for the deployment: none of its vehicles (or its aggregator) runs on E.
      expect(e.gauges.snapshot()['mqttTcp']).toBe(0);
      // A chat member on D, as a client of E sees it.
      const kim = await joinedChat({ port: d.port } as Lab, 'kim', 'killed');
      const wes = await joinedChat(e, 'wes', 'killed');
      const seen = wes.frames.find((f) => f.type === 'joined');
      expect(seen?.type === 'joined' && [...seen.members].sort()).toEqual(['kim', 'wes']);

      await kill9(d.child);
      const killedAt = Date.now();
      await waitFor(
        async () => (await probe.get('lab:ticker:lock')) === e.redis!.instanceId,
        'the lock to move',
        12_000,
      );
      // The CLI's lease is 3 s and the survivor checks every 200 ms (slack for a busy machine).
      expect(Date.now() - killedAt).toBeLessThan(10_000);
      // D's alive key ran out as its lease did: E drops its chat member and says so.
      const gone = await wes.next('presence', (m) => m.event === 'leave' && m.nick === 'kim');
      expect(gone.members).toEqual(['wes']);
      expect(Date.now() - killedAt).toBeLessThan(10_000);
      wes.close();
      kim.close();
      const before = timed().length;
      await waitFor(() => timed().length >= before + 2, 'ticks of the new holder', 10_000);
      sse.close();
      const ids = timed();
      expect(ids).toEqual(ids.map((_, i) => ids[0]! + i));
      // The fleet moved too, with the trainer's size.
      await waitFor(async () => (await fleetInfo()).connected === 2, 'E’s vehicles', 15_000);
      expect(e.gauges.snapshot()['mqttTcp']).toBe(3); // 2 vehicles and the aggregator
    } finally {
      probe.disconnect();
      await e.close();
      await kill9(d.child);
    }
  }, 90_000);
});
