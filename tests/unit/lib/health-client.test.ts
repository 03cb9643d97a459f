import { describe, expect, it } from 'vitest';
import { fetchHealth, formatUptime } from '../../../src/lib/status/health-client.ts';
import { resolveBrokerWsUrl } from '../../../src/lib/wire/health.ts';

const ok = {
  status: 'ok',
  name: 'realtime-lab',
  version: '0.1.0',
  uptimeS: 3,
  startedAt: '2026-01-01T00:00:00.000Z',
  broker: { mode: 'embedded', wsUrl: null, tcpUrl: 'mqtt://h:1883' },
  connections: { mqttTcp: 1 },
};

describe('fetchHealth', () => {
  it('returns the parsed body', async () => {
    const body = await fetchHealth(async () => Response.json(ok));
    expect(body.connections).toEqual({ mqttTcp: 1 });
  });

  it('rejects a non-2xx answer, a network error and a body of the wrong shape', async () => {
    await expect(fetchHealth(async () => new Response('no', { status: 502 }))).rejects.toThrow(
      /502/,
    );
    await expect(
      fetchHealth(async () => {
        throw new TypeError('Failed to fetch');
      }),
    ).rejects.toThrow(/Failed to fetch/);
    await expect(fetchHealth(async () => Response.json({ hello: 1 }))).rejects.toThrow(
      /unexpected body/,
    );
  });
});

describe('formatUptime', () => {
  it.each([
    [0, '0s'],
    [42.9, '42s'],
    [303, '5m 3s'],
    [7620, '2h 7m'],
    [273600, '3d 4h'],
  ])('%d s → %s', (s, text) => expect(formatUptime(s)).toBe(text));
});

describe('resolveBrokerWsUrl', () => {
  it('uses this server’s /mqtt, with wss on https pages', () => {
    const embedded = { mode: 'embedded' as const, wsUrl: null, tcpUrl: null };
    expect(resolveBrokerWsUrl(embedded, 'http://192.168.1.5:4321/en/mqtt/')).toBe(
      'ws://192.168.1.5:4321/mqtt',
    );
    expect(resolveBrokerWsUrl(embedded, 'https://lab.example/')).toBe('wss://lab.example/mqtt');
  });

  it('uses the configured external URL as is', () => {
    const external = {
      mode: 'external' as const,
      wsUrl: 'wss://b.example:8084/mqtt',
      tcpUrl: null,
    };
    expect(resolveBrokerWsUrl(external, 'http://localhost:4321/')).toBe(
      'wss://b.example:8084/mqtt',
    );
  });
});
