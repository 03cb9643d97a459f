import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { LabContext, LabModule } from '../app.ts';
import { rejectUpgrade } from '../upgrade.ts';
import { HeldCounter, type Visitor } from '../visitor.ts';
import { CHAT_LIMITS, CHAT_WS_PATH, type ServerMessage } from '../../src/lib/wire/chat.ts';
import { ChatHub } from './hub.ts';
import { isAllowedOrigin } from './origin.ts';
import { startHeartbeat } from './heartbeat.ts';
import type { ChatStore } from '../redis/chat.ts';

/** Chat connections one browser may hold at once (an address gets `--people-per-address` times this). */
export const SOCKETS_PER_VISITOR = 6;

/** Default time between protocol pings; a peer that misses one pong is terminated. */
export const HEARTBEAT_MS = 30_000;

// A client that cannot keep up (its socket buffer holds this much unsent data) is cut off rather
// than letting the server's memory grow; it resumes from history when it reconnects.
const MAX_BUFFERED_BYTES = 1024 * 1024;

// Header values a page should never see echoed into its own DOM, even its own.
const HIDDEN_HEADERS = new Set(['cookie', 'authorization']);

/** The running chat, with the handles the trainer's faults and rate chart use. */
export interface ChatModule extends LabModule {
  /** Closes every chat socket (the trainer's fault); returns how many. */
  closeAll(): number;
  /** Frames sent to clients so far. */
  readonly framesOut: number;
}

/**
 * Registers the chat's WebSocket endpoint `/ws/chat` and its `wsChat` gauge. With `store` (one
 * of several instances on Redis) rooms, ids and history are the deployment's.
 */
export function registerChat(ctx: LabContext, store: ChatStore | null = null): ChatModule {
  const heartbeatMs = ctx.config.chat?.heartbeatMs ?? HEARTBEAT_MS;
  const hub = new ChatHub({
    ...(ctx.config.chat?.messagesPerSecond !== undefined
      ? { messagesPerSecond: ctx.config.chat.messagesPerSecond }
      : {}),
    peoplePerAddress: ctx.visitors.peoplePerAddress,
    ...(store ? { store } : {}),
  });
  // Sockets per visitor (a browser with a few tabs) and per address (a few people behind a NAT).
  const socketsPerVisitor = ctx.config.chat?.socketsPerVisitor ?? SOCKETS_PER_VISITOR;
  const held = new HeldCounter();
  const visitorOf = new WeakMap<IncomingMessage, Visitor>();
  // Rooms nobody is in are reclaimed even when no one opens a new one.
  const sweeper = setInterval(() => hub.sweep(), 60_000);
  sweeper.unref();
  // Shared, the ids are the deployment's: they start over only when Redis loses its data.
  const bootId = store?.bootId ?? randomBytes(6).toString('hex');
  const sockets = new Set<WebSocket>();
  let framesOut = 0;
  const responseHeaders = new WeakMap<IncomingMessage, string[]>();

  const wss = new WebSocketServer({
    noServer: true,
    // RFC 6455 §7.4.1: a bigger message closes the connection with 1009 (ws does this for us).
    maxPayload: CHAT_LIMITS.maxPayloadBytes,
    perMessageDeflate: false,
  });
  wss.on('headers', (headers: string[], req: IncomingMessage) => {
    responseHeaders.set(req, [...headers]);
  });

  wss.on('connection', (ws: WebSocket, req: IncomingMessage) => {
    sockets.add(ws);
    const visitor = visitorOf.get(req) ?? ctx.visitors.of(req);
    const release = held.hold(visitor);
    const client = hub.connect(
      {
        send(frame) {
          if (ws.readyState !== ws.OPEN) return;
          if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
            ws.terminate();
            return;
          }
          framesOut++;
          ws.send(frame);
        },
        destroy() {
          ws.terminate();
        },
      },
      visitor,
    );
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        client.send(
          JSON.stringify({
            type: 'error',
            code: 'bad_json',
            message: 'binary frames are not supported; send JSON text',
          } satisfies ServerMessage),
        );
        return;
      }
      hub.receive(client, (data as Buffer).toString('utf8'));
    });
    ws.on('error', () => ws.terminate());
    ws.on('close', () => {
      sockets.delete(ws);
      release();
      hub.disconnect(client);
    });
    const [status = '', ...lines] = responseHeaders.get(req) ?? [];
    const welcome: ServerMessage = {
      type: 'welcome',
      connId: client.id,
      bootId,
      heartbeatMs,
      request: {
        method: req.method ?? 'GET',
        url: req.url ?? CHAT_WS_PATH,
        headers: pairs(req.rawHeaders).map(([k, val]) =>
          HIDDEN_HEADERS.has(k.toLowerCase()) ? [k, '(hidden)'] : [k, val],
        ),
      },
      response: {
        status,
        headers: lines.map((line): [string, string] => {
          const i = line.indexOf(':');
          return [line.slice(0, i), line.slice(i + 1).trim()];
        }),
      },
    };
    client.send(JSON.stringify(welcome));
  });

  ctx.router.route(CHAT_WS_PATH, (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // RFC 6455 §4.2.2: a server may refuse a handshake from an origin it does not accept,
    // with a plain HTTP error such as 403.
    if (!isAllowedOrigin(req, ctx.config.allowedOrigins)) {
      rejectUpgrade(socket, 403, `Origin ${req.headers.origin ?? ''} may not open ${CHAT_WS_PATH}`);
      return;
    }
    const visitor = ctx.visitors.of(req);
    const perAddress = ctx.visitors.perAddress(socketsPerVisitor);
    if (!held.allows(visitor, socketsPerVisitor, perAddress)) {
      rejectUpgrade(
        socket,
        429,
        `at most ${socketsPerVisitor} chat connections per browser (${perAddress} per address)`,
      );
      return;
    }
    visitorOf.set(req, visitor);
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });
  ctx.gauges.register('wsChat', () => sockets.size);
  const stopHeartbeat = startHeartbeat(() => sockets, heartbeatMs);

  return {
    get framesOut() {
      return framesOut;
    },
    closeAll() {
      const open = [...sockets];
      for (const ws of open) {
        // 1012 "Service Restart" (IANA WebSocket close codes, RFC 6455 §11.7): come back soon.
        ws.close(1012, 'the trainer closed every chat socket');
        // Never wait on a peer that does not answer the closing handshake.
        setTimeout(() => ws.terminate(), 1000).unref();
      }
      return open.length;
    },
    async close() {
      ctx.router.unroute(CHAT_WS_PATH);
      stopHeartbeat();
      clearInterval(sweeper);
      // RFC 6455 §7.4.1: 1001 "going away" tells clients the server is shutting down.
      for (const ws of sockets) ws.close(1001, 'server shutting down');
      const deadline = Date.now() + 500;
      while (sockets.size > 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
      }
      for (const ws of sockets) ws.terminate();
      wss.close();
      await store?.close();
    },
  };
}

function pairs(raw: string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push([raw[i] ?? '', raw[i + 1] ?? '']);
  return out;
}
