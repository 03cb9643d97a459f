// The chat of a deployment of several lab instances: each room's messages in a Redis stream
// whose entry ids are the message ids (`<id>-0`), so `afterId` means the same on every
// instance; each instance reads the streams of the rooms its clients are in and hands their
// messages to its own members. Rate limits count in Redis, for the whole deployment.
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { ChatMessage } from '../../src/lib/wire/chat.ts';
import type { SharedRedis } from './index.ts';

const streamKey = (room: string): string => `lab:chat:room:${room}`;
const keysKey = (room: string): string => `lab:chat:keys:${room}`;

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

// Fixed one-second windows per key: true while every key is within its limit. The same visitor
// on two instances shares one count.
const ADMIT = `
for i, key in ipairs(KEYS) do
  local n = redis.call('INCR', key)
  if n == 1 then redis.call('PEXPIRE', key, 1000) end
  if n > tonumber(ARGV[i]) then return 0 end
end
return 1`;

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

/** Starts this instance's part of the deployment's chat. */
export async function shareChat(redis: SharedRedis): Promise<ChatStore> {
  const { client } = redis;
  await client.set('lab:chat:boot', randomBytes(6).toString('hex'), 'NX');
  const bootId = (await client.get('lab:chat:boot')) ?? 'unknown';

  // Rooms read, with the id of the last entry read in each.
  const followed = new Map<string, string>();
  const pending = new Map<string, Promise<void>>();
  const reader: Redis = redis.connection();
  let readerId: number | null = null;
  let closed = false;
  let wake: (() => void) | null = null;

  const store: ChatStore = {
    bootId,
    instance: redis.instanceId.slice(0, 8),
    onMessage: () => {},
    async admit(limits) {
      if (limits.length === 0) return true;
      const ok = await client.eval(
        ADMIT,
        limits.length,
        ...limits.map(([k]) => `lab:chat:rate:${k}`),
        ...limits.map(([, n]) => String(n)),
      );
      return ok === 1;
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
      wake?.();
      reader.disconnect();
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
  return store;
}
