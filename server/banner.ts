import os from 'node:os';
import type { LabConfig } from './config.ts';

/** What the banner describes: the bound ports and the configuration behind them. */
export interface BannerInput {
  config: LabConfig;
  port: number;
  mqttPort: number | null;
  version: string;
  /** The managed Mosquitto's WebSocket port and version, with `--broker mosquitto`. */
  mosquitto?: { wsPort: number; version: string } | null;
  /** The trainer token (printed once, here) and whether local browsers are trusted. */
  trainer?: { token: string; localTrusted: boolean };
}

/** IPv4 addresses of this machine's non-internal interfaces, for LAN URLs. */
export function lanAddresses(): string[] {
  return Object.values(os.networkInterfaces())
    .flat()
    .filter((a) => a && a.family === 'IPv4' && !a.internal)
    .map((a) => a!.address);
}

function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** The URLs attendees on the LAN open: one per interface, or the one address the lab listens on. */
export function lanUrls(host: string, port: number): string[] {
  const wildcard = host === '0.0.0.0' || host === '::';
  if (!wildcard) return [`http://${urlHost(host)}:${port}/`];
  return lanAddresses().map((ip) => `http://${ip}:${port}/`);
}

/** The start-up banner: where the site, the LAN URLs and the broker are. */
export function bannerText({
  config,
  port,
  mqttPort,
  version,
  trainer,
  mosquitto,
}: BannerInput): string {
  const wildcard = config.host === '0.0.0.0' || config.host === '::';
  const local = wildcard ? 'localhost' : urlHost(config.host);
  const lines = [`Realtime Lab ${version}`, ''];
  const site = config.site ? 'Site' : 'API';
  lines.push(`  ${site.padEnd(14)} http://${local}:${port}/`);
  if (wildcard) {
    for (const url of lanUrls(config.host, port)) lines.push(`  ${'On the LAN'.padEnd(14)} ${url}`);
  }
  if (config.broker.mode === 'embedded') {
    lines.push(`  ${'MQTT/TCP'.padEnd(14)} mqtt://${local}:${mqttPort ?? config.broker.mqttPort}`);
    lines.push(`  ${'MQTT/WebSocket'.padEnd(14)} ws://${local}:${port}/mqtt`);
    lines.push(`  ${'Broker'.padEnd(14)} embedded (Aedes, MQTT 3.1.1)`);
  } else if (config.broker.mode === 'mosquitto') {
    lines.push(`  ${'MQTT/TCP'.padEnd(14)} mqtt://${local}:${mqttPort ?? config.broker.mqttPort}`);
    lines.push(
      `  ${'MQTT/WebSocket'.padEnd(14)} ws://${local}:${mosquitto?.wsPort ?? config.broker.wsPort}`,
    );
    lines.push(
      `  ${'Broker'.padEnd(14)} Mosquitto ${mosquitto?.version ?? ''} run by the lab (MQTT 3.1.1 and 5.0)`,
    );
  } else {
    lines.push(
      `  ${'MQTT/TCP'.padEnd(14)} ${config.broker.tcpUrl ?? '(not set: --broker-tcp-url)'}`,
    );
    lines.push(
      `  ${'MQTT/WebSocket'.padEnd(14)} ${config.broker.browserUrl ?? '(not set: --broker-url)'}`,
    );
    lines.push(`  ${'Broker'.padEnd(14)} external (the embedded broker is off)`);
  }
  if (trainer) {
    lines.push('');
    lines.push(`  ${'Trainer page'.padEnd(14)} http://${local}:${port}/workshop/`);
    lines.push(`  ${'Trainer token'.padEnd(14)} ${trainer.token}   (type it on the trainer page)`);
    lines.push(
      trainer.localTrusted
        ? `  ${''.padEnd(14)} browsers on this machine are the trainer without it`
        : `  ${''.padEnd(14)} every browser needs the token (no local trust)`,
    );
  }
  lines.push('', 'Press Ctrl-C to stop.');
  return lines.join('\n');
}
