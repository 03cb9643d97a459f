// Who a request belongs to, for limits. One browser can open 500 sockets and choose any clientId,
// so limits hold per visitor: the peer address plus a per-browser cookie the lab sets itself.
//
// Two levels, because attendees behind one NAT (a venue router, a phone hotspot) share an address:
//   - a visitor (address + browser cookie) gets what one person with a few tabs needs;
//   - an address gets several times that, enough for a handful of people behind one NAT, and is
//     the backstop against a script that throws its cookie away or makes up new ones.
// A whole classroom behind one address would hit the address caps: run the lab on the same LAN.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';
import proxyaddr from '@fastify/proxy-addr';
import { readCookie } from './workshop/trainer.ts';

/** Name of the per-browser cookie (random, HttpOnly; it identifies a browser to the caps only). */
export const VISITOR_COOKIE = 'lab_vid';

/** Default of `--people-per-address`: a few attendees behind one NAT still get their share. */
export const PEOPLE_PER_ADDRESS = 8;

const VID = /^[A-Za-z0-9_-]{22}$/;

/** A visitor as the caps see it. */
export interface Visitor {
  /** The peer address (or, behind a trusted proxy, the browser's address as the proxy says). */
  address: string;
  /** Address plus browser cookie; `address|-` for clients that send no cookie. */
  key: string;
}

/** Tells visitors apart, and hands every browser its cookie. */
export class Visitors {
  readonly #trust: ((addr: string, i: number) => boolean) | null;
  /** How many visitors' worth of a cap one address gets (`--people-per-address`). */
  readonly peoplePerAddress: number;

  /** `trustProxy` as in `--trust-proxy`; null reads the socket's peer address. */
  constructor(trustProxy: string | null, peoplePerAddress = PEOPLE_PER_ADDRESS) {
    this.#trust = trustProxy ? proxyaddr.compile(trustProxy.split(',')) : null;
    this.peoplePerAddress = peoplePerAddress;
  }

  /** The cap of one address for a cap of `perVisitor` per visitor. */
  perAddress(perVisitor: number): number {
    return perVisitor * this.peoplePerAddress;
  }

  /** The visitor behind a request (a Fastify request's `.raw`, or a WebSocket upgrade). */
  of(req: IncomingMessage): Visitor {
    const peer = this.#trust ? proxyaddr(req, this.#trust) : (req.socket.remoteAddress ?? '');
    const address = peer.startsWith('::ffff:') ? peer.slice(7) : peer;
    const vid = readCookie(req.headers.cookie, VISITOR_COOKIE);
    return { address, key: `${address}|${vid && VID.test(vid) ? vid : '-'}` };
  }

  /** Sets the cookie on responses to browsers that do not have one yet. */
  register(app: FastifyInstance): void {
    app.addHook('onRequest', (req, reply, done) => {
      const vid = readCookie(req.headers.cookie, VISITOR_COOKIE);
      // Fingerprinted assets are cached for a year: keep Set-Cookie off them.
      if (!(vid && VID.test(vid)) && !req.url.startsWith('/_astro/')) {
        const id = randomBytes(16).toString('base64url');
        void reply.header(
          'Set-Cookie',
          `${VISITOR_COOKIE}=${id}; Path=/; HttpOnly; SameSite=Lax; Max-Age=31536000`,
        );
      }
      done();
    });
  }
}

/** Counts things a visitor holds open (streams, sockets, rooms), per visitor and per address. */
export class HeldCounter {
  readonly #byVisitor = new Map<string, number>();
  readonly #byAddress = new Map<string, number>();

  /** How many `v` and its address hold now. */
  count(v: Visitor): { visitor: number; address: number } {
    return {
      visitor: this.#byVisitor.get(v.key) ?? 0,
      address: this.#byAddress.get(v.address) ?? 0,
    };
  }

  /** Whether one more is within `perVisitor` and `perAddress`. */
  allows(v: Visitor, perVisitor: number, perAddress: number): boolean {
    const n = this.count(v);
    return n.visitor < perVisitor && n.address < perAddress;
  }

  /** Counts one more for `v`; the returned function releases it (once). */
  hold(v: Visitor): () => void {
    bump(this.#byVisitor, v.key, 1);
    bump(this.#byAddress, v.address, 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      bump(this.#byVisitor, v.key, -1);
      bump(this.#byAddress, v.address, -1);
    };
  }

  /** Visitors with anything held (the maps never keep zeros). */
  get size(): number {
    return this.#byVisitor.size;
  }
}

function bump(map: Map<string, number>, key: string, by: number): void {
  const n = (map.get(key) ?? 0) + by;
  if (n > 0) map.set(key, n);
  else map.delete(key);
}
