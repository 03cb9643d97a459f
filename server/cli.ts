// Entry point of `npm start`: parse options, build the site if needed, start the lab.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { ConfigError, helpText, parseConfig } from './config.ts';
import type { Lab } from './app.ts';
import { buildSite, siteIsStale } from './build.ts';
import { bannerText } from './banner.ts';
import { MosquittoUnavailableError } from './broker/mosquitto.ts';
import { RedisUnavailableError } from './redis/errors.ts';

const rootDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const version = (
  JSON.parse(readFileSync(path.join(rootDir, 'package.json'), 'utf8')) as { version: string }
).version;

function fail(message: string, code: number): never {
  process.stderr.write(`realtime-lab: ${message}\n`);
  process.exit(code);
}

let parsed;
try {
  parsed = parseConfig(process.argv.slice(2), process.env);
} catch (err) {
  if (err instanceof ConfigError) fail(err.message, 2);
  throw err;
}
if (parsed === 'help') {
  process.stdout.write(helpText());
  process.exit(0);
}
const config = { ...parsed, distDir: path.resolve(rootDir, parsed.distDir) };

if (config.site && siteIsStale(rootDir, config.distDir)) {
  process.stdout.write('The site is missing or older than its sources: building it first…\n');
  try {
    await buildSite(rootDir);
  } catch (err) {
    fail(`could not build the site: ${(err as Error).message}`, 1);
  }
}

let lab: Lab | null = null;
let stopping = false;
function stop(signal: string): void {
  if (stopping || !lab) process.exit(stopping ? 130 : 0); // a second Ctrl-C means "now"
  stopping = true;
  process.stdout.write(`\n${signal}: closing connections…\n`);
  // Promise of a clean exit within 2 s, even if a peer refuses to close.
  setTimeout(() => process.exit(0), 1800).unref();
  lab.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
}
// Installed before anything slow starts, so a signal during start-up also ends cleanly.
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));

// The server's modules (Fastify, Aedes, …) load only now: a bad option or --help answers at once.
const { ListenError, startLab } = await import('./app.ts');

try {
  lab = await startLab(config);
} catch (err) {
  if (err instanceof MosquittoUnavailableError || err instanceof RedisUnavailableError) {
    fail(err.message, 1);
  }
  if (err instanceof ListenError) {
    const option =
      err.which === 'http'
        ? '--port (or PORT)'
        : err.which === 'mqtt'
          ? '--mqtt-port (or MQTT_PORT)'
          : '--mosquitto-ws-port (or LAB_MOSQUITTO_WS_PORT)';
    const what =
      err.code === 'EADDRINUSE'
        ? `port ${err.port} is already in use`
        : err.code === 'EACCES'
          ? `port ${err.port} needs privileges this user lacks`
          : `cannot listen on ${config.host}:${err.port} (${err.code})`;
    fail(`${what}; choose another with ${option}.`, 1);
  }
  throw err;
}

process.stdout.write(
  `${bannerText({
    config,
    port: lab.port,
    mqttPort: lab.mqttPort,
    version,
    mosquitto: lab.mosquitto,
    trainer: { token: lab.trainer.token, localTrusted: lab.trainer.localTrusted },
  })}\n`,
);
