// What the MQTT lab takes from and gives to its page: stored settings, a shared link over them,
// the server's broker from /api/config, and a share link that never carries the password.
import { describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import { MqttLab } from '../../../../src/lib/mqtt/lab.svelte.ts';
import {
  SETTINGS_KEY,
  TAB_CLIENT_ID_KEY,
  type StorageLike as SettingsStore,
} from '../../../../src/lib/mqtt/settings.ts';

const PAGE = 'http://192.168.1.5:4321/en/mqtt/?old=1#demo';

function lab(): MqttLab {
  const fake = { on: () => fake, connect: () => fake, subscribe: () => fake, end: () => fake };
  return new MqttLab(
    () => Promise.resolve(() => fake as unknown as MqttClient),
    () => PAGE,
  );
}

function memory(initial: Record<string, string> = {}): SettingsStore & { data: typeof initial } {
  const data = { ...initial };
  return {
    data,
    getItem: (k) => data[k] ?? null,
    setItem: (k, v) => void (data[k] = v),
  };
}

describe('the MQTT lab and its page', () => {
  it('restores stored settings, then lets a shared link override them', () => {
    const l = lab();
    const local = memory({
      // An entry from before ids moved to the tab: its client id is no longer shared.
      [SETTINGS_KEY]: JSON.stringify({ clientId: 'stored', keepalive: 15, preset: 'mosquitto' }),
    });
    const session = memory({ [TAB_CLIENT_ID_KEY]: 'this-tab' });
    l.restore({ local, session }, '?mqtt.keepalive=45&mqtt.willQos=7');
    expect(l.settings).toMatchObject({ clientId: 'this-tab', keepalive: 45, preset: 'mosquitto' });
    // An impossible value in a link is ignored, not applied.
    expect(l.settings.willQos).toBe(0);
  });

  it('keeps the defaults when storage holds garbage or is missing', () => {
    const l = lab();
    const before = l.settings.clientId;
    l.restore({ local: memory({ [SETTINGS_KEY]: '{not json' }), session: null }, '');
    expect(l.settings.clientId).toBe(before);
    l.restore({ local: null, session: null }, '');
    expect(l.settings.clientId).toBe(before);
  });

  it('stores the settings without the password, the id per tab, and survives a full storage', () => {
    const l = lab();
    l.settings.password = 'secret';
    l.settings.username = 'ann';
    const local = memory();
    const session = memory();
    l.save({ local, session });
    const shared = JSON.parse(local.data[SETTINGS_KEY]!) as Record<string, unknown>;
    expect(shared).toMatchObject({ username: 'ann' });
    expect(shared).not.toHaveProperty('password');
    expect(shared).not.toHaveProperty('clientId');
    expect(session.data[TAB_CLIENT_ID_KEY]).toBe(l.settings.clientId);
    const full: SettingsStore = {
      getItem: () => null,
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
    };
    expect(() => l.save({ local: full, session: full })).not.toThrow();
  });

  it('builds a share link on the page address, without the password or the old query', () => {
    const l = lab();
    l.settings.password = 'secret';
    l.settings.keepalive = 12;
    l.share();
    const url = new URL(l.shareUrl!);
    expect(url.origin + url.pathname).toBe('http://192.168.1.5:4321/en/mqtt/');
    expect(url.hash).toBe('#demo');
    expect(url.searchParams.get('old')).toBeNull();
    expect(url.searchParams.get('mqtt.keepalive')).toBe('12');
    expect(l.shareUrl).not.toContain('secret');
  });

  it('learns "this server" from /api/config, and stays unable to connect without it', async () => {
    const l = lab();
    expect(l.canConnect('publisher')).toBe(false);
    await l.loadConfig(() => Promise.reject(new Error('offline')));
    expect(l.thisServerUrl).toBeNull();
    const asked: string[] = [];
    await l.loadConfig((url) => {
      asked.push(url);
      const body = { broker: { mode: 'external', wsUrl: null }, mqttPath: '/mqtt' };
      return Promise.resolve(new Response(JSON.stringify(body)));
    });
    expect(asked).toEqual(['/api/config']);
    expect(l.embedded).toBe(false);
    expect(l.thisServerUrl).toMatch(/^ws:\/\/192\.168\.1\.5:4321\//);
    expect(l.canConnect('publisher')).toBe(true);
  });

  it('offers MQTT 5.0 on "this server" only where /api/config lists 5.0 among its versions', async () => {
    const config = (broker: Record<string, unknown>) => () =>
      Promise.resolve(new Response(JSON.stringify({ broker, mqttPath: '/mqtt' })));
    const l = lab();
    l.settings.protocolVersion = 5;
    await l.loadConfig(config({ mode: 'embedded', wsUrl: null, versions: ['3.1', '3.1.1'] }));
    expect([l.speaks5, l.v5Unsupported]).toEqual([false, true]);
    await l.loadConfig(
      config({ mode: 'mosquitto', wsUrl: 'ws://h:1', versions: ['3.1', '3.1.1', '5.0'] }),
    );
    expect([l.speaks5, l.v5Unsupported]).toEqual([true, false]);
    // Another preset, or a server that does not say: unknown, so nothing is refused up front.
    l.settings.preset = 'emqx';
    expect([l.speaks5, l.v5Unsupported]).toEqual([null, false]);
    l.settings.preset = 'this-server';
    await l.loadConfig(config({ mode: 'external', wsUrl: 'ws://h:1' }));
    expect([l.speaks5, l.v5Unsupported]).toEqual([null, false]);
  });
});
