// The security chapter's live checks, run against the real lab: what they report is what the
// chat's handshake and the broker's ACL really answer.
import mqtt from 'mqtt';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '../../../server/app.ts';
import {
  aclFilters,
  checkAcl,
  checkOrigin,
  type SocketLike,
} from '../../../src/lib/security/access-check.ts';
import { startTestLab } from '../../helpers/lab.ts';

describe('the security chapter’s checks against the lab', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startTestLab();
  });
  afterAll(async () => {
    await lab.close();
  });

  // A browser always sends Origin (RFC 6455 §4.1); ws sends none unless told, so tell it. The
  // adapter hands the check the two fields it reads, as the browser's events carry them.
  const opener =
    (origin: string) =>
    (url: string): SocketLike => {
      const ws = new WebSocket(url, { headers: { Origin: origin } });
      return {
        addEventListener: (type, fn) =>
          ws.addEventListener(type, (ev) =>
            fn('code' in ev ? { code: ev.code } : 'data' in ev ? { data: ev.data } : {}),
          ),
        close: (code) => ws.close(code),
      };
    };

  it('reads back the Origin and Host of its own handshake, and the 101', async () => {
    const own = `http://127.0.0.1:${lab.port}`;
    const report = await checkOrigin(opener(own), `ws://127.0.0.1:${lab.port}/ws/chat`);
    expect(report).toEqual({
      origin: own,
      host: `127.0.0.1:${lab.port}`,
      status: 'HTTP/1.1 101 Switching Protocols',
    });
  });

  it('fails, instead of hanging, when the chat refuses a foreign Origin', async () => {
    await expect(
      checkOrigin(opener('https://evil.example'), `ws://127.0.0.1:${lab.port}/ws/chat`),
    ).rejects.toThrow(/refused|closed/);
  });

  it('reports the broker granting a lab/ filter and refusing # with 0x80', async () => {
    const answers = await checkAcl(
      (url, opts) => mqtt.connect(url, opts),
      `ws://127.0.0.1:${lab.port}/mqtt`,
      aclFilters('lab/access-test'),
    );
    expect(answers).toEqual([
      { filter: 'lab/access-test/#', granted: 0 },
      { filter: '#', granted: 128 },
    ]);
  });
});
