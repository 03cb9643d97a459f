// Who is the trainer: every control that changes what other visitors see answers 403 without the
// trainer and works with the token; a proxy on the same host never makes a visitor the trainer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '../../../server/app.ts';
import { bannerText } from '../../../server/banner.ts';
import { parseConfig, ConfigError } from '../../../server/config.ts';
import { isNeedsTrainer, TRAINER_COOKIE } from '../../../src/lib/wire/trainer.ts';
import { startTestLab } from '../../helpers/lab.ts';

const TOKEN = 'correct-horse-battery-staple';
let strict: Lab; // local browsers not trusted
let open: Lab; // the default: local browsers trusted
let clock = 1_000_000;

beforeAll(async () => {
  [strict, open] = await Promise.all([
    startTestLab({
      trainer: { token: TOKEN, localTrainer: false, trustProxy: null },
      fleet: { vehicles: 0, rateHz: 1 },
      trainerLimits: { now: () => clock, actionsPerSecond: 3 },
    }),
    startTestLab({ trainer: { token: TOKEN, localTrainer: true, trustProxy: null } }),
  ]);
});
afterAll(async () => {
  await Promise.all([strict.close(), open.close()]);
});

// Each shared control, with a body that would be valid for the trainer.
const SHARED: [string, 'POST' | 'PATCH', string, object][] = [
  ['ticker-rate', 'POST', '/api/ticker', { rate: 2 }],
  ['fleet', 'PATCH', '/api/fleet', { paused: false }],
  ['fleet', 'POST', '/api/fleet/vehicles/1/disconnect', {}],
  ['fleet', 'POST', '/api/fleet/vehicles/1/brake', {}],
];

describe('shared controls need the trainer', () => {
  it.each(SHARED)('%s: %s %s answers 403 JSON naming the trainer', async (control, m, u, b) => {
    const res = await strict.app.inject({ method: m, url: u, payload: b });
    expect(res.statusCode).toBe(403);
    const body: unknown = res.json();
    expect(isNeedsTrainer(body)).toBe(true);
    expect(body).toMatchObject({ needs: 'trainer', control, statusCode: 403 });
  });

  it('works with the token in the header, and a wrong token is refused', async () => {
    clock += 10_000;
    const ok = await strict.app.inject({
      method: 'POST',
      url: '/api/ticker',
      payload: { rate: 2 },
      headers: { 'x-trainer-token': TOKEN },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ rate: 2 });
    const wrong = await strict.app.inject({
      method: 'POST',
      url: '/api/ticker',
      payload: { rate: 3 },
      headers: { 'x-trainer-token': `${TOKEN}x` },
    });
    expect(wrong.statusCode).toBe(403);
    // The fleet, too (it starts its aggregator against the embedded broker).
    const fleet = await strict.app.inject({
      method: 'PATCH',
      url: '/api/fleet',
      payload: { rateHz: 2 },
      headers: { 'x-trainer-token': TOKEN },
    });
    expect(fleet.statusCode).toBe(200);
    expect(fleet.json()).toMatchObject({ rateHz: 2 });
  });

  it('logs in with the token once, then works by an HttpOnly SameSite=Strict session cookie', async () => {
    clock += 10_000;
    const login = await strict.app.inject({
      method: 'POST',
      url: '/api/trainer/login',
      payload: { token: TOKEN },
    });
    expect(login.statusCode).toBe(200);
    const setCookie = String(login.headers['set-cookie']);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).not.toContain(TOKEN);
    const sid = /lab_trainer=([^;]+)/.exec(setCookie)?.[1] ?? '';
    expect(sid.length).toBeGreaterThan(20);
    const cookie = `${TRAINER_COOKIE}=${sid}`;
    const status = await strict.app.inject({ url: '/api/trainer', headers: { cookie } });
    expect(status.json()).toEqual({ trainer: true, via: 'session', localTrusted: false });
    const res = await strict.app.inject({
      method: 'POST',
      url: '/api/ticker',
      payload: { rate: 1 },
      headers: { cookie },
    });
    expect(res.statusCode).toBe(200);
    // A made-up session id is nobody.
    const forged = await strict.app.inject({
      url: '/api/trainer',
      headers: { cookie: `${TRAINER_COOKIE}=${sid.slice(1)}A` },
    });
    expect(forged.json()).toMatchObject({ trainer: false });
    await strict.app.inject({ method: 'POST', url: '/api/trainer/logout', headers: { cookie } });
    const after = await strict.app.inject({ url: '/api/trainer', headers: { cookie } });
    expect(after.json()).toMatchObject({ trainer: false });
  });

  it('limits the trainer actions per second and records them in a log only the trainer reads', async () => {
    clock += 10_000;
    const headers = { 'x-trainer-token': TOKEN };
    const codes: number[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await strict.app.inject({
        method: 'POST',
        url: '/api/ticker',
        payload: { rate: 1 + i },
        headers,
      });
      codes.push(r.statusCode);
    }
    expect(codes).toEqual([200, 200, 200, 429, 429]);
    expect((await strict.app.inject({ url: '/api/trainer/log' })).statusCode).toBe(403);
    const log = await strict.app.inject({ url: '/api/trainer/log', headers });
    const { actions } = log.json<{ actions: { action: string; detail: object }[] }>();
    expect(actions.filter((a) => a.action === 'ticker-rate').map((a) => a.detail)).toContainEqual({
      rate: 3,
    });
  });

  it('locks out an address after five wrong tokens, even for the right one', async () => {
    clock += 120_000;
    const login = (token: string) =>
      strict.app.inject({
        method: 'POST',
        url: '/api/trainer/login',
        payload: { token },
        remoteAddress: '10.9.9.9',
      });
    const codes: number[] = [];
    for (let i = 0; i < 6; i++) codes.push((await login(`guess-number-${i}`)).statusCode);
    codes.push((await login(TOKEN)).statusCode);
    expect(codes).toEqual([403, 403, 403, 403, 403, 429, 429]);
    clock += 61_000;
    expect((await login(TOKEN)).statusCode).toBe(200);
  });

  it('never writes the token into the action log, and never takes it from a URL', async () => {
    const headers = { 'x-trainer-token': TOKEN };
    await strict.app.inject({
      method: 'POST',
      url: '/api/trainer/login',
      payload: { token: TOKEN, note: TOKEN },
    });
    const viaQuery = await strict.app.inject({ url: `/api/trainer?token=${TOKEN}` });
    expect(viaQuery.json()).toMatchObject({ trainer: false });
    const log = await strict.app.inject({ url: '/api/trainer/log', headers });
    expect(log.statusCode).toBe(200);
    expect(log.body).not.toContain(TOKEN);
    expect(strict.trainer.log().length).toBeGreaterThan(0);
  });
});

describe('browsers on the lab machine', () => {
  const status = async (lab: Lab, opts: { remoteAddress: string }) =>
    (await lab.app.inject({ url: '/api/trainer', ...opts })).json<{ trainer: boolean }>();

  it('are the trainer by default, from loopback', async () => {
    expect(await status(open, { remoteAddress: '127.0.0.1' })).toMatchObject({ trainer: true });
    expect(await status(open, { remoteAddress: '::1' })).toMatchObject({ trainer: true });
    const res = await open.app.inject({ method: 'POST', url: '/api/ticker', payload: { rate: 2 } });
    expect(res.statusCode).toBe(200);
  });

  it('are not when the request came through a proxy on the same host', async () => {
    for (const header of ['x-forwarded-for', 'forwarded', 'x-real-ip', 'via']) {
      const res = await open.app.inject({
        method: 'POST',
        url: '/api/ticker',
        payload: { rate: 2 },
        headers: { [header]: header === 'forwarded' ? 'for=10.0.0.7' : '10.0.0.7' },
      });
      expect(res.statusCode, header).toBe(403);
    }
  });

  it('are not for a page of another site open in the same browser', async () => {
    const res = await open.app.inject({
      method: 'POST',
      url: '/api/ticker',
      payload: { rate: 2 },
      headers: { origin: 'http://evil.example' },
    });
    expect(res.statusCode).toBe(403);
  });

  it('are not for another machine on the LAN', async () => {
    expect(await status(open, { remoteAddress: '192.168.1.20' })).toMatchObject({
      trainer: false,
    });
  });

  it('are not with --no-local-trainer or --trust-proxy', async () => {
    expect(await status(strict, { remoteAddress: '127.0.0.1' })).toMatchObject({ trainer: false });
    const proxied = await startTestLab({
      trainer: { token: TOKEN, localTrainer: true, trustProxy: 'loopback' },
    });
    try {
      // Behind the proxy the peer is always the proxy on loopback, with or without a header.
      const res = await proxied.app.inject({ url: '/api/trainer', remoteAddress: '127.0.0.1' });
      expect(res.json()).toMatchObject({ trainer: false, localTrusted: false });
    } finally {
      await proxied.close();
    }
  });
});

describe('trainer options', () => {
  it('parse from flags and environment, and reject a short token', () => {
    const c = parseConfig(['--no-local-trainer', '--trust-proxy', 'loopback,10.0.0.0/8'], {
      LAB_TRAINER_TOKEN: TOKEN,
    });
    expect(c).toMatchObject({
      trainer: { token: TOKEN, localTrainer: false, trustProxy: 'loopback,10.0.0.0/8' },
    });
    expect(() => parseConfig(['--trainer-token', 'short'], {})).toThrow(ConfigError);
    expect(() => parseConfig(['--trust-proxy', 'everyone'], {})).toThrow(/--trust-proxy/);
    expect(parseConfig([], {})).toMatchObject({ trainer: { token: null, localTrainer: true } });
  });

  it('print the token in the banner next to the trainer URL', () => {
    const config = parseConfig([], {});
    if (config === 'help') throw new Error('unexpected');
    const text = bannerText({
      config,
      port: 4321,
      mqttPort: 1883,
      version: '0',
      trainer: { token: TOKEN, localTrusted: true },
    });
    expect(text).toMatch(/Trainer page\s+http:\/\/localhost:4321\/workshop\//);
    expect(text).toContain(TOKEN);
    // Never inside a URL.
    expect(text).not.toMatch(new RegExp(`https?://\\S*${TOKEN}`));
  });
});
