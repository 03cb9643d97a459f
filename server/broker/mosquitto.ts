// The managed Mosquitto of `npm start -- --broker mosquitto`: the machine's own Mosquitto run as a
// child process, with a configuration generated at every start so that it applies the same access
// rules and packet cap as the embedded broker, stopped with the lab and restarted if it dies.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import {
  accessSync,
  chmodSync,
  constants,
  existsSync,
  mkdtempSync,
  readdirSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { BrokerUser } from './users.ts';
import { DEFAULT_LIMITS } from './limits.ts';

const run = promisify(execFile);

/** The oldest Mosquitto the generated configuration works with (`max_packet_size`, 0x80 SUBACKs). */
export const MIN_MOSQUITTO = [2, 0, 0] as const;

/** Mosquitto is not installed, or is older than {@link MIN_MOSQUITTO}: the CLI prints the message. */
export class MosquittoUnavailableError extends Error {
  override name = 'MosquittoUnavailableError';
}

/** A listener of the managed Mosquitto could not bind its port. */
export class MosquittoListenError extends Error {
  override name = 'MosquittoListenError';
  readonly which: 'mqtt' | 'mqtt-ws';
  readonly port: number;
  constructor(which: 'mqtt' | 'mqtt-ws', port: number, detail: string) {
    super(`${which} port ${port}: ${detail}`);
    this.which = which;
    this.port = port;
  }
}

const INSTALL_HINT =
  'install it (Debian/Ubuntu: sudo apt install mosquitto; macOS: brew install mosquitto) ' +
  'or give its path with --mosquitto-bin';

// Debian and Ubuntu install the broker in /usr/sbin, Homebrew in its own sbin folders.
const WELL_KNOWN = [
  '/usr/sbin/mosquitto',
  '/usr/local/sbin/mosquitto',
  '/opt/homebrew/sbin/mosquitto',
  '/usr/local/opt/mosquitto/sbin/mosquitto',
];

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Finds the Mosquitto binary: `explicit` when given, else on PATH or where packages put it. */
export function findMosquitto(
  explicit: string | null,
  pathEnv = process.env['PATH'] ?? '',
  wellKnown: readonly string[] = WELL_KNOWN,
): string {
  if (explicit) {
    if (executable(explicit)) return explicit;
    throw new MosquittoUnavailableError(`--mosquitto-bin ${explicit} is not an executable file`);
  }
  const onPath = pathEnv
    .split(path.delimiter)
    .filter(Boolean)
    .map((dir) => path.join(dir, 'mosquitto'));
  const found = [...onPath, ...wellKnown].find(executable);
  if (!found) throw new MosquittoUnavailableError(`Mosquitto was not found: ${INSTALL_HINT}`);
  return found;
}

/** Parses "mosquitto version 2.0.11" (the first line of `mosquitto -h`) into its numbers. */
export function parseMosquittoVersion(text: string): [number, number, number] | null {
  const m = /mosquitto version (\d+)\.(\d+)\.(\d+)/i.exec(text);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : null;
}

/** Runs `bin -h` and returns its version; throws when it is older than {@link MIN_MOSQUITTO}. */
export async function mosquittoVersion(bin: string): Promise<string> {
  // `mosquitto -h` prints its usage and exits with status 3 on some versions: read it anyway.
  const out = await run(bin, ['-h'], { timeout: 5000 }).then(
    (r) => r.stdout + r.stderr,
    (err: { stdout?: string; stderr?: string; message: string }) =>
      `${err.stdout ?? ''}${err.stderr ?? ''}` || err.message,
  );
  const v = parseMosquittoVersion(out);
  if (!v) throw new MosquittoUnavailableError(`${bin} did not say which Mosquitto it is`);
  const [a, b, c] = MIN_MOSQUITTO;
  if (v[0] < a || (v[0] === a && (v[1] < b || (v[1] === b && v[2] < c)))) {
    throw new MosquittoUnavailableError(
      `Mosquitto ${v.join('.')} is too old (the lab needs ${MIN_MOSQUITTO.join('.')} or newer): ` +
        INSTALL_HINT,
    );
  }
  return v.join('.');
}

const PLUGIN_FILE = 'mosquitto_dynamic_security.so';
const DYNSEC_FILE = 'dynamic-security.json';

/**
 * Finds Mosquitto's dynamic security plugin, which every Mosquitto 2 build ships: in `lib/` beside
 * the binary's `sbin/` (Homebrew, /usr/local), or in Debian's multiarch folder (/usr/lib/<triplet>).
 */
export function findDynsecPlugin(bin: string): string {
  const bins = [bin];
  try {
    // Homebrew links sbin/mosquitto to its Cellar, where the plugin sits beside the real binary.
    bins.push(realpathSync(bin));
  } catch {
    // A binary that cannot be resolved is reported by the caller.
  }
  const candidates: string[] = [];
  for (const b of bins) {
    const lib = path.join(path.dirname(path.dirname(b)), 'lib');
    candidates.push(path.join(lib, PLUGIN_FILE));
    let dirs: string[] = [];
    try {
      dirs = readdirSync(lib).filter((d) => /-linux-gnu/.test(d));
    } catch {
      // No such lib folder.
    }
    for (const d of dirs) candidates.push(path.join(lib, d, PLUGIN_FILE));
  }
  const found = candidates.find((f) => existsSync(f));
  if (!found) {
    throw new MosquittoUnavailableError(
      `Mosquitto's dynamic security plugin (${PLUGIN_FILE}) was not found next to ${bin}; ` +
        `the lab needs it to apply the embedded broker's access rules: ${INSTALL_HINT}`,
    );
  }
  return found;
}

/** What the generated configuration needs. */
export interface MosquittoFilesInput {
  host: string;
  tcpPort: number;
  wsPort: number;
  /** Where the dynamic security file is written. */
  dir: string;
  /** The dynamic security plugin ({@link findDynsecPlugin}). */
  plugin: string;
}

/** One access rule of the dynamic security plugin. */
export interface DynsecAcl {
  acltype: 'publishClientSend' | 'publishClientReceive' | 'subscribeLiteral' | 'subscribePattern';
  topic: string;
  allow: boolean;
  priority: number;
}

/** The dynamic security plugin's configuration file (the parts the lab uses). */
export interface DynsecConfig {
  defaultACLAccess: Record<
    'publishClientSend' | 'publishClientReceive' | 'subscribe' | 'unsubscribe',
    boolean
  >;
  clients: {
    username: string;
    password: string;
    salt: string;
    iterations: number;
    roles: { rolename: string }[];
  }[];
  groups: { groupname: string; roles: { rolename: string }[] }[];
  anonymousGroup: string;
  roles: { rolename: string; acls: DynsecAcl[] }[];
}

// Denials are checked before grants (higher priority first).
const DENY = 1;
const GRANT = 0;
const rule = (acltype: DynsecAcl['acltype'], topic: string, allow: boolean): DynsecAcl => ({
  acltype,
  topic,
  allow,
  priority: allow ? GRANT : DENY,
});

/**
 * The firehose filters (`isFirehose` in src/lib/wire/mqtt-topic.ts) one by one: `#`, `+/#`, …
 * up to one level past the embedded broker's level cap, and a pattern for anything deeper.
 * `subscribeLiteral` compares the SUBSCRIBE filter as text, so `#` refuses `#` and not `lab/#`.
 * The pattern (one `+` more than the cap allows levels, then `#`) matches only filters deeper than
 * the cap, which the embedded broker refuses as well; together they refuse a firehose of any depth.
 */
function firehoseRules(maxTopicLevels: number): DynsecAcl[] {
  const rules: DynsecAcl[] = [];
  for (let plus = 0; plus <= maxTopicLevels; plus++) {
    rules.push(rule('subscribeLiteral', [...Array<string>(plus).fill('+'), '#'].join('/'), false));
  }
  const deeper = [...Array<string>(maxTopicLevels + 1).fill('+'), '#'].join('/');
  rules.push(rule('subscribePattern', deeper, false));
  return rules;
}

// Each race's stream `race/<id>` belongs to its lanes, which exist only with the embedded broker:
// here nobody subscribes below `race/` or receives from it (a pattern `race/#` also covers `race`).
const RACE_RULES = [
  rule('subscribePattern', 'race/#', false),
  rule('publishClientReceive', 'race/#', false),
];

const PBKDF2_ITERATIONS = 101;

/**
 * The dynamic security plugin's configuration: the embedded broker's rules (server/broker/acl.ts)
 * in Mosquitto's terms. Unlike an `acl_file`, whose rules Mosquitto checks only when it delivers a
 * message, the plugin answers a refused SUBSCRIBE with 0x80, as the embedded broker does.
 *
 * - everyone may subscribe, except anonymous clients to a firehose (`#`, `+/#`, …) and anyone
 *   below `race/`; everyone receives what they subscribed to, except `race/` topics. Mosquitto's
 *   own `$SYS` topics carry counts, never client ids, so anonymous clients may read them;
 * - anonymous clients publish under `lab/` and `chat/`, device accounts also under `vehicle/` and
 *   `fleet/`; nothing else, so nobody publishes on `$SYS/…` or sends the plugin commands on
 *   `$CONTROL/dynamic-security/v1` (there is no admin account: these rules cannot be changed);
 * - accounts authenticate with PBKDF2-SHA512 hashes, stored as `mosquitto_ctrl` stores them.
 */
export function mosquittoDynsec(
  users: readonly BrokerUser[],
  maxTopicLevels: number = DEFAULT_LIMITS.maxTopicLevels,
  salt: () => Buffer = () => randomBytes(12),
): DynsecConfig {
  const open = ['lab/#', 'chat/#'].map((t) => rule('publishClientSend', t, true));
  const device = ['vehicle/#', 'fleet/#'].map((t) => rule('publishClientSend', t, true));
  return {
    defaultACLAccess: {
      publishClientSend: false,
      publishClientReceive: true,
      subscribe: true,
      unsubscribe: true,
    },
    clients: users.map((u) => {
      const s = salt();
      return {
        username: u.username,
        password: pbkdf2Sync(u.password, s, PBKDF2_ITERATIONS, 64, 'sha512').toString('base64'),
        salt: s.toString('base64'),
        iterations: PBKDF2_ITERATIONS,
        roles: [{ rolename: u.role }],
      };
    }),
    groups: [{ groupname: 'anonymous', roles: [{ rolename: 'anonymous' }] }],
    anonymousGroup: 'anonymous',
    roles: [
      { rolename: 'anonymous', acls: [...firehoseRules(maxTopicLevels), ...RACE_RULES, ...open] },
      { rolename: 'device', acls: [...RACE_RULES, ...open, ...device] },
    ],
  };
}

/** The main configuration file (`mosquitto.conf`) for the managed broker. */
export function mosquittoConf({ host, tcpPort, wsPort, dir, plugin }: MosquittoFilesInput): string {
  const bind = host === '' ? '0.0.0.0' : host;
  return `${[
    '# Generated by Realtime Lab for `npm start -- --broker mosquitto`; rewritten at every start.',
    // One set of rules for both listeners, as the plugin's documentation advises.
    'per_listener_settings false',
    'allow_anonymous true',
    `plugin ${plugin}`,
    `plugin_opt_config_file ${path.join(dir, DYNSEC_FILE)}`,
    // The lab keeps nothing across restarts in this mode, as the embedded broker.
    'persistence false',
    // The embedded broker's caps, where Mosquitto has the same setting (README, "Broker limits").
    `max_packet_size ${DEFAULT_LIMITS.maxPacketBytes}`,
    `max_queued_messages ${DEFAULT_LIMITS.maxQueuedPerSession}`,
    `max_queued_bytes ${DEFAULT_LIMITS.maxQueuedBytesPerSession}`,
    // Small messages leave at once rather than waiting for Nagle's algorithm.
    'set_tcp_nodelay true',
    'log_dest stderr',
    'log_type error',
    'log_type warning',
    'log_type notice',
    `listener ${tcpPort} ${bind}`,
    'protocol mqtt',
    `listener ${wsPort} ${bind}`,
    'protocol websockets',
  ].join('\n')}\n`;
}

/** Options of {@link startManagedMosquitto}. */
export interface ManagedMosquittoOptions {
  bin: string;
  version: string;
  host: string;
  /** MQTT/TCP port; 0 picks a free one. */
  tcpPort: number;
  /** MQTT over WebSocket port; 0 picks a free one. */
  wsPort: number;
  users: readonly BrokerUser[];
  /** The dynamic security plugin; found next to `bin` when absent. */
  plugin?: string;
  /** Where messages about the child go (a restart, its last words); stderr by default. */
  log?: (line: string) => void;
  /** Wait before a restart after an unexpected exit. */
  restartDelayMs?: number;
}

/** A running managed Mosquitto. */
export interface ManagedMosquitto {
  readonly bin: string;
  readonly version: string;
  readonly tcpPort: number;
  readonly wsPort: number;
  /** Process id of the current child. */
  pid(): number | undefined;
  /** How many times it was restarted after dying. */
  restarts(): number;
  /** Stops the child and removes the generated files. */
  close(): Promise<void>;
}

async function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const a = srv.address();
      srv.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

function loopbackOf(host: string): string {
  return host === '0.0.0.0' || host === '' ? '127.0.0.1' : host === '::' ? '::1' : host;
}

async function accepts(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, host);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** Writes the configuration, starts Mosquitto and resolves once both listeners accept. */
export async function startManagedMosquitto(
  opts: ManagedMosquittoOptions,
): Promise<ManagedMosquitto> {
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const plugin = opts.plugin ?? findDynsecPlugin(opts.bin);
  const probeHost = loopbackOf(opts.host);
  const tcpPort = opts.tcpPort || (await freePort(probeHost));
  const wsPort = opts.wsPort || (await freePort(probeHost));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'realtime-lab-mosquitto-'));
  // Started as root, Mosquitto drops to its own user, which must be able to read these files.
  chmodSync(dir, 0o755);
  const files = { host: opts.host, tcpPort, wsPort, dir, plugin };
  writeFileSync(path.join(dir, DYNSEC_FILE), JSON.stringify(mosquittoDynsec(opts.users), null, 1), {
    mode: 0o644,
  });
  const conf = path.join(dir, 'mosquitto.conf');
  writeFileSync(conf, mosquittoConf(files), { mode: 0o644 });

  let child: ChildProcess | null = null;
  let closing = false;
  // Restarts are for a broker that was running; one that fails to start is an error to report.
  let started = false;
  let restarts = 0;
  let restartTimer: NodeJS.Timeout | null = null;
  let lastWords = '';

  const spawnChild = (): ChildProcess => {
    const c = spawn(opts.bin, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    lastWords = '';
    c.stderr?.setEncoding('utf8');
    c.stderr?.on('data', (d: string) => {
      lastWords = (lastWords + d).slice(-2000);
    });
    c.once('exit', (code, signal) => {
      if (child !== c || closing || !started) return;
      child = null;
      restarts++;
      const why = signal ? `signal ${signal}` : `code ${code}`;
      const said = lastWords.trim().split('\n').at(-1) ?? '';
      log(
        `realtime-lab: Mosquitto stopped unexpectedly (${why})${said ? `: ${said}` : ''}; ` +
          `restarting it in ${(opts.restartDelayMs ?? 1000) / 1000} s`,
      );
      restartTimer = setTimeout(() => {
        restartTimer = null;
        if (!closing) child = spawnChild();
      }, opts.restartDelayMs ?? 1000);
    });
    return c;
  };

  // Should the lab's process end without closing the lab (an uncaught error), the broker must not
  // outlive it, holding the ports: an exit handler can still send a signal synchronously.
  const killOnExit = (): void => {
    child?.kill('SIGTERM');
  };
  process.once('exit', killOnExit);

  child = spawnChild();
  const first = child;
  let exitedEarly = false;
  first.once('exit', () => (exitedEarly = true));
  const deadline = Date.now() + 10_000;
  while (!(await accepts(tcpPort, probeHost)) || !(await accepts(wsPort, probeHost))) {
    if (exitedEarly || Date.now() > deadline) {
      closing = true;
      process.off('exit', killOnExit);
      first.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      if (/address already in use/i.test(lastWords)) {
        // Mosquitto names no port in this message: find out which one is taken.
        const tcpTaken = !(await portIsFree(tcpPort, opts.host));
        throw new MosquittoListenError(
          tcpTaken ? 'mqtt' : 'mqtt-ws',
          tcpTaken ? tcpPort : wsPort,
          'EADDRINUSE',
        );
      }
      throw new Error(`Mosquitto did not start: ${lastWords.trim() || 'no output'}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  started = true;

  return {
    bin: opts.bin,
    version: opts.version,
    tcpPort,
    wsPort,
    pid: () => child?.pid,
    restarts: () => restarts,
    async close() {
      if (closing) return;
      closing = true;
      process.off('exit', killOnExit);
      if (restartTimer) clearTimeout(restartTimer);
      const c = child;
      child = null;
      if (c && c.exitCode === null && c.signalCode === null) {
        const gone = new Promise<void>((r) => c.once('exit', () => r()));
        c.kill('SIGTERM');
        const forced = setTimeout(() => c.kill('SIGKILL'), 3000);
        await gone;
        clearTimeout(forced);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function portIsFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, host === '' ? '0.0.0.0' : host, () => srv.close(() => resolve(true)));
  });
}
