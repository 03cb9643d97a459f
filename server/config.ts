import { isIP } from 'node:net';
import { FleetOptionError, checkRate, checkVehicles } from './fleet/options.ts';
import { checkToken, type TrainerLimits, type TrainerOptions } from './workshop/trainer.ts';
import type { WorkshopOptions } from './workshop/index.ts';
import type { BrokerLimits } from './broker/limits.ts';
import { OptionError, httpOrigin, parseFlags, wholeNumber } from './flags.ts';

/** How the lab reaches an MQTT broker: its own embedded one, or a real one elsewhere. */
export type BrokerConfig =
  | {
      mode: 'embedded';
      mqttPort: number;
      /** Overrides of the broker's protective limits (tests use small ones; not a CLI flag). */
      limits?: Partial<BrokerLimits>;
    }
  | {
      /** The machine's Mosquitto, run by the lab as a child process (server/broker/mosquitto.ts). */
      mode: 'mosquitto';
      mqttPort: number;
      /** Port of its MQTT-over-WebSocket listener; browsers connect to it directly. */
      wsPort: number;
      /** Path of the binary; null searches PATH and the usual package locations. */
      bin: string | null;
    }
  | { mode: 'external'; browserUrl: string | null; tcpUrl: string | null };

/** Everything the companion server needs to start, after flags and environment are merged. */
export interface LabConfig {
  port: number;
  host: string;
  broker: BrokerConfig;
  /** Build the site when it is missing or stale, then serve it. `false` serves only the API. */
  site: boolean;
  /** Folder of the built site. */
  distDir: string;
  /** Extra origins (besides the site's own) allowed to open WebSockets; used by `npm run dev`. */
  allowedOrigins: string[];
  /** Tuning of the WebSocket chat, for tests; the defaults are the production values. */
  chat?: { heartbeatMs?: number; messagesPerSecond?: number; socketsPerVisitor?: number };
  /** The simulated vehicle fleet; absent or `vehicles: 0` runs none. Starts on first use. */
  fleet?: { vehicles: number; rateHz: number };
  /** Overrides of the protocol race's limits (tests and benchmarks). */
  race?: Partial<import('./race/options.ts').RaceOptions>;
  /** Who is the trainer; absent means a random token and trusted local browsers. */
  trainer?: TrainerOptions;
  /** Vehicles, and status messages per second, the fleet may reach on this machine. */
  fleetCapacity?: number;
  /** Whether the fleet publishes more slowly while the event loop lags (default true). */
  fleetBackoff?: boolean;
  /** How many visitors' share of each cap one address gets (attendees behind one NAT). */
  peoplePerAddress?: number;
  /** Tuning of the trainer's limits, for tests. */
  trainerLimits?: Partial<TrainerLimits>;
  /** Tuning of workshop mode, for tests and the benchmark. */
  workshop?: WorkshopOptions;
  /** Where the managed Mosquitto's messages go (tests); stderr by default. */
  mosquittoLog?: (line: string) => void;
  /**
   * Redis shared by several lab instances behind one load balancer; absent, the lab keeps its
   * state in memory and loads nothing of Redis.
   */
  redisUrl?: string;
  /** Tuning of the Redis mode, for tests: the lease of the ticker's and fleet's lock (ms). */
  redisLeaseMs?: number;
}

/** A configuration mistake that the user must fix; the CLI prints it and exits with code 2. */
export { OptionError as ConfigError };

/** Flags the CLI accepts, with the environment variable that sets the same thing. */
export const OPTIONS = [
  [
    '--port <n>',
    'PORT',
    '4321',
    'HTTP port for the site, the API and WebSockets (0 = any free port)',
  ],
  ['--host <addr>', 'HOST', '0.0.0.0', 'address to listen on; 0.0.0.0 lets LAN attendees connect'],
  [
    '--mqtt-port <n>',
    'MQTT_PORT',
    '1883',
    'MQTT/TCP port of the embedded or managed broker (0 = any free port)',
  ],
  [
    '--broker <kind>',
    'LAB_BROKER',
    'embedded',
    "embedded (Aedes in this process, MQTT 3.1.1) or mosquitto (the machine's Mosquitto, run by the lab: MQTT 5)",
  ],
  [
    '--mosquitto-bin <path>',
    'LAB_MOSQUITTO_BIN',
    '',
    'the mosquitto binary for --broker mosquitto (default: found on PATH or in /usr/sbin)',
  ],
  [
    '--mosquitto-ws-port <n>',
    'LAB_MOSQUITTO_WS_PORT',
    '9001',
    'MQTT over WebSocket port of the managed Mosquitto (0 = any free port)',
  ],
  [
    '--broker-url <url>',
    'BROKER_URL',
    '',
    'ws:// or wss:// URL of an external broker for browsers (disables the embedded broker)',
  ],
  [
    '--broker-tcp-url <url>',
    'BROKER_TCP_URL',
    '',
    'mqtt://, mqtts://, ws:// or wss:// URL of an external broker for server-side clients',
  ],
  ['--no-site', 'LAB_NO_SITE=1', '', 'do not build or serve the site (API and broker only)'],
  ['--dist <dir>', 'LAB_DIST', 'dist', 'folder of the built site'],
  [
    '--allow-origin <url>',
    'LAB_ALLOW_ORIGINS',
    '',
    'another origin allowed to open WebSockets (repeatable; env: comma-separated)',
  ],
  [
    '--fleet <n>',
    'LAB_FLEET',
    '200',
    'simulated vehicles, 0 for none (1-5000; they start when the case-study page opens)',
  ],
  ['--no-fleet', 'LAB_FLEET=0', '', 'run no simulated vehicles (same as --fleet 0)'],
  ['--fleet-rate <hz>', 'LAB_FLEET_RATE', '1', 'status messages per vehicle per second (0.2-10)'],
  [
    '--fleet-capacity <n>',
    'LAB_FLEET_CAPACITY',
    '2000',
    'what this machine carries: at most n vehicles and n status messages/s (vehicles x rate), even for the trainer',
  ],
  [
    '--trainer-token <t>',
    'LAB_TRAINER_TOKEN',
    'random',
    'token that makes a browser the trainer (12+ characters; prefer the env: flags show in ps)',
  ],
  [
    '--no-local-trainer',
    'LAB_NO_LOCAL_TRAINER=1',
    '',
    'do not trust browsers on this machine as the trainer; everyone needs the token',
  ],
  [
    '--trust-proxy <addrs>',
    'LAB_TRUST_PROXY',
    '',
    'a reverse proxy is in front (e.g. loopback or 10.0.0.0/8): read client addresses from it; no request counts as local',
  ],
  [
    '--people-per-address <n>',
    'LAB_PEOPLE_PER_ADDRESS',
    '8',
    "how many visitors' share of each limit one IP address gets (raise it when attendees share a NAT)",
  ],
  [
    '--redis-url <url>',
    'LAB_REDIS_URL',
    '',
    'redis:// or rediss:// URL: share broker, ticker, chat and fleet with other lab instances (README: Deployment)',
  ],
  ['--help', '', '', 'show this help'],
] as const;

/** The `--help` text. */
export function helpText(): string {
  const rows = OPTIONS.map(([flag, env, def, text]) => {
    const extra = [env ? `env ${env}` : '', def ? `default ${def}` : ''].filter(Boolean).join(', ');
    return `  ${flag.padEnd(24)} ${text}${extra ? ` (${extra})` : ''}`;
  });
  return [
    'Realtime Lab companion server',
    '',
    'Usage: npm start -- [options]',
    '',
    'Options:',
    ...rows,
    '',
    'Examples:',
    '  npm start -- --port 8080',
    '  npm start -- --broker mosquitto',
    '  npm start -- --broker-url ws://localhost:9001 --broker-tcp-url mqtt://localhost:1883',
    '  npm start -- --no-site --redis-url redis://127.0.0.1:6379   (one of several instances)',
    '',
  ].join('\n');
}

const parsePort = (raw: string, name: string): number => wholeNumber(raw, name, 0, 65535);

function parseUrl(raw: string, name: string, schemes: readonly string[]): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new OptionError(`${name} is not a valid URL: "${raw}"`);
  }
  const scheme = url.protocol.replace(/:$/, '');
  if (!schemes.includes(scheme)) {
    throw new OptionError(
      `${name} must start with ${schemes.map((s) => `${s}://`).join(', ')}; got "${raw}"`,
    );
  }
  if (!url.hostname) throw new OptionError(`${name} has no host: "${raw}"`);
  return raw;
}

// ioredis' URL forms: plain TCP, and TLS (managed Redis services).
const REDIS_SCHEMES = ['redis', 'rediss'] as const;

// proxy-addr's names for address ranges, plus addresses and CIDR blocks.
const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function parseTrustProxy(raw: string, name: string): string | null {
  const items = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (items.length === 0) return null;
  for (const item of items) {
    const [addr = '', prefix] = item.split('/');
    const ok =
      PROXY_NAMES.has(item) ||
      (isIP(addr) !== 0 && (prefix === undefined || /^\d{1,3}$/.test(prefix)));
    if (!ok) {
      throw new OptionError(
        `${name} must be loopback, linklocal, uniquelocal, or addresses/CIDR blocks separated by commas; got "${item}"`,
      );
    }
  }
  return items.join(',');
}

/** Merges CLI flags over environment variables over defaults; throws ConfigError on a bad value. */
export function parseConfig(argv: readonly string[], env: NodeJS.ProcessEnv): LabConfig | 'help' {
  const values = parseFlags(
    argv,
    {
      port: { type: 'string' },
      host: { type: 'string' },
      'mqtt-port': { type: 'string' },
      'broker-url': { type: 'string' },
      'broker-tcp-url': { type: 'string' },
      broker: { type: 'string' },
      'mosquitto-bin': { type: 'string' },
      'mosquitto-ws-port': { type: 'string' },
      'no-site': { type: 'boolean' },
      dist: { type: 'string' },
      'allow-origin': { type: 'string', multiple: true },
      fleet: { type: 'string' },
      'no-fleet': { type: 'boolean' },
      'fleet-rate': { type: 'string' },
      'fleet-capacity': { type: 'string' },
      'trainer-token': { type: 'string' },
      'no-local-trainer': { type: 'boolean' },
      'trust-proxy': { type: 'string' },
      'people-per-address': { type: 'string' },
      'redis-url': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    'npm start',
  );
  if (values.help) return 'help';

  // An empty environment variable counts as unset; an empty flag value is a mistake.
  const fromEnv = (name: string): string | undefined => env[name] || undefined;
  const port = parsePort(
    values.port ?? fromEnv('PORT') ?? '4321',
    values.port !== undefined ? '--port' : 'PORT',
  );
  const host = (values.host ?? fromEnv('HOST') ?? '0.0.0.0').trim();
  if (!host) throw new OptionError('--host must not be empty');
  const mqttPort = parsePort(
    values['mqtt-port'] ?? fromEnv('MQTT_PORT') ?? '1883',
    values['mqtt-port'] !== undefined ? '--mqtt-port' : 'MQTT_PORT',
  );
  const browserRaw = values['broker-url'] ?? fromEnv('BROKER_URL') ?? '';
  const tcpRaw = values['broker-tcp-url'] ?? fromEnv('BROKER_TCP_URL') ?? '';
  // A browser can only open WebSockets, so the browser-side URL must be ws(s).
  const browserUrl = browserRaw ? parseUrl(browserRaw, '--broker-url', ['ws', 'wss']) : null;
  const tcpUrl = tcpRaw
    ? parseUrl(tcpRaw, '--broker-tcp-url', ['mqtt', 'mqtts', 'ws', 'wss'])
    : null;
  const kindName = values.broker !== undefined ? '--broker' : 'LAB_BROKER';
  const kind = (values.broker ?? fromEnv('LAB_BROKER') ?? 'embedded').trim();
  if (kind !== 'embedded' && kind !== 'mosquitto') {
    throw new OptionError(`${kindName} must be "embedded" or "mosquitto", got "${kind}"`);
  }
  if (kind === 'mosquitto' && (browserUrl || tcpUrl)) {
    throw new OptionError(
      `${kindName} mosquitto runs a broker here; --broker-url and --broker-tcp-url name one elsewhere: use one or the other`,
    );
  }
  const broker: BrokerConfig =
    browserUrl || tcpUrl
      ? { mode: 'external', browserUrl, tcpUrl }
      : kind === 'mosquitto'
        ? {
            mode: 'mosquitto',
            mqttPort,
            wsPort: parsePort(
              values['mosquitto-ws-port'] ?? fromEnv('LAB_MOSQUITTO_WS_PORT') ?? '9001',
              values['mosquitto-ws-port'] !== undefined
                ? '--mosquitto-ws-port'
                : 'LAB_MOSQUITTO_WS_PORT',
            ),
            bin: values['mosquitto-bin'] ?? fromEnv('LAB_MOSQUITTO_BIN') ?? null,
          }
        : { mode: 'embedded', mqttPort };

  const originsRaw = [
    ...(values['allow-origin'] ?? []),
    ...(env['LAB_ALLOW_ORIGINS'] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  ];
  let fleet;
  try {
    const vehiclesFlag = values['no-fleet'] ? '0' : values.fleet;
    fleet = {
      vehicles: checkVehicles(
        vehiclesFlag ?? fromEnv('LAB_FLEET') ?? '200',
        vehiclesFlag !== undefined ? '--fleet' : 'LAB_FLEET',
        0,
      ),
      rateHz: checkRate(
        values['fleet-rate'] ?? fromEnv('LAB_FLEET_RATE') ?? '1',
        values['fleet-rate'] !== undefined ? '--fleet-rate' : 'LAB_FLEET_RATE',
      ),
    };
  } catch (err) {
    if (err instanceof FleetOptionError) throw new OptionError(err.message);
    throw err;
  }
  const capacityName =
    values['fleet-capacity'] !== undefined ? '--fleet-capacity' : 'LAB_FLEET_CAPACITY';
  const fleetCapacity = wholeNumber(
    values['fleet-capacity'] ?? fromEnv('LAB_FLEET_CAPACITY') ?? '2000',
    capacityName,
    1,
    999_999,
  );
  if (fleet.vehicles > fleetCapacity || fleet.vehicles * fleet.rateHz > fleetCapacity) {
    throw new OptionError(
      `the fleet (${fleet.vehicles} vehicles at ${fleet.rateHz} Hz) is over ${capacityName} ` +
        `${fleetCapacity}: vehicles and vehicles × rate must stay within it`,
    );
  }
  const token = values['trainer-token'] ?? fromEnv('LAB_TRAINER_TOKEN') ?? null;
  if (token !== null) {
    const problem = checkToken(token);
    if (problem) {
      const name = values['trainer-token'] !== undefined ? '--trainer-token' : 'LAB_TRAINER_TOKEN';
      throw new OptionError(`${name}: ${problem}`);
    }
  }
  const trustProxy = parseTrustProxy(
    values['trust-proxy'] ?? fromEnv('LAB_TRUST_PROXY') ?? '',
    values['trust-proxy'] !== undefined ? '--trust-proxy' : 'LAB_TRUST_PROXY',
  );
  const trainer: TrainerOptions = {
    token,
    localTrainer: !(values['no-local-trainer'] ?? env['LAB_NO_LOCAL_TRAINER'] === '1'),
    trustProxy,
  };
  const peoplePerAddress = wholeNumber(
    values['people-per-address'] ?? fromEnv('LAB_PEOPLE_PER_ADDRESS') ?? '8',
    values['people-per-address'] !== undefined ? '--people-per-address' : 'LAB_PEOPLE_PER_ADDRESS',
    1,
    9999,
  );
  const redisRaw = values['redis-url'] ?? fromEnv('LAB_REDIS_URL');
  const redisName = values['redis-url'] !== undefined ? '--redis-url' : 'LAB_REDIS_URL';
  const redisUrl = redisRaw === undefined ? null : parseUrl(redisRaw, redisName, REDIS_SCHEMES);
  if (redisUrl && broker.mode !== 'embedded') {
    // Only the embedded broker can share its subscriptions and sessions through Redis.
    throw new OptionError(
      `${redisName} shares the embedded broker between instances; it cannot be combined with ${broker.mode === 'mosquitto' ? kindName + ' mosquitto' : '--broker-url/--broker-tcp-url'}`,
    );
  }
  return {
    port,
    host,
    broker,
    trainer,
    ...(redisUrl ? { redisUrl } : {}),
    peoplePerAddress,
    fleetCapacity,
    site: !(values['no-site'] ?? env['LAB_NO_SITE'] === '1'),
    distDir: values.dist ?? env['LAB_DIST'] ?? 'dist',
    allowedOrigins: originsRaw.map((raw) => httpOrigin(raw, '--allow-origin')),
    fleet,
    // Off for the end-to-end tests, which measure the dashboard at the set rate (README).
    ...(env['LAB_FLEET_BACKOFF'] === 'off' ? { fleetBackoff: false } : {}),
  };
}
