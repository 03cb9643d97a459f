import type { Server, IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { ByteTotals, ClientStats } from '../../src/lib/wire/http-demos.ts';

/** The transports whose traffic is counted per visitor. */
export type DemoKind = 'poll' | 'longPoll' | 'sse';

/** One request in flight: its socket and the socket's write counter when it started. */
interface LiveRequest {
  kind: DemoKind;
  socket: Socket;
  res: ServerResponse;
  writtenAtStart: number;
}

interface ClientRecord {
  totals: Record<DemoKind, ByteTotals>;
  live: Set<LiveRequest>;
}

/** A handle on a counted request; `end()` is idempotent. */
export interface TrafficTicket {
  /** Exact bytes the server read for this request (request line, headers; GETs have no body). */
  readonly bytesIn: number;
  /** Stops counting and adds the bytes written to the visitor's totals. */
  end(): void;
}

const emptyTotals = (): ByteTotals => ({ requests: 0, bytesIn: 0, bytesOut: 0 });

/**
 * Counts the exact bytes each visitor's demo requests cost on the wire, headers included.
 *
 * With keep-alive, `socket.bytesRead` and `socket.bytesWritten` grow across every request of a
 * connection, so a request's share is a difference: what was read since the previous response on
 * that socket finished, and what was written between this request's start and its end. Browsers do
 * not pipeline HTTP/1.1 requests, so nothing of the next request is read before that point.
 */
export class Traffic {
  /** socket → bytesRead when its previous response finished. */
  readonly #readMarks = new WeakMap<Socket, number>();
  readonly #clients = new Map<string, ClientRecord>();
  readonly #maxClients: number;
  readonly #started: Record<DemoKind, number> = { poll: 0, longPoll: 0, sse: 0 };
  readonly #server: Server;
  readonly #onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const socket = req.socket;
    res.once('finish', () => this.#readMarks.set(socket, socket.bytesRead));
  };

  constructor(server: Server, maxClients = 10_000) {
    this.#server = server;
    this.#maxClients = maxClients;
    // Every request, also static files and /api/health, moves the mark, so a request of another
    // route on the same keep-alive socket is never billed to a demo.
    server.on('request', this.#onRequest);
  }

  /** Live requests of one kind for a visitor (for per-visitor caps). */
  liveCount(clientKey: string, kind: DemoKind): number {
    let n = 0;
    for (const r of this.#clients.get(clientKey)?.live ?? []) if (r.kind === kind) n++;
    return n;
  }

  /** Live requests of all visitors (the cleanup tests check it returns to 0). */
  get liveTotal(): number {
    let n = 0;
    for (const c of this.#clients.values()) n += c.live.size;
    return n;
  }

  /** Starts counting a request; call `end()` when its response is finished or its socket closed. */
  begin(
    clientKey: string,
    kind: DemoKind,
    req: IncomingMessage,
    res: ServerResponse,
  ): TrafficTicket {
    const socket = req.socket;
    const bytesIn = socket.bytesRead - (this.#readMarks.get(socket) ?? 0);
    const client = this.#client(clientKey);
    const live: LiveRequest = { kind, socket, res, writtenAtStart: socket.bytesWritten };
    client.live.add(live);
    client.totals[kind].requests += 1;
    this.#started[kind] += 1;
    client.totals[kind].bytesIn += bytesIn;
    let ended = false;
    return {
      bytesIn,
      end: () => {
        if (ended) return;
        ended = true;
        client.live.delete(live);
        client.totals[kind].bytesOut += socket.bytesWritten - live.writtenAtStart;
      },
    };
  }

  /** The visitor's totals, with bytes written so far by requests still open (SSE streams). */
  stats(clientKey: string): ClientStats {
    const c = this.#clients.get(clientKey);
    const out: ClientStats = {
      clientId: clientKey,
      poll: { ...(c?.totals.poll ?? emptyTotals()) },
      longPoll: { ...(c?.totals.longPoll ?? emptyTotals()) },
      sse: { ...(c?.totals.sse ?? emptyTotals()) },
    };
    for (const r of c?.live ?? []) out[r.kind].bytesOut += r.socket.bytesWritten - r.writtenAtStart;
    return out;
  }

  /**
   * Cuts a visitor's open long-polls and streams the way a failing network does: mid-response.
   * A socket closed before any byte of the answer would not do, because browsers silently resend
   * an idempotent request whose reused keep-alive connection closed without a response, and the
   * page would never see the failure. Only requests that `mine` accepts are cut (a clientId is
   * chosen by the client: knowing someone's must not be enough). Returns how many were cut.
   */
  drop(clientKey: string, mine: (req: IncomingMessage) => boolean = () => true): number {
    const c = this.#clients.get(clientKey);
    if (!c) return 0;
    return cut([...c.live].filter((r) => r.kind !== 'poll' && mine(r.res.req)));
  }

  /** Cuts every visitor's open requests of one kind (the trainer's fault buttons). */
  dropAll(kind: 'longPoll' | 'sse'): number {
    const held: LiveRequest[] = [];
    for (const c of this.#clients.values())
      for (const r of c.live) if (r.kind === kind) held.push(r);
    return cut(held);
  }

  /** Requests started so far per kind, all visitors together (the trainer's rate chart). */
  get started(): Readonly<Record<DemoKind, number>> {
    return this.#started;
  }

  /** Forgets a visitor's totals (its live requests must have ended). */
  forget(clientKey: string): void {
    this.#clients.delete(clientKey);
  }

  /** Visitors with totals kept (bounded by `maxClients`). */
  get clientCount(): number {
    return this.#clients.size;
  }

  /** Stops listening to the server. */
  close(): void {
    this.#server.off('request', this.#onRequest);
  }

  #client(key: string): ClientRecord {
    let c = this.#clients.get(key);
    if (c) {
      // Map order doubles as least-recently-used order for eviction.
      this.#clients.delete(key);
      this.#clients.set(key, c);
      return c;
    }
    c = {
      totals: { poll: emptyTotals(), longPoll: emptyTotals(), sse: emptyTotals() },
      live: new Set(),
    };
    this.#clients.set(key, c);
    if (this.#clients.size > this.#maxClients) {
      for (const [k, old] of this.#clients) {
        if (this.#clients.size <= this.#maxClients) break;
        if (old.live.size === 0) this.#clients.delete(k);
      }
    }
    return c;
  }
}

// A head promising more body than ever comes, then the cut: the way a failing network ends a
// response. A socket closed before any byte of the answer would not do (see `drop`).
function cut(held: readonly LiveRequest[]): number {
  for (const { res, socket } of held) {
    if (res.headersSent) {
      socket.destroy();
      continue;
    }
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '4096' });
    res.write('{"events":[', () => socket.destroy());
  }
  return held.length;
}
