// Worker thread of `npm run bench -- race`: one lane of a race created by the main thread, so
// that each lane's receiving side runs on a thread of its own. Messages: the main thread sends
// `{ epoch }` once every lane is ready; this thread answers with its lane's figures.
import { parentPort, workerData } from 'node:worker_threads';
import { RaceRun, type LaneResult } from '../src/lib/race/runner.ts';
import type { LaneId, RaceCreated, Scenario } from '../src/lib/wire/race.ts';
import { nodeRaceEnv } from '../scripts/race/env.ts';

/** What the main thread hands each lane's thread. */
export interface LaneJob {
  httpBase: string;
  mqttTcpUrl?: string;
  created: RaceCreated;
  lane: LaneId;
  scenario: Scenario;
}

/** What the thread answers once its lane has every message, or the race's time is up. */
export interface LaneDone {
  result: LaneResult;
  offset: number;
  rtt: number;
}

const port = parentPort;
if (port) {
  const job = workerData as LaneJob;
  const run = new RaceRun(nodeRaceEnv(job.httpBase, job.mqttTcpUrl), job.scenario);
  await run.join(job.created, [job.lane]);
  port.once('message', (m: { epoch: number }) => {
    run.begin(m.epoch);
    void run.settled().then(async () => {
      const [result] = run.snapshot({}, true);
      await run.end();
      if (!result) throw new Error(`the server runs no ${job.lane} lane`);
      const done: LaneDone = { result, offset: run.offset, rtt: run.rtt };
      port.postMessage(done);
      port.close();
    });
  });
  port.postMessage('ready');
}
