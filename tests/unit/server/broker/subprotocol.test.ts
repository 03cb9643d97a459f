// The case study (mqtt-over-websocket, "Broker endpoint for browsers") tells readers exactly what
// the lab's /mqtt endpoint does with the WebSocket subprotocol; these tests keep that true.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Lab } from '../../../../server/app.ts';
import { startTestLab } from '../../../helpers/lab.ts';

let lab: Lab;
let wsUrl: string;

beforeAll(async () => {
  lab = await startTestLab();
  wsUrl = `ws://127.0.0.1:${lab.port}/mqtt`;
});

afterAll(async () => {
  await lab.close();
});

// CONNECT, MQTT 3.1.1, clean session, keep-alive 60 s, client id "pub-1" (MQTT 3.1.1 §3.1).
const CONNECT = Buffer.from('101100044d5154540402003c00057075622d31', 'hex');

describe('the /mqtt WebSocket endpoint and subprotocols', () => {
  it('accepts a client that offers no subprotocol, and speaks MQTT with it', async () => {
    const ws = new WebSocket(wsUrl);
    const header = new Promise<string | undefined>((resolve) =>
      ws.once('upgrade', (res) => resolve(res.headers['sec-websocket-protocol'])),
    );
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    expect(await header).toBeUndefined();
    const connack = new Promise<Buffer>((resolve) =>
      ws.once('message', (d) => resolve(d as Buffer)),
    );
    ws.send(CONNECT);
    expect((await connack).toString('hex')).toBe('20020000'); // CONNACK, accepted
    ws.close();
  });

  it('answers 101 without a subprotocol to a client that offers only others, which then fails', async () => {
    const ws = new WebSocket(wsUrl, ['not-mqtt']);
    const status = new Promise<[number, unknown]>((resolve) =>
      ws.once('upgrade', (res) =>
        resolve([res.statusCode ?? 0, res.headers['sec-websocket-protocol']]),
      ),
    );
    const error = await new Promise<Error>((resolve) => ws.once('error', resolve));
    expect(await status).toEqual([101, undefined]);
    expect(error.message).toBe('Server sent no subprotocol');
  });
});
