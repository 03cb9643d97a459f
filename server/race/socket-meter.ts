import type { Socket } from 'node:net';
import type { LaneBytes } from '../../src/lib/wire/race.ts';

interface Tracked {
  socket: Socket;
  /** Counters when the race started, or null when the socket opened after the start. */
  atStart: { read: number; written: number } | null;
}

/**
 * Exact bytes of one socket lane (WebSocket, MQTT): the kernel-facing counters of each TCP
 * socket the lane ever used, read on demand. A socket lane owns its whole connection from the
 * first byte (the upgrade request or CONNECT), so nothing of another route is in these counters.
 */
export class SocketMeter {
  readonly #live = new Set<Tracked>();
  #closed = { up: 0, down: 0, setupUp: 0, setupDown: 0 };
  #opened = 0;
  #started = false;

  /** Tracks a lane's socket from now until it closes. */
  add(socket: Socket): void {
    const t: Tracked = { socket, atStart: null };
    this.#live.add(t);
    this.#opened++;
    socket.once('close', () => {
      if (!this.#live.delete(t)) return;
      const s = this.#split(t);
      this.#closed.up += s.up;
      this.#closed.down += s.down;
      this.#closed.setupUp += s.setupUp;
      this.#closed.setupDown += s.setupDown;
    });
  }

  /** Marks the start: bytes so far are the lane's set-up. */
  start(): void {
    this.#started = true;
    for (const t of this.#live) {
      t.atStart = { read: t.socket.bytesRead, written: t.socket.bytesWritten };
    }
  }

  /** Sockets open now. */
  get connections(): number {
    return this.#live.size;
  }

  /** Every live socket (for cuts and freeing). */
  get sockets(): Socket[] {
    return [...this.#live].map((t) => t.socket);
  }

  /** The lane's totals so far. */
  read(): LaneBytes {
    const out = { ...this.#closed };
    for (const t of this.#live) {
      const s = this.#split(t);
      out.up += s.up;
      out.down += s.down;
      out.setupUp += s.setupUp;
      out.setupDown += s.setupDown;
    }
    return { ...out, requests: this.#opened, connections: this.#live.size };
  }

  #split(t: Tracked): { up: number; down: number; setupUp: number; setupDown: number } {
    const up = t.socket.bytesRead;
    const down = t.socket.bytesWritten;
    // Opened before the start: its bytes up to the start are set-up. Opened before the start but
    // read before start() ran (not started yet): all of it is set-up so far.
    if (t.atStart) return { up, down, setupUp: t.atStart.read, setupDown: t.atStart.written };
    if (!this.#started) return { up, down, setupUp: up, setupDown: down };
    return { up, down, setupUp: 0, setupDown: 0 };
  }
}
