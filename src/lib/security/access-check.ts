// The security chapter's live checks: what the chat's handshake carried (the Origin a page cannot
// forge) and what the broker's access control answers an anonymous client. DOM-free: the caller
// passes the WebSocket constructor and mqtt.js' connect.
import type { IClientOptions, MqttClient } from 'mqtt';
import { parseServerMessage } from '../wire/chat.ts';

/** What the chat's upgrade looked like from the server's side. */
export interface OriginReport {
  /** The Origin header the browser sent (scripts cannot set it: a forbidden request header). */
  origin: string | null;
  /** The Host header the server received; the lab accepts an Origin with this same host. */
  host: string | null;
  /** The status line the server answered with, e.g. `HTTP/1.1 101 Switching Protocols`. */
  status: string;
}

/** A SUBACK return code for one filter: 0-2 granted QoS, 128 (0x80) refused [MQTT-3.9.3-2]. */
export interface AclAnswer {
  filter: string;
  granted: number;
}

/** The WebSocket surface the origin check uses: the browser's, or the `ws` package's in tests. */
export interface SocketLike {
  addEventListener(type: 'message' | 'error' | 'close', fn: (ev: SocketEvent) => void): void;
  close(code?: number): void;
}

/** The fields of a message or close event the check reads. */
export interface SocketEvent {
  data?: unknown;
  code?: number;
}

/** Opens the chat at `url`, reads the server's welcome (it echoes the handshake), and closes. */
export function checkOrigin(
  open: (url: string) => SocketLike,
  url: string,
  timeoutMs = 5000,
): Promise<OriginReport> {
  return new Promise((resolve, reject) => {
    const ws = open(url);
    const timer = setTimeout(() => {
      ws.close();
      reject(new Error('no welcome from the chat'));
    }, timeoutMs);
    let done = false;
    const finish = (fn: () => void): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      fn();
    };
    ws.addEventListener('message', (ev) => {
      const msg = typeof ev.data === 'string' ? parseServerMessage(ev.data) : null;
      if (msg?.type !== 'welcome') return;
      const header = (name: string): string | null =>
        msg.request.headers.find(([k]) => k.toLowerCase() === name)?.[1] ?? null;
      finish(() => {
        ws.close(1000);
        resolve({ origin: header('origin'), host: header('host'), status: msg.response.status });
      });
    });
    ws.addEventListener('error', () =>
      finish(() => reject(new Error('the chat refused the connection'))),
    );
    ws.addEventListener('close', (ev) =>
      finish(() => reject(new Error(`the chat closed (${ev.code ?? 0})`))),
    );
  });
}

/** The filters the check asks for: one under the open `lab/` namespace, and the whole broker. */
export function aclFilters(prefix: string): string[] {
  return [`${prefix}/#`, '#'];
}

/**
 * Connects anonymously to the broker at `url` and subscribes to each filter on its own, so that
 * one refusal does not hide the other answers; returns the SUBACK code of each.
 */
export async function checkAcl(
  connect: (url: string, opts: IClientOptions) => MqttClient,
  url: string,
  filters: readonly string[],
  timeoutMs = 5000,
): Promise<AclAnswer[]> {
  const client = connect(url, { reconnectPeriod: 0, connectTimeout: timeoutMs, clean: true });
  try {
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
      client.once('close', () => reject(new Error('the broker closed the connection')));
    });
    const answers: AclAnswer[] = [];
    for (const filter of filters) {
      const granted = await new Promise<number>((resolve, reject) => {
        client.subscribe(filter, { qos: 0 }, (err, grants) => {
          // On a 0x80, mqtt.js reports an error carrying the SUBACK, and `grants` still holds
          // the QoS that was asked for: read the code from the packet then.
          const packet = (err as { packet?: { granted?: number[] } } | null | undefined)?.packet;
          const code = err ? packet?.granted?.[0] : grants?.[0]?.qos;
          if (code === undefined) reject(err ?? new Error('no SUBACK'));
          else resolve(code);
        });
      });
      answers.push({ filter, granted });
    }
    return answers;
  } finally {
    client.end(true);
  }
}
