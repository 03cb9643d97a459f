import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';

/** Handles one WebSocket upgrade for a path; it owns the socket from then on. */
export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

/** Routes HTTP `upgrade` requests by pathname, so several WebSocket servers share one HTTP server. */
export class UpgradeRouter {
  readonly #routes = new Map<string, UpgradeHandler>();

  constructor(server: Server) {
    server.on('upgrade', (req, socket, head) => {
      this.#dispatch(req, socket, head);
    });
  }

  /** Registers the handler for an exact path such as `/mqtt`. */
  route(path: string, handler: UpgradeHandler): void {
    this.#routes.set(path, handler);
  }

  /** Removes the handler for a path; later upgrades to it answer 404. */
  unroute(path: string): void {
    this.#routes.delete(path);
  }

  #dispatch(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    // An error before a handler takes the socket must not crash the process.
    socket.on('error', () => socket.destroy());
    const pathname = new URL(req.url ?? '/', 'http://x').pathname;
    const handler = this.#routes.get(pathname);
    if (!handler) {
      rejectUpgrade(socket, 404, `No WebSocket endpoint at ${pathname}`);
      return;
    }
    handler(req, socket, head);
  }
}

/** Answers an upgrade with a plain HTTP error and closes the socket (RFC 6455 §4.2.2). */
export function rejectUpgrade(socket: Duplex, status: number, message: string): void {
  const body = JSON.stringify({ error: message });
  const reason =
    status === 404
      ? 'Not Found'
      : status === 403
        ? 'Forbidden'
        : status === 429
          ? 'Too Many Requests'
          : 'Bad Request';
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\n` +
      'Connection: close\r\n' +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
