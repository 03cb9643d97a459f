import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Lab } from '../../server/app.ts';
import { fleetCredentials } from '../../server/broker/users.ts';
import { startTestLab, waitFor } from './lab.ts';

/** A broker under test, reached the same way whichever it is. */
export interface BrokerUnderTest {
  name: 'embedded' | 'mosquitto';
  tcpUrl: string;
  wsUrl: string;
  /** Resident memory of the broker's process, in bytes. */
  rss(): number;
  /** Does the broker still answer HTTP (embedded) or accept connections? */
  stop(): Promise<void>;
  lab?: Lab;
}

/** A free TCP port on loopback. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

/** The companion server's embedded broker on free ports. */
export async function startEmbedded(overrides: Parameters<typeof startTestLab>[0] = {}) {
  const lab = await startTestLab(overrides);
  const broker: BrokerUnderTest = {
    name: 'embedded',
    tcpUrl: `mqtt://127.0.0.1:${lab.mqttPort}`,
    wsUrl: `ws://127.0.0.1:${lab.port}/mqtt`,
    rss: () => process.memoryUsage().rss,
    stop: () => lab.close(),
    lab,
  };
  return broker;
}

/**
 * Debian's Mosquitto as `npm start -- --broker mosquitto` runs it: started by a lab, with the
 * lab's generated configuration and access rules, on the URLs `/api/health` reports.
 */
export async function startLabMosquitto(): Promise<BrokerUnderTest> {
  const lab = await startTestLab({
    broker: { mode: 'mosquitto', mqttPort: 0, wsPort: 0, bin: null },
  });
  const managed = lab.mosquitto;
  if (!managed) throw new Error('the lab started no Mosquitto');
  return {
    name: 'mosquitto',
    tcpUrl: `mqtt://127.0.0.1:${lab.mqttPort}`,
    wsUrl: `ws://127.0.0.1:${managed.wsPort}`,
    rss: () => rssOf(managed.pid() ?? 0),
    stop: () => lab.close(),
    lab,
  };
}

function rssOf(pid: number): number {
  const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

/**
 * Debian's Mosquitto with a plain MQTT listener and a WebSocket listener on free loopback
 * ports, anonymous access, the fleet account in a password file, 256 KiB packets at most.
 */
export async function startMosquitto(): Promise<BrokerUnderTest> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lab-mosquitto-'));
  // Started as root, Mosquitto drops to the "mosquitto" user, which must read these files.
  chmodSync(dir, 0o755);
  const [tcpPort, wsPort] = [await freePort(), await freePort()];
  const fleet = fleetCredentials();
  const passwd = path.join(dir, 'passwd');
  writeFileSync(passwd, '');
  execFileSync('mosquitto_passwd', ['-b', passwd, fleet.username, fleet.password]);
  chmodSync(passwd, 0o644);
  const conf = path.join(dir, 'mosquitto.conf');
  writeFileSync(
    conf,
    [
      'per_listener_settings false',
      'allow_anonymous true',
      `password_file ${passwd}`,
      'persistence false',
      'max_packet_size 262144',
      // Sessions hold every queued QoS 1/2 message for the persistent-session tests.
      'max_queued_messages 100000',
      `listener ${tcpPort} 127.0.0.1`,
      `listener ${wsPort} 127.0.0.1`,
      'protocol websockets',
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn('/usr/sbin/mosquitto', ['-c', conf], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  let hasExited = false;
  const exited = new Promise<void>((r) =>
    child.once('exit', () => {
      hasExited = true;
      r();
    }),
  );
  await waitFor(
    () =>
      new Promise<boolean>((resolve) => {
        const s = net.connect(tcpPort, '127.0.0.1');
        s.once('connect', () => {
          s.destroy();
          resolve(true);
        });
        s.once('error', () => resolve(false));
      }),
    'mosquitto to listen',
    10_000,
  ).catch((err: Error) => {
    child.kill();
    throw new Error(`${err.message}${hasExited ? ' (it exited)' : ''}: ${stderr}`);
  });
  return {
    name: 'mosquitto',
    tcpUrl: `mqtt://127.0.0.1:${tcpPort}`,
    wsUrl: `ws://127.0.0.1:${wsPort}`,
    rss: () => rssOf(child.pid!),
    async stop() {
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
