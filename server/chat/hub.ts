import {
  CHAT_LIMITS,
  parseClientMessage,
  type ChatMessage,
  type ClientMessage,
  type ErrorCode,
  type ServerMessage,
} from '../../src/lib/wire/chat.ts';
import { TokenBucket } from './rate-limit.ts';
import type { ChatStore, PresenceEvent, RemoteMemberInfo } from '../redis/chat.ts';
import { nickKey, Rooms, type Member, type Room } from './rooms.ts';

/** What the hub needs from a transport connection. */
export interface Peer {
  /** Sends a serialized frame. */
  send(frame: string): void;
  /** Destroys the connection at once, without a closing handshake. */
  destroy(): void;
}

/** Who a connection belongs to (see server/visitor.ts): caps hold per visitor and per address. */
export interface ChatVisitor {
  address: string;
  key: string;
}

/** One connected client as the hub tracks it. */
export class Client implements Member {
  readonly id: string;
  readonly peer: Peer;
  readonly bucket: TokenBucket;
  visitor: ChatVisitor = { address: '', key: '' };
  readonly rooms = new Set<Room>();
  nick = '';
  nickKey = '';
  session: string | undefined = undefined;
  /** With a shared store: this connection's frames, handled one after the other. */
  queue: Promise<void> = Promise.resolve();

  /** The session a page keeps across reconnects (within its browser), else this connection. */
  get authorKey(): string {
    return this.session !== undefined ? `s:${this.visitor.key}|${this.session}` : `c:${this.id}`;
  }

  constructor(id: string, peer: Peer, bucket: TokenBucket) {
    this.id = id;
    this.peer = peer;
    this.bucket = bucket;
  }

  send(frame: string): void {
    this.peer.send(frame);
  }
}

/**
 * A member connected to another instance of the deployment: listed, holding its nick, and sent
 * nothing from here (its own instance delivers to it).
 */
class RemoteMember implements Member {
  readonly nick: string;
  readonly nickKey: string;
  readonly session = undefined;
  readonly authorKey: string;
  readonly conn: string;
  readonly inst: string;

  constructor(info: Omit<RemoteMemberInfo, 'author'>) {
    this.nick = info.nick;
    this.nickKey = info.nickKey;
    this.authorKey = `remote:${info.conn}`;
    this.conn = info.conn;
    this.inst = info.inst;
  }

  send(): void {}
}

/** Tuning for tests; production uses the defaults from CHAT_LIMITS. */
export interface HubOptions {
  messagesPerSecond?: number;
  /** How many visitors' share of the per-visitor caps one address gets. */
  peoplePerAddress?: number;
  /** Rooms on the server, and bytes of history kept across all of them. */
  maxRooms?: number;
  historyBudgetBytes?: number;
  /** How long a room nobody is in keeps its history before it is reclaimed. */
  emptyRoomTtlMs?: number;
  now?: () => number;
  /**
   * The deployment's chat in Redis (several lab instances): messages are numbered and kept
   * there, reach members on every instance, and visitors' rate limits count across instances.
   */
  store?: ChatStore;
}

/** Rooms one visitor's connections may be in at once, together. */
export const ROOMS_PER_VISITOR = 20;

// A token bucket shared by every connection of one visitor, or of one address, with a count
// of the connections using it so it is forgotten with the last of them.
interface SharedBucket {
  bucket: TokenBucket;
  clients: Set<Client>;
}

/** The chat's application layer: rooms, membership, history and limits, free of sockets. */
export class ChatHub {
  readonly rooms: Rooms;
  readonly clients = new Set<Client>();
  readonly #rate: number;
  readonly #people: number;
  readonly #now: () => number;
  readonly #byVisitor = new Map<string, SharedBucket>();
  readonly #byAddress = new Map<string, SharedBucket>();
  readonly #store: ChatStore | null;
  // Rooms whose copy holds the shared history (a room forgotten and opened again is reloaded).
  readonly #loaded = new WeakSet<Room>();
  #nextId = 1;

  constructor(opts: HubOptions = {}) {
    this.#rate = opts.messagesPerSecond ?? CHAT_LIMITS.messagesPerSecond;
    this.#people = opts.peoplePerAddress ?? 8;
    this.#now = opts.now ?? Date.now;
    this.rooms = new Rooms({
      ...(opts.maxRooms !== undefined ? { max: opts.maxRooms } : {}),
      ...(opts.historyBudgetBytes !== undefined ? { budgetBytes: opts.historyBudgetBytes } : {}),
      ...(opts.emptyRoomTtlMs !== undefined ? { emptyTtlMs: opts.emptyRoomTtlMs } : {}),
    });
    this.#store = opts.store ?? null;
    if (this.#store) {
      this.#store.onMessage = (msg) => this.#deliver(msg);
      this.#store.onPresence = (ev) => this.#remote(ev);
    }
  }

  // What a member on another instance did, shown to the members here.
  #remote(ev: PresenceEvent): void {
    if (ev.t === 'gone') {
      for (const name of this.rooms.names()) {
        const room = this.rooms.get(name)!;
        for (const m of [...room.members.values()]) {
          if (m instanceof RemoteMember && m.inst === ev.inst) this.#remoteLeft(room, m);
        }
      }
      return;
    }
    const room = this.rooms.get(ev.room);
    if (!room) return;
    const holder = room.members.get('nickKey' in ev ? ev.nickKey : '');
    if (ev.t === 'typing') {
      room.broadcast({ type: 'typing', room: room.name, nick: ev.nick });
    } else if (ev.t === 'leave') {
      if (holder instanceof RemoteMember && holder.conn === ev.conn) this.#remoteLeft(room, holder);
    } else {
      if (holder instanceof RemoteMember && holder.conn === ev.conn) return;
      // The same browser session took its nick back on another instance: this socket is stale.
      if (holder instanceof Client) {
        holder.peer.destroy();
        this.disconnect(holder);
      }
      room.members.set(ev.nickKey, new RemoteMember(ev));
      room.broadcast({
        type: 'presence',
        room: room.name,
        nick: ev.nick,
        event: 'join',
        members: nicks(room),
      });
    }
  }

  #remoteLeft(room: Room, m: RemoteMember): void {
    room.members.delete(m.nickKey);
    if (room.members.size === 0) room.lastActive = this.#now();
    room.broadcast({
      type: 'presence',
      room: room.name,
      nick: m.nick,
      event: 'leave',
      members: nicks(room),
    });
  }

  // A message of the shared room, from whichever instance: kept and sent to members here.
  #deliver(msg: ChatMessage): void {
    const room = this.rooms.get(msg.room);
    if (!room?.accept(msg)) return;
    room.broadcast(msg);
    this.rooms.trim();
  }

  /** Registers a new connection of `visitor`. */
  connect(peer: Peer, visitor: ChatVisitor = { address: '', key: '' }): Client {
    const now = () => this.#now();
    // Shared, ids must differ between instances too: a session-less client's resends are
    // recognised by its connection id, deployment-wide.
    const id = `${this.#store ? `${this.#store.instance}-` : ''}c${this.#nextId++}`;
    const client = new Client(id, peer, new TokenBucket(this.#rate, now));
    client.visitor = visitor;
    this.clients.add(client);
    share(this.#byVisitor, visitor.key, this.#rate, now).clients.add(client);
    share(this.#byAddress, visitor.address, this.#rate * this.#people, now).clients.add(client);
    return client;
  }

  /** Forgets a connection that closed, telling its rooms it left. */
  disconnect(client: Client): void {
    if (!this.clients.delete(client)) return;
    for (const room of [...client.rooms]) this.#leave(client, room);
    unshare(this.#byVisitor, client.visitor.key, client);
    unshare(this.#byAddress, client.visitor.address, client);
  }

  /** Empty rooms past their time are forgotten, with their history. */
  sweep(): number {
    const n = this.rooms.sweep(this.#now());
    this.#store?.retain(this.rooms.names());
    return n;
  }

  // Rooms the connections of one visitor (or address) are in, together.
  #roomsOf(clients: Iterable<Client>): Set<Room> {
    const rooms = new Set<Room>();
    for (const c of clients) for (const r of c.rooms) rooms.add(r);
    return rooms;
  }

  /** Handles one text frame from a client. Bad input gets an error frame; nothing throws. */
  receive(client: Client, raw: string): void {
    if (this.#store) {
      const store = this.#store;
      client.queue = client.queue.then(() => this.#receiveShared(store, client, raw));
      return;
    }
    // Rate limiting comes first, so that nothing of a flood is acted on; the frame is parsed
    // only to name it in the error, so a client knows which message to send again later.
    // Per connection, then per visitor (all its tabs and sockets together), then per address.
    const visitorBucket = this.#byVisitor.get(client.visitor.key)?.bucket;
    const addressBucket = this.#byAddress.get(client.visitor.address)?.bucket;
    const admitted = client.bucket.take() && !!visitorBucket?.take() && !!addressBucket?.take();
    const msg = this.#admit(client, raw, admitted);
    if (msg) this.#handle(client, msg);
  }

  // The frame, parsed, once admitted by the rate limits; otherwise (or when it does not parse)
  // the error frame is sent and null returned. A refused frame is parsed only to name it in the
  // error, so a client knows which message to send again later.
  #admit(client: Client, raw: string, admitted: boolean): ClientMessage | null {
    const parsed = parseClientMessage(raw);
    if (!admitted) {
      const ref = parsed.ok ? refFor(parsed.msg) : parsed.error.ref;
      this.#error(
        client,
        'rate_limited',
        `more than ${this.#rate} messages per second; this one was dropped`,
        ref,
      );
      return null;
    }
    if (!parsed.ok) {
      this.#error(client, parsed.error.code, parsed.error.message, parsed.error.ref);
      return null;
    }
    return parsed.msg;
  }

  // As receive(), with the visitor's and address's limits counted in Redis for the deployment
  // (the connection's own bucket stays here: the connection does too).
  async #receiveShared(store: ChatStore, client: Client, raw: string): Promise<void> {
    if (!clientOpen(this, client)) return;
    const admitted =
      client.bucket.take() &&
      (await store
        .admit([
          [`v:${client.visitor.key}`, this.#rate],
          [`a:${client.visitor.address}`, this.#rate * this.#people],
        ])
        // Redis away: nothing can be posted anyway, and joins still serve what is held.
        .catch(() => true));
    const msg = this.#admit(client, raw, admitted);
    if (!msg) return;
    if (msg.type === 'join' && client.nick) {
      // The room's copy here is filled from Redis before the join is answered from it: its
      // history, and its members on other instances.
      const room = this.rooms.open(msg.room, this.#now());
      if (room) {
        const reload = !this.#loaded.has(room);
        this.#loaded.add(room);
        try {
          await store.follow(msg.room, CHAT_LIMITS.historySize, reload);
          if (reload) {
            for (const info of await store.members(msg.room)) {
              if (!room.members.has(info.nickKey)) {
                room.members.set(info.nickKey, new RemoteMember(info));
              }
            }
          }
        } catch {
          this.#loaded.delete(room);
        }
        if (!client.rooms.has(room)) {
          // The nick is the deployment's: taken on another instance, it is refused here too.
          const claimed = await store
            .claim(room.name, {
              nickKey: client.nickKey,
              nick: client.nick,
              conn: client.id,
              sessionAuthor: client.session !== undefined ? client.authorKey : '',
            })
            // Redis away: this instance alone decides, as without Redis.
            .catch(() => true);
          if (!claimed) {
            this.#error(
              client,
              'nick_taken',
              `nick "${client.nick}" is taken in ${room.name}`,
              room.name,
            );
            return;
          }
          if (clientOpen(this, client)) this.#handle(client, msg);
          // Refused here after all (too many rooms), or gone meanwhile: the nick goes back.
          if (!client.rooms.has(room)) {
            store.release(room.name, {
              nickKey: client.nickKey,
              nick: client.nick,
              conn: client.id,
            });
          }
          return;
        }
      }
    } else if (msg.type === 'chat') {
      const room = this.#joinedRoom(client, msg.room, msg.clientMsgId);
      if (!room) return;
      try {
        const { msg: stored, duplicate } = await store.post({
          room: room.name,
          authorKey: client.authorKey,
          nick: client.nick,
          text: msg.text,
          clientMsgId: msg.clientMsgId,
          ts: this.#now(),
          historySize: CHAT_LIMITS.historySize,
        });
        // A new message reaches every member, its author too, through the room's stream.
        if (duplicate) this.#send(client, stored);
      } catch {
        this.#error(
          client,
          'unavailable',
          'the server cannot store messages right now; send it again shortly',
          msg.clientMsgId,
        );
      }
      return;
    }
    if (clientOpen(this, client)) this.#handle(client, msg);
  }

  #handle(client: Client, msg: ClientMessage): void {
    switch (msg.type) {
      case 'hello': {
        if (client.rooms.size > 0 && nickKey(msg.nick) !== client.nickKey) {
          this.#error(client, 'invalid', 'leave your rooms before changing nick', 'hello');
          return;
        }
        client.nick = msg.nick;
        client.nickKey = nickKey(msg.nick);
        client.session = msg.session;
        this.#send(client, { type: 'hello', nick: msg.nick });
        return;
      }
      case 'join':
        this.#join(client, msg.room, msg.afterId);
        return;
      case 'leave': {
        const room = this.rooms.get(msg.room);
        if (!room || !client.rooms.has(room)) {
          this.#error(client, 'not_joined', `not in room ${msg.room}`, msg.room);
          return;
        }
        this.#leave(client, room);
        this.#send(client, { type: 'left', room: msg.room });
        return;
      }
      case 'chat': {
        const room = this.#joinedRoom(client, msg.room, msg.clientMsgId);
        if (!room) return;
        const { msg: stored, duplicate } = room.post(
          client,
          msg.text,
          msg.clientMsgId,
          this.#now(),
        );
        // A resend of a stored message is answered to its author only, as an acknowledgement.
        if (duplicate) this.#send(client, stored);
        else {
          room.broadcast(stored);
          this.rooms.trim();
        }
        return;
      }
      case 'typing': {
        const room = this.#joinedRoom(client, msg.room, msg.room);
        if (room) {
          room.broadcast({ type: 'typing', room: room.name, nick: client.nick }, client);
          this.#store?.typing(room.name, client.nick);
        }
        return;
      }
      case 'drop':
        client.peer.destroy();
        return;
    }
  }

  #join(client: Client, name: string, afterId: number | undefined): void {
    if (!client.nick) {
      this.#error(client, 'no_nick', 'send hello {nick} before joining a room', name);
      return;
    }
    const existing = this.rooms.get(name);
    if (existing && client.rooms.has(existing)) {
      // Joining again is how a client asks for what it missed; membership stays as it is.
      this.#send(client, joinedFrame(existing, afterId));
      return;
    }
    if (client.rooms.size >= CHAT_LIMITS.roomsPerConnection) {
      this.#error(
        client,
        'too_many_rooms',
        `at most ${CHAT_LIMITS.roomsPerConnection} rooms per connection`,
        name,
      );
      return;
    }
    // Rooms count per visitor and per address, so 500 sockets cannot take 500 room slots.
    const mine = this.#byVisitor.get(client.visitor.key)?.clients ?? [client];
    const ours = this.#byAddress.get(client.visitor.address)?.clients ?? [client];
    const target = this.rooms.get(name);
    const over = (rooms: Set<Room>, cap: number) =>
      rooms.size >= cap && !(target && rooms.has(target));
    if (
      over(this.#roomsOf(mine), ROOMS_PER_VISITOR) ||
      over(this.#roomsOf(ours), ROOMS_PER_VISITOR * this.#people)
    ) {
      this.#error(
        client,
        'too_many_rooms',
        `at most ${ROOMS_PER_VISITOR} rooms per browser (${ROOMS_PER_VISITOR * this.#people} per address)`,
        name,
      );
      return;
    }
    const room = this.rooms.open(name, this.#now());
    if (!room) {
      this.#error(client, 'too_many_rooms', 'the server holds too many rooms', name);
      return;
    }
    const holder = room.members.get(client.nickKey);
    // A remote holder's nick was already claimed for this client in Redis (#receiveShared).
    if (holder instanceof Client && holder !== client) {
      // The same browser session reconnecting before the server noticed the old socket died
      // takes its nick back; anyone else must pick another nick.
      if (client.session !== undefined && holder.authorKey === client.authorKey) {
        holder.peer.destroy();
        this.disconnect(holder);
      } else {
        this.#error(client, 'nick_taken', `nick "${client.nick}" is taken in ${name}`, name);
        return;
      }
    }
    room.members.set(client.nickKey, client);
    client.rooms.add(room);
    // History and membership change in the same tick, so no broadcast falls between them.
    this.#send(client, joinedFrame(room, afterId));
    room.broadcast(
      { type: 'presence', room: name, nick: client.nick, event: 'join', members: nicks(room) },
      client,
    );
  }

  #leave(client: Client, room: Room): void {
    if (room.members.get(client.nickKey) === client) {
      room.members.delete(client.nickKey);
      this.#store?.release(room.name, {
        nickKey: client.nickKey,
        nick: client.nick,
        conn: client.id,
      });
    }
    client.rooms.delete(room);
    // An empty room's time to be reclaimed counts from when its last member left.
    if (room.members.size === 0) room.lastActive = this.#now();
    room.broadcast({
      type: 'presence',
      room: room.name,
      nick: client.nick,
      event: 'leave',
      members: nicks(room),
    });
  }

  #joinedRoom(client: Client, name: string, ref: string): Room | null {
    const room = this.rooms.get(name);
    if (room && client.rooms.has(room)) return room;
    this.#error(client, 'not_joined', `join ${name} before sending to it`, ref);
    return null;
  }

  #send(client: Client, msg: ServerMessage): void {
    client.send(JSON.stringify(msg));
  }

  #error(client: Client, code: ErrorCode, message: string, ref: string | undefined): void {
    this.#send(client, { type: 'error', code, message, ...(ref !== undefined ? { ref } : {}) });
  }
}

// A connection may have closed while its frame waited for Redis.
function clientOpen(hub: ChatHub, client: Client): boolean {
  return hub.clients.has(client);
}

function share(
  map: Map<string, SharedBucket>,
  key: string,
  rate: number,
  now: () => number,
): SharedBucket {
  let s = map.get(key);
  if (!s) {
    s = { bucket: new TokenBucket(rate, now), clients: new Set() };
    map.set(key, s);
  }
  return s;
}

function unshare(map: Map<string, SharedBucket>, key: string, client: Client): void {
  const s = map.get(key);
  if (!s) return;
  s.clients.delete(client);
  if (s.clients.size === 0) map.delete(key);
}

function nicks(room: Room): string[] {
  return [...room.members.values()].map((m) => m.nick);
}

function joinedFrame(room: Room, afterId: number | undefined): ServerMessage {
  const { history, truncated } = room.since(afterId);
  return { type: 'joined', room: room.name, members: nicks(room), history, truncated };
}

function refFor(msg: ClientMessage): string {
  return msg.type === 'chat' ? msg.clientMsgId : 'room' in msg ? msg.room : msg.type;
}
