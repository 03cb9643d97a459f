import { describe, expect, it } from 'vitest';
import { ConfigError, helpText, parseConfig } from '../../../server/config.ts';

describe('parseConfig', () => {
  it('uses the documented defaults', () => {
    expect(parseConfig([], {})).toEqual({
      port: 4321,
      host: '0.0.0.0',
      broker: { mode: 'embedded', mqttPort: 1883 },
      site: true,
      distDir: 'dist',
      allowedOrigins: [],
      fleet: { vehicles: 200, rateHz: 1 },
      trainer: { token: null, localTrainer: true, trustProxy: null },
      peoplePerAddress: 8,
      fleetCapacity: 2000,
    });
  });

  it('lets flags win over environment variables', () => {
    const cfg = parseConfig(['--port', '8080', '--mqtt-port', '0'], {
      PORT: '9000',
      MQTT_PORT: '1884',
    });
    expect(cfg).toMatchObject({ port: 8080, broker: { mode: 'embedded', mqttPort: 0 } });
    expect(parseConfig([], { PORT: '9000', HOST: '127.0.0.1' })).toMatchObject({
      port: 9000,
      host: '127.0.0.1',
    });
  });

  it.each([['99999'], ['-1'], ['12abc'], ['1e3'], ['']])('rejects port %j', (port) => {
    expect(() => parseConfig([`--port=${port}`], {})).toThrow(ConfigError);
    expect(() => parseConfig([`--port=${port}`], {})).toThrow(/--port must be a whole number/);
  });

  it('runs the fleet without its lag backoff only when LAB_FLEET_BACKOFF is off', () => {
    expect(parseConfig([], { LAB_FLEET_BACKOFF: 'off' })).toMatchObject({ fleetBackoff: false });
    expect(parseConfig([], { LAB_FLEET_BACKOFF: 'on' })).not.toHaveProperty('fleetBackoff');
  });

  it('names the environment variable when the bad value came from it', () => {
    expect(() => parseConfig([], { MQTT_PORT: 'x' })).toThrow(/^MQTT_PORT must/);
  });

  it('rejects unknown flags with a pointer to --help', () => {
    expect(() => parseConfig(['--prot', '1'], {})).toThrow(/Unknown option '--prot'.*--help/);
  });

  it('switches to an external broker and keeps both URLs', () => {
    const cfg = parseConfig(
      [
        '--broker-url',
        'wss://broker.example:8084/mqtt',
        '--broker-tcp-url',
        'mqtts://broker.example',
      ],
      {},
    );
    expect(cfg).toMatchObject({
      broker: {
        mode: 'external',
        browserUrl: 'wss://broker.example:8084/mqtt',
        tcpUrl: 'mqtts://broker.example',
      },
    });
  });

  it('runs the machine’s Mosquitto with --broker mosquitto or LAB_BROKER', () => {
    expect(parseConfig(['--broker', 'mosquitto', '--mqtt-port', '0'], {})).toMatchObject({
      broker: { mode: 'mosquitto', mqttPort: 0, wsPort: 9001, bin: null },
    });
    expect(
      parseConfig([], {
        LAB_BROKER: 'mosquitto',
        LAB_MOSQUITTO_BIN: '/opt/m/mosquitto',
        LAB_MOSQUITTO_WS_PORT: '0',
      }),
    ).toMatchObject({ broker: { mode: 'mosquitto', wsPort: 0, bin: '/opt/m/mosquitto' } });
    expect(() => parseConfig(['--broker', 'emqx'], {})).toThrow(
      /--broker must be "embedded" or "mosquitto", got "emqx"/,
    );
    expect(() => parseConfig(['--broker', 'mosquitto', '--broker-url', 'ws://x:9001'], {})).toThrow(
      /use one or the other/,
    );
    expect(() => parseConfig(['--broker', 'mosquitto', '--mosquitto-ws-port', 'x'], {})).toThrow(
      /--mosquitto-ws-port must be a whole number/,
    );
  });

  it.each([
    ['--broker-url', 'mqtt://x:1883', /--broker-url must start with ws:\/\/, wss:\/\//],
    ['--broker-url', 'http://x', /--broker-url must start with/],
    ['--broker-tcp-url', 'http://x', /--broker-tcp-url must start with mqtt:\/\//],
    ['--broker-tcp-url', 'not a url', /not a valid URL/],
  ])('rejects %s %s', (flag, value, message) => {
    expect(() => parseConfig([flag, value], {})).toThrow(message);
  });

  it('normalises allowed origins and rejects non-http ones', () => {
    expect(parseConfig(['--allow-origin', 'http://localhost:4321/path'], {})).toMatchObject({
      allowedOrigins: ['http://localhost:4321'],
    });
    expect(() => parseConfig(['--allow-origin', 'ftp://x'], {})).toThrow(/--allow-origin/);
  });

  it('shares state through Redis only with --redis-url or LAB_REDIS_URL', () => {
    expect(parseConfig([], {})).not.toHaveProperty('redisUrl');
    expect(parseConfig([], { LAB_REDIS_URL: '' })).not.toHaveProperty('redisUrl');
    expect(parseConfig([], { LAB_REDIS_URL: 'redis://10.0.0.5:6379/2' })).toMatchObject({
      redisUrl: 'redis://10.0.0.5:6379/2',
    });
    expect(
      parseConfig(['--redis-url', 'rediss://:pw@cache.example:6380'], {
        LAB_REDIS_URL: 'redis://ignored:6379',
      }),
    ).toMatchObject({ redisUrl: 'rediss://:pw@cache.example:6380' });
    expect(() => parseConfig(['--redis-url', 'http://x:6379'], {})).toThrow(
      /--redis-url must start with redis:\/\/, rediss:\/\//,
    );
    expect(() => parseConfig([], { LAB_REDIS_URL: 'not a url' })).toThrow(/LAB_REDIS_URL/);
    expect(() =>
      parseConfig(['--redis-url', 'redis://127.0.0.1:6379', '--broker', 'mosquitto'], {}),
    ).toThrow(/--redis-url .*--broker mosquitto/);
  });

  it('answers help, and the help lists every flag', () => {
    expect(parseConfig(['--help'], {})).toBe('help');
    for (const flag of [
      '--port',
      '--host',
      '--mqtt-port',
      '--broker-url',
      '--broker-tcp-url',
      '--no-site',
      '--redis-url',
    ]) {
      expect(helpText()).toContain(flag);
    }
  });
});

describe('parseConfig: the simulated fleet', () => {
  it('takes a size and a rate from flags or the environment', () => {
    expect(parseConfig(['--fleet', '50', '--fleet-rate', '2'], {})).toMatchObject({
      fleet: { vehicles: 50, rateHz: 2 },
    });
    expect(parseConfig([], { LAB_FLEET: '1000', LAB_FLEET_RATE: '0.5' })).toMatchObject({
      fleet: { vehicles: 1000, rateHz: 0.5 },
    });
  });

  it('turns the fleet off with --no-fleet or --fleet 0', () => {
    expect(parseConfig(['--no-fleet'], { LAB_FLEET: '300' })).toMatchObject({
      fleet: { vehicles: 0 },
    });
    expect(parseConfig(['--fleet', '0'], {})).toMatchObject({ fleet: { vehicles: 0 } });
  });

  it.each([
    [['--fleet=-5'], /--fleet must be a whole number from 0 to 5000/],
    [['--fleet', '5001'], /--fleet must be a whole number/],
    [['--fleet', '1.5'], /--fleet must be a whole number/],
    [['--fleet-rate', '0'], /--fleet-rate must be a number .* from 0.2 to 10/],
    [['--fleet-rate', '11'], /--fleet-rate must be/],
    [['--fleet-rate', 'fast'], /--fleet-rate must be/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseConfig(argv, {})).toThrow(ConfigError);
    expect(() => parseConfig(argv, {})).toThrow(message);
  });

  it('runs the fleet without its lag backoff only when LAB_FLEET_BACKOFF is off', () => {
    expect(parseConfig([], { LAB_FLEET_BACKOFF: 'off' })).toMatchObject({ fleetBackoff: false });
    expect(parseConfig([], { LAB_FLEET_BACKOFF: 'on' })).not.toHaveProperty('fleetBackoff');
  });

  it('names the environment variable when the bad value came from it', () => {
    expect(() => parseConfig([], { LAB_FLEET_RATE: '99' })).toThrow(/^LAB_FLEET_RATE must/);
  });

  it('keeps the fleet within --fleet-capacity: vehicles, and vehicles × rate', () => {
    const cap = ['--fleet-capacity', '100'];
    expect(parseConfig(['--fleet', '20', '--fleet-rate', '5', ...cap], {})).toMatchObject({
      fleet: { vehicles: 20, rateHz: 5 },
      fleetCapacity: 100,
    });
    expect(() => parseConfig(['--fleet', '20', '--fleet-rate', '6', ...cap], {})).toThrow(
      /over --fleet-capacity 100/,
    );
    expect(() => parseConfig(['--fleet', '5000'], {})).toThrow(/over LAB_FLEET_CAPACITY 2000/);
  });

  it('lists the fleet flags in the help', () => {
    for (const flag of ['--fleet', '--no-fleet', '--fleet-rate'])
      expect(helpText()).toContain(flag);
  });
});
