import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { UpgradeRouter } from '../upgrade.ts';
import { rejectUpgrade } from '../upgrade.ts';
import { isAllowedOrigin } from '../chat/origin.ts';
import { RACE_WS_PATH, isRaceId } from '../../src/lib/wire/race.ts';
import type { Race } from './race.ts';
import type { SocketMeter } from './socket-meter.ts';

/** What the WebSocket lane needs from the race module. */
export interface WsLaneDeps {
  router: UpgradeRouter;
  allowedOrigins: readonly string[];
  lookup(id: string): Race | null;
  meter(race: Race): SocketMeter;
  touch(race: Race): void;
  maxBacklogBytes: number;
}

/** The per-race side of the WebSocket lane. */
export interface WsLane {
  attach(race: Race): () => void;
  /** Messages published while the race had no open WebSocket: a bare WebSocket loses them. */
  unsent(race: Race): number;
  free(race: Race): void;
  close(): void;
}

/**
 * The bare WebSocket lane, `/ws/race?race=<id>`: each message is one text frame holding the
 * payload and nothing else. There is no resume: a reconnected socket gets only what comes next,
 * which is what a WebSocket without an application protocol on top does.
 */
export function registerWsLane(deps: WsLaneDeps): WsLane {
  const sockets = new WeakMap<Race, WebSocket>();
  const unsent = new WeakMap<Race, number>();
  const wss = new WebSocketServer({
    noServer: true,
    // The lane sends; a client has nothing to say but a close frame (RFC 6455 §7.4.1: 1009).
    maxPayload: 1024,
    perMessageDeflate: false,
  });

  deps.router.route(RACE_WS_PATH, (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // RFC 6455 §10.2: refuse pages of other origins.
    if (!isAllowedOrigin(req, deps.allowedOrigins)) {
      rejectUpgrade(socket, 403, 'foreign origin');
      return;
    }
    const id = new URL(req.url ?? '/', 'http://x').searchParams.get('race');
    const race = isRaceId(id) ? deps.lookup(id) : null;
    if (!race) {
      rejectUpgrade(socket, 404, 'no such race');
      return;
    }
    // Counted from the upgrade request on; the 101 answer is written after this.
    deps.meter(race).add(socket as Socket);
    deps.touch(race);
    wss.handleUpgrade(req, socket, head, (ws) => {
      // One socket per race: a reconnect replaces one the server has not yet seen die.
      sockets.get(race)?.terminate();
      sockets.set(race, ws);
      (socket as Socket).setNoDelay(true);
      ws.on('error', () => ws.terminate());
      ws.on('close', () => {
        if (sockets.get(race) === ws) sockets.delete(race);
        deps.touch(race);
      });
    });
  });

  return {
    attach(race) {
      return race.onPublish((_seq, payload) => {
        const ws = sockets.get(race);
        if (!ws || ws.readyState !== ws.OPEN) {
          unsent.set(race, (unsent.get(race) ?? 0) + 1);
          return;
        }
        if (ws.bufferedAmount > deps.maxBacklogBytes) {
          ws.terminate();
          return;
        }
        ws.send(payload);
      });
    },
    unsent: (race) => unsent.get(race) ?? 0,
    free(race) {
      sockets.get(race)?.terminate();
      sockets.delete(race);
    },
    close() {
      deps.router.unroute(RACE_WS_PATH);
      for (const ws of wss.clients) ws.terminate();
      wss.close();
    },
  };
}
