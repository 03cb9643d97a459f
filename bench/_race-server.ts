// Child process of `npm run bench -- race`: the lab alone, configured as `startRaceLab` does, so
// the server's latency and CPU are measured apart from the simulated browsers. Talks to its
// parent over IPC: `stats` answers with this process's CPU time, `stop` closes the lab.
import { startRaceLab } from '../scripts/race/run.ts';

const clients = Number(process.argv[2] ?? '1');
const target = await startRaceLab(clients);

type Request = { kind: 'stats' } | { kind: 'stop' };

process.on('message', (req: Request) => {
  if (req.kind === 'stats') {
    process.send?.({ kind: 'stats', cpu: process.cpuUsage() });
  } else {
    void target.close().then(() => process.exit(0));
  }
});
process.send?.({ kind: 'ready', httpBase: target.httpBase, mqttTcpUrl: target.mqttTcpUrl });
