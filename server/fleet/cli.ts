// `npm run fleet -- [options]`: the vehicle simulator on its own, against any MQTT broker
// (the lab's embedded one on its default port unless told otherwise).
import { fleetCredentials } from '../broker/users.ts';
import { FleetOptionError, checkRate, checkVehicles } from './options.ts';
import { OptionError, parseFlags } from '../flags.ts';

const HELP = `Realtime Lab vehicle simulator

Usage: npm run fleet -- [options]

Options:
  --vehicles <n>          vehicles, each its own MQTT connection (1-5000, default 200)
  --rate <hz>             status messages per vehicle per second (0.2-10, default 1)
  --broker-tcp-url <url>  broker to connect to (mqtt://, mqtts://, ws://, wss://;
                          default mqtt://127.0.0.1:1883, the lab's embedded broker)
  --aggregate             also publish fleet/snapshot and fleet/stats (when no lab server does)
  --duration <s>          stop after this many seconds (default: run until Ctrl-C)
  --help                  show this help

Credentials: LAB_FLEET_USER and LAB_FLEET_PASSWORD (defaults match the lab's broker).
`;

function fail(message: string): never {
  process.stderr.write(`fleet: ${message}\n`);
  process.exit(2);
}

let values;
try {
  values = parseFlags(
    process.argv.slice(2),
    {
      vehicles: { type: 'string', default: '200' },
      rate: { type: 'string', default: '1' },
      'broker-tcp-url': { type: 'string', default: 'mqtt://127.0.0.1:1883' },
      aggregate: { type: 'boolean', default: false },
      duration: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    'npm run fleet',
  );
} catch (err) {
  if (err instanceof OptionError) fail(err.message);
  throw err;
}
if (values.help) {
  process.stdout.write(HELP);
  process.exit(0);
}

let vehicles: number;
let rateHz: number;
try {
  vehicles = checkVehicles(values.vehicles, '--vehicles');
  rateHz = checkRate(values.rate, '--rate');
} catch (err) {
  if (err instanceof FleetOptionError) fail(err.message);
  throw err;
}
const brokerUrl = values['broker-tcp-url'];
let parsedUrl: URL | null = null;
try {
  parsedUrl = new URL(brokerUrl);
} catch {
  fail(`--broker-tcp-url is not a valid URL: "${brokerUrl}"`);
}
if (!['mqtt:', 'mqtts:', 'ws:', 'wss:'].includes(parsedUrl.protocol)) {
  fail(`--broker-tcp-url must start with mqtt://, mqtts://, ws:// or wss://; got "${brokerUrl}"`);
}
let durationS: number | null = null;
if (values.duration !== undefined) {
  durationS = Number(values.duration);
  if (!/^\d+(\.\d+)?$/.test(values.duration) || durationS <= 0) {
    fail(`--duration must be a positive number of seconds, got "${values.duration}"`);
  }
}

// Loaded only now, so that a bad option is reported at once.
const { FleetSimulator, probeBroker } = await import('./simulator.ts');
const { FleetAggregator } = await import('./aggregator.ts');
const credentials = fleetCredentials();
try {
  await probeBroker(brokerUrl, credentials);
} catch (err) {
  fail(
    `cannot reach the broker at ${brokerUrl}: ${(err as Error).message}. ` +
      'Is the lab running (npm start)? Use --broker-tcp-url for another broker.',
  );
}

let aggregator: InstanceType<typeof FleetAggregator> | null = null;
if (values.aggregate) {
  aggregator = new FleetAggregator({ brokerUrl, credentials });
  await aggregator.start();
}
const simulator = new FleetSimulator({
  brokerUrl,
  vehicles,
  rateHz,
  credentials,
  onError: (m) => process.stderr.write(`fleet: ${m}\n`),
});
simulator.start();
process.stdout.write(
  `fleet: ${vehicles} vehicles at ${rateHz} Hz → ${brokerUrl}${aggregator ? ' (with aggregator)' : ''}\n`,
);
const report = setInterval(() => {
  const i = simulator.info();
  process.stdout.write(`fleet: ${i.connected}/${i.vehicles} connected\n`);
}, 10_000);

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) process.exit(130);
  stopping = true;
  clearInterval(report);
  setTimeout(() => process.exit(0), 3000).unref();
  await simulator.close();
  await aggregator?.close();
  process.exit(0);
}
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
if (durationS !== null) setTimeout(() => void stop(), durationS * 1000);
