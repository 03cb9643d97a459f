import { randomBytes } from 'node:crypto';
import { WebSocket } from 'ws';
import type { Lab } from '../../server/app.ts';
import { CHAT_WS_PATH, parseServerMessage, type ServerMessage } from '../../src/lib/wire/chat.ts';

/** A raw chat connection for tests: everything it received, and ways to wait for more. */
export interface RawChat {
  ws: WebSocket;
  frames: ServerMessage[];
  closed: Promise<{ code: number; reason: string }>;
  send(msg: unknown): void;
  /**
   * Resolves with the first frame (from `from` on) that matches, checked as each frame arrives;
   * rejects after `timeoutMs` (default 20 s: only a failure waits that long, and frames passed
   * between instances through Redis took over 5 s on a loaded 2-core machine).
   */
  next<T extends ServerMessage['type']>(
    type: T,
    match?: (m: Extract<ServerMessage, { type: T }>) => boolean,
    from?: number,
    timeoutMs?: number,
  ): Promise<Extract<ServerMessage, { type: T }>>;
  close(): void;
}

/**
 * Opens `/ws/chat` on a test lab with the `ws` package, optionally with an Origin header. Without a
 * `cookie` header each connection is its own browser (its own visitor cookie), as a real page is.
 */
export async function rawChat(lab: Lab, headers: Record<string, string> = {}): Promise<RawChat> {
  // Cookie-less connections from one address share one visitor's limits (10 messages a second),
  // so tests that open several "people" would otherwise throttle each other.
  const withCookie = { cookie: `lab_vid=${randomBytes(16).toString('base64url')}`, ...headers };
  const ws = new WebSocket(`ws://127.0.0.1:${lab.port}${CHAT_WS_PATH}`, { headers: withCookie });
  const frames: ServerMessage[] = [];
  // Waiters of next(), told about each new frame.
  const waiters = new Set<() => void>();
  ws.on('message', (data) => {
    const text = (data as Buffer).toString('utf8');
    const msg = parseServerMessage(text);
    if (!msg) throw new Error(`server sent an invalid frame: ${text}`);
    frames.push(msg);
    for (const w of [...waiters]) w();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const chat: RawChat = {
    ws,
    frames,
    closed,
    send(msg) {
      ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg));
    },
    next(type, match = () => true, from = 0, timeoutMs = 20_000) {
      type M = Extract<ServerMessage, { type: typeof type }>;
      const find = (): M | undefined =>
        frames.slice(from).find((f): f is M => f.type === type && match(f as M));
      return new Promise<M>((resolve, reject) => {
        const check = (): void => {
          const found = find();
          if (found === undefined) return;
          done();
          resolve(found);
        };
        const timer = setTimeout(() => {
          done();
          const seen = frames.slice(from).map((f) => JSON.stringify(f));
          reject(new Error(`timed out waiting for a ${type} frame; got ${seen.join(' ')}`));
        }, timeoutMs);
        const done = (): void => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    close() {
      ws.terminate();
    },
  };
  await chat.next('welcome');
  return chat;
}

/** A raw connection that has said hello as `nick` and joined `room`. */
export async function joinedChat(lab: Lab, nick: string, room: string): Promise<RawChat> {
  const c = await rawChat(lab);
  c.send({ type: 'hello', nick });
  c.send({ type: 'join', room });
  await c.next('joined', (m) => m.room === room);
  return c;
}
