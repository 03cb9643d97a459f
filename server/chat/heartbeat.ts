import type { WebSocket } from 'ws';

/**
 * Pings every socket each interval and terminates those that did not answer the previous ping
 * (RFC 6455 §5.5.2: a pong must answer a ping; browsers do so on their own). A peer whose
 * network vanished sends no FIN, so without this the server would hold it forever.
 */
export function startHeartbeat(sockets: () => Iterable<WebSocket>, intervalMs: number): () => void {
  const alive = new WeakSet<WebSocket>();
  const watch = new WeakSet<WebSocket>();
  const timer = setInterval(() => {
    for (const ws of sockets()) {
      if (!watch.has(ws)) {
        watch.add(ws);
        ws.on('pong', () => alive.add(ws));
      } else if (!alive.has(ws)) {
        ws.terminate();
        continue;
      }
      alive.delete(ws);
      ws.ping();
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
