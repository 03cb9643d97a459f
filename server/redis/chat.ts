// The chat of a deployment of several lab instances: each room's messages in a Redis stream
// whose entry ids are the message ids (`<id>-0`), so `afterId` means the same on every
// instance; each instance reads the streams of the rooms its clients are in and hands their
// messages to its own members. Rate limits count in Redis, for the whole deployment.
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { ChatMessage } from '../../src/lib/wire/chat.ts';
import { admitWindow, type SharedRedis } from './index.ts';

const streamKey = (room: string): string => `lab:chat:room:${room}`;
const keysKey = (room: string): string => `lab:chat:keys:${room}`;
const membersKey = (room: string): string => `lab:chat:members:${room}`;
const ALIVE = 'lab:chat:alive:';
const PRESENCE = 'lab:chat:presence';

// Takes a nick in a room for one connection, for the whole deployment: refused while another
// connection of a live instance holds it, unless that one is the same browser session (a
// reconnect takes its nick back). The holder of an instance that stopped renewing its alive key
// (it died) holds nothing. ARGV: nick key, nick, instance, connection, session author ('' for
// none), TTL of the room's members, the join event to publish.
const CLAIM = `
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if cur then
  local c = cjson.decode(cur)
  if c.conn ~= ARGV[4] and redis.call('EXISTS', '${ALIVE}' .. c.inst) == 1
     and (ARGV[5] == '' or c.author ~= ARGV[5]) then return 0 end
end
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode({nick = ARGV[2], inst = ARGV[3], conn = ARGV[4], author = ARGV[5]}))
redis.call('PEXPIRE', KEYS[1], ARGV[6])
redis.call('PUBLISH', '${PRESENCE}', ARGV[7])
return 1`;

// Gives a nick back, only if this connection still holds it (a reconnect may have taken it).
const RELEASE = `
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if cur and cjson.decode(cur).conn == ARGV[2] then
  redis.call('HDEL', KEYS[1], ARGV[1])
  redis.call('PUBLISH', '${PRESENCE}', ARGV[3])
end
return 1`;

// The members of a room on live instances; those of dead instances are forgotten on the way.
const MEMBERS = `
local out = {}
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  local c = cjson.decode(all[i + 1])
  if redis.call('EXISTS', '${ALIVE}' .. c.inst) == 1 then
    table.insert(out, all[i]); table.insert(out, all[i + 1])
  else
    redis.call('HDEL', KEYS[1], all[i])
  end
end
return out`;

/** A member of a room connected to another instance. */
export interface RemoteMemberInfo {
  nickKey: string;
  nick: string;
  inst: string;
  conn: string;
  author: string;
}

/** What other instances' members do, as this instance hears it. */
export type PresenceEvent =
  | ({ t: 'join'; room: string } & RemoteMemberInfo)
  | { t: 'leave'; room: string; nickKey: string; nick: string; conn: string; inst: string }
  | { t: 'typing'; room: string; nick: string; inst: string }
  | { t: 'gone'; inst: string };

// A room nobody writes to is forgotten by Redis after this long (its history and resend keys).
const ROOM_TTL_MS = 24 * 60 * 60 * 1000;

// Stores a message once per author and clientMsgId (a resend after a lost echo is answered with
// the stored one), numbering it after the newest in the room, in one step for all instances.
const POST = `
local seen = redis.call('HGET', KEYS[2], ARGV[1])
if seen then return {1, tonumber(seen)} end
local id = 1
local top = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
if top[1] then id = tonumber(string.match(top[1][1], '^(%d+)')) + 1 end
redis.call('XADD', KEYS[1], 'MAXLEN', ARGV[6], id .. '-0', 'nick', ARGV[2], 'text', ARGV[3], 'cid', ARGV[4], 'ts', ARGV[5])
redis.call('HSET', KEYS[2], ARGV[1], id)
redis.call('PEXPIRE', KEYS[1], ARGV[7])
redis.call('PEXPIRE', KEYS[2], ARGV[7])
return {0, id}`;

/** The chat state shared by the instances. */
export interface ChatStore {
  /** The same for every instance while Redis keeps its data: ids start over only with it. */
  readonly bootId: string;
  /** Tells this instance's connections apart from other instances' (a prefix of their ids). */
  readonly instance: string;
  /** Called with each message of a followed room, in id order, once per instance. */
  onMessage: (msg: ChatMessage) => void;
  /** Counts one message against each `[key, perSecond]`; false when one is over. */
  admit(limits: readonly (readonly [string, number])[]): Promise<boolean>;
  /** Stores a message, or finds the one this author already sent with `clientMsgId`. */
  post(input: {
    room: string;
    authorKey: string;
    nick: string;
    text: string;
    clientMsgId: string;
    ts: number;
    historySize: number;
  }): Promise<{ msg: ChatMessage; duplicate: boolean }>;
  /** Called with what members on other instances do (never with this instance's own). */
  onPresence: (ev: PresenceEvent) => void;
  /** Takes `nickKey` in `room` for connection `conn`; false when another connection holds it. */
  claim(
    room: string,
    m: { nickKey: string; nick: string; conn: string; sessionAuthor: string },
  ): Promise<boolean>;
  /** Gives the nick back if `conn` still holds it (fire and forget). */
  release(room: string, m: { nickKey: string; nick: string; conn: string }): void;
  /** Tells the other instances' members of `room` that `nick` is typing (fire and forget). */
  typing(room: string, nick: string): void;
  /** The room's members on the other live instances. */
  members(room: string): Promise<RemoteMemberInfo[]>;
  /**
   * Starts reading a room: its kept history first (through `onMessage`), then what comes.
   * `reload`: hand the kept history over again (the instance forgot its copy of the room).
   */
  follow(room: string, historySize: number, reload?: boolean): Promise<void>;
  /** Stops reading the rooms not in `keep`. */
  retain(keep: ReadonlySet<string>): void;
  close(): Promise<void>;
}

function toMessage(room: string, id: string, fields: string[]): ChatMessage {
  const field = (name: string): string => fields[fields.indexOf(name) + 1] ?? '';
  return {
    type: 'chat',
    room,
    id: Number(id.split('-')[0]),
    nick: field('nick'),
    text: field('text'),
    ts: Number(field('ts')),
    clientMsgId: field('cid'),
  };
}

/**
 * Starts this instance's part of the deployment's chat. `aliveMs`: how long after this instance
 * dies its members still show on the others (it renews its alive key three times as often).
 */
export async function shareChat(redis: SharedRedis, aliveMs = 3000): Promise<ChatStore> {
  const { client } = redis;
  const inst = redis.instanceId;
  const aliveKey = ALIVE + inst;
  const fire = (p: Promise<unknown>): void => void p.catch(() => {});
  // Instances whose members this one shows; checked each beat, forgotten when they die.
  const remotes = new Set<string>();
  const sub: Redis = await redis.connection();
  await client.set('lab:chat:boot', randomBytes(6).toString('hex'), 'NX');
  const bootId = (await client.get('lab:chat:boot')) ?? 'unknown';

  // Rooms read, with the id of the last entry read in each.
  const followed = new Map<string, string>();
  const pending = new Map<string, Promise<void>>();
  const reader: Redis = await redis.connection();
  let readerId: number | null = null;
  let closed = false;
  let wake: (() => void) | null = null;

  const store: ChatStore = {
    bootId,
    instance: redis.instanceId.slice(0, 8),
    onMessage: () => {},
    onPresence: () => {},
    async claim(room, m) {
      const ev = { t: 'join', room, nickKey: m.nickKey, nick: m.nick, inst, conn: m.conn };
      const ok = await client.eval(
        CLAIM,
        1,
        membersKey(room),
        m.nickKey,
        m.nick,
        inst,
        m.conn,
        m.sessionAuthor,
        String(ROOM_TTL_MS),
        JSON.stringify({ ...ev, author: m.sessionAuthor }),
      );
      return ok === 1;
    },
    release(room, m) {
      const ev = { t: 'leave', room, nickKey: m.nickKey, nick: m.nick, conn: m.conn, inst };
      fire(client.eval(RELEASE, 1, membersKey(room), m.nickKey, m.conn, JSON.stringify(ev)));
    },
    typing(room, nick) {
      fire(client.publish(PRESENCE, JSON.stringify({ t: 'typing', room, nick, inst })));
    },
    async members(room) {
      const flat = (await client.eval(MEMBERS, 1, membersKey(room))) as string[];
      const out: RemoteMemberInfo[] = [];
      for (let i = 0; i + 1 < flat.length; i += 2) {
        const c = JSON.parse(flat[i + 1]!) as Omit<RemoteMemberInfo, 'nickKey'>;
        if (c.inst === inst) continue;
        remotes.add(c.inst);
        out.push({ ...c, nickKey: flat[i]! });
      }
      return out;
    },
    admit(limits) {
      // One-second windows; the same visitor on two instances shares one count.
      return admitWindow(
        redis,
        limits.map(([k, n]) => [`lab:chat:rate:${k}`, n] as const),
      );
    },
    async post(p) {
      const key = `${p.authorKey}\n${p.clientMsgId}`;
      const [dup, id] = (await client.eval(
        POST,
        2,
        streamKey(p.room),
        keysKey(p.room),
        key,
        p.nick,
        p.text,
        p.clientMsgId,
        String(p.ts),
        String(p.historySize),
        String(ROOM_TTL_MS),
      )) as [number, number];
      const msg: ChatMessage = {
        type: 'chat',
        room: p.room,
        id,
        nick: p.nick,
        text: p.text,
        ts: p.ts,
        clientMsgId: p.clientMsgId,
      };
      if (dup === 1) {
        // The stored one, as first sent (its time); gone from the stream, the request's copy.
        const [entry] = await client.xrange(streamKey(p.room), `${id}-0`, `${id}-0`);
        return { msg: entry ? toMessage(p.room, entry[0], entry[1]) : msg, duplicate: true };
      }
      return { msg, duplicate: false };
    },
    follow(room, historySize, reload = false) {
      if (reload) followed.delete(room);
      if (followed.has(room)) return Promise.resolve();
      let loading = pending.get(room);
      if (!loading) {
        loading = (async () => {
          const entries = await client.xrevrange(streamKey(room), '+', '-', 'COUNT', historySize);
          entries.reverse();
          for (const [id, fields] of entries) store.onMessage(toMessage(room, id, fields));
          followed.set(room, entries.at(-1)?.[0] ?? '0-0');
          // The reader is blocked on the rooms it had: let it start over with this one too.
          wake?.();
          if (readerId !== null) await client.call('CLIENT', 'UNBLOCK', readerId);
        })().finally(() => pending.delete(room));
        pending.set(room, loading);
      }
      return loading;
    },
    retain(keep) {
      for (const room of [...followed.keys()]) if (!keep.has(room)) followed.delete(room);
    },
    async close() {
      closed = true;
      clearInterval(beat);
      wake?.();
      reader.disconnect();
      sub.disconnect();
      // The others drop this instance's members at once rather than after `aliveMs`.
      await client
        .multi()
        .del(aliveKey)
        .publish(PRESENCE, JSON.stringify({ t: 'gone', inst }))
        .exec()
        .catch(() => {});
      await reading;
    },
  };

  const read = async (): Promise<void> => {
    while (!closed) {
      if (followed.size === 0) {
        await new Promise<void>((r) => (wake = r));
        wake = null;
        continue;
      }
      const rooms = [...followed.keys()];
      try {
        readerId ??= Number(await reader.call('CLIENT', 'ID'));
        const res = await reader.xread(
          'COUNT',
          500,
          // Short blocks: a room followed just as a read starts waits at most this long.
          'BLOCK',
          1000,
          'STREAMS',
          ...rooms.map(streamKey),
          ...rooms.map((r) => followed.get(r)!),
        );
        for (const [key, entries] of res ?? []) {
          const room = key.slice(streamKey('').length);
          if (!followed.has(room)) continue;
          for (const [id, fields] of entries) {
            followed.set(room, id);
            store.onMessage(toMessage(room, id, fields));
          }
        }
      } catch {
        // Redis away (ioredis reconnects, with a new client id): try again shortly.
        readerId = null;
        if (!closed) await new Promise((r) => setTimeout(r, 250));
      }
    }
  };
  const reading = read();

  // Presence: this instance's alive key, renewed three times per `aliveMs`; the members of
  // instances whose key ran out (they died) are dropped by the others.
  await client.set(aliveKey, '1', 'PX', aliveMs);
  const beat = setInterval(
    () => {
      fire(client.set(aliveKey, '1', 'PX', aliveMs));
      if (remotes.size === 0) return;
      const list = [...remotes];
      const pipeline = client.pipeline();
      for (const i of list) pipeline.exists(ALIVE + i);
      pipeline.exec().then(
        (res) => {
          list.forEach((i, n) => {
            const [err, alive] = res?.[n] ?? [null, 1];
            if (!err && alive === 0 && remotes.delete(i)) store.onPresence({ t: 'gone', inst: i });
          });
        },
        () => {},
      );
    },
    Math.max(50, aliveMs / 3),
  );
  beat.unref();
  sub.on('message', (_channel: string, raw: string) => {
    let ev: PresenceEvent;
    try {
      ev = JSON.parse(raw) as PresenceEvent;
    } catch {
      return;
    }
    if (ev.inst === inst) return;
    if (ev.t === 'join') remotes.add(ev.inst);
    if (ev.t === 'gone') remotes.delete(ev.inst);
    store.onPresence(ev);
  });
  await sub.subscribe(PRESENCE);
  return store;
}
