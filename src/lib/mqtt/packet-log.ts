// Rows of the packet sequence diagram, built from mqtt.js `packetsend` / `packetreceive` events.
import type { Packet } from 'mqtt';

/** One packet on the wire, as the diagram shows it. */
export interface PacketRow {
  seq: number;
  /** Milliseconds since the log started. */
  t: number;
  /** Which lab client saw it. */
  client: string;
  dir: 'out' | 'in';
  /** Upper-case packet name: PUBLISH, PUBACK, … */
  type: string;
  /** Whole packet size in bytes (fixed header included). */
  bytes: number;
  /** The fields worth showing, as text. */
  fields: Record<string, string>;
  ping: boolean;
  /** A SUBACK's failure return codes (0x80 in MQTT 3.1.1 §3.9.3); empty for any other packet. */
  refused: number[];
  /** No packet: the connection closed here (how a 3.1.1 broker ends a session takeover). */
  closed?: true;
}

/** A SUBACK's return codes, failures (>= 0x80) in hex as the spec writes them: `1, 0x80`. */
function returnCodes(granted: readonly unknown[]): string {
  return granted
    .map((g) => (typeof g === 'number' && g >= 0x80 ? `0x${g.toString(16).toUpperCase()}` : g))
    .join(', ');
}

function varintLen(n: number): number {
  return n < 128 ? 1 : n < 16384 ? 2 : n < 2097152 ? 3 : 4;
}

function utf8Len(s: string | undefined): number {
  return s === undefined ? 0 : new TextEncoder().encode(s).length;
}

function payloadLen(p: unknown): number {
  if (p === undefined || p === null) return 0;
  if (typeof p === 'string') return utf8Len(p);
  return (p as Uint8Array).byteLength;
}

/**
 * Remaining Length of an MQTT 3.1.1 packet as mqtt.js sends it (§3), for packets mqtt.js does
 * not measure itself; received packets carry `length` from the parser.
 */
export function remainingLength(p: Packet): number {
  const q = p as unknown as Record<string, unknown>;
  switch (p.cmd) {
    case 'connect': {
      let n = 10 + 2 + utf8Len(q['clientId'] as string);
      const will = q['will'] as { topic: string; payload: unknown } | undefined;
      if (will) n += 2 + utf8Len(will.topic) + 2 + payloadLen(will.payload);
      if (q['username'] !== undefined) n += 2 + utf8Len(q['username'] as string);
      if (q['password'] !== undefined) n += 2 + payloadLen(q['password']);
      return n;
    }
    case 'publish': {
      const qos = (q['qos'] as number) ?? 0;
      return 2 + utf8Len(q['topic'] as string) + (qos > 0 ? 2 : 0) + payloadLen(q['payload']);
    }
    case 'subscribe': {
      const subs = (q['subscriptions'] as { topic: string }[]) ?? [];
      return 2 + subs.reduce((n, s) => n + 2 + utf8Len(s.topic) + 1, 0);
    }
    case 'unsubscribe': {
      const subs = (q['unsubscriptions'] as string[]) ?? [];
      return 2 + subs.reduce((n, s) => n + 2 + utf8Len(s), 0);
    }
    case 'puback':
    case 'pubrec':
    case 'pubrel':
    case 'pubcomp':
    case 'unsuback':
      return 2;
    case 'connack':
      return 2;
    case 'suback':
      return 2 + ((q['granted'] as number[]) ?? []).length;
    default:
      return 0; // PINGREQ, PINGRESP, DISCONNECT
  }
}

/** Whole size in bytes of a packet: fixed header byte, Remaining Length bytes, the rest. */
export function packetBytes(p: Packet): number {
  const given = (p as { length?: number }).length;
  const rest = typeof given === 'number' ? given : remainingLength(p);
  return 1 + varintLen(rest) + rest;
}

/** The fields of a packet shown when its row is opened. */
export function packetFields(p: Packet): Record<string, string> {
  const q = p as unknown as Record<string, unknown>;
  const out: Record<string, string> = {};
  const put = (k: string, v: unknown) => {
    if (v === undefined || v === null) return;
    out[k] = typeof v === 'string' ? v : JSON.stringify(v);
  };
  switch (p.cmd) {
    case 'connect':
      put('clientId', q['clientId']);
      put('clean', q['clean']);
      put('keepalive', q['keepalive']);
      put('protocolVersion', q['protocolVersion']);
      put('username', q['username']);
      if (q['will']) put('will.topic', (q['will'] as { topic: string }).topic);
      break;
    case 'connack':
      put('sessionPresent', q['sessionPresent']);
      put('returnCode', q['returnCode'] ?? q['reasonCode']);
      break;
    case 'publish':
      put('topic', q['topic']);
      put('qos', q['qos']);
      put('retain', q['retain']);
      put('dup', q['dup']);
      put('messageId', q['messageId']);
      put('payloadBytes', payloadLen(q['payload']));
      break;
    case 'subscribe':
      put(
        'subscriptions',
        ((q['subscriptions'] as { topic: string; qos: number }[]) ?? [])
          .map((s) => `${s.topic} (QoS ${s.qos})`)
          .join(', '),
      );
      put('messageId', q['messageId']);
      break;
    case 'suback':
      put('granted', returnCodes((q['granted'] as number[]) ?? []));
      put('messageId', q['messageId']);
      break;
    case 'unsubscribe':
      put('unsubscriptions', ((q['unsubscriptions'] as string[]) ?? []).join(', '));
      put('messageId', q['messageId']);
      break;
    default:
      put('messageId', q['messageId']);
  }
  return out;
}

/** Turns packets into diagram rows, keeping at most `limit` (the oldest go first). */
export class PacketLog {
  rows: PacketRow[] = [];
  #seq = 0;
  readonly #start: number;
  readonly #limit: number;
  readonly #now: () => number;

  constructor(now: () => number = () => Date.now(), limit = 400) {
    this.#now = now;
    this.#start = now();
    this.#limit = limit;
  }

  /** Adds one packet; returns its row. */
  add(client: string, dir: 'out' | 'in', p: Packet): PacketRow {
    return this.#push({
      client,
      dir,
      type: p.cmd.toUpperCase(),
      bytes: packetBytes(p),
      fields: packetFields(p),
      ping: p.cmd === 'pingreq' || p.cmd === 'pingresp',
      refused:
        p.cmd === 'suback'
          ? (p.granted as readonly unknown[]).filter(
              (g): g is number => typeof g === 'number' && g >= 0x80,
            )
          : [],
    });
  }

  /** Marks that the broker closed a client's connection without sending it a packet. */
  closed(client: string): PacketRow {
    return this.#push({
      client,
      dir: 'in',
      type: '',
      bytes: 0,
      fields: {},
      ping: false,
      refused: [],
      closed: true,
    });
  }

  #push(fields: Omit<PacketRow, 'seq' | 't'>): PacketRow {
    const row: PacketRow = { seq: ++this.#seq, t: this.#now() - this.#start, ...fields };
    this.rows.push(row);
    if (this.rows.length > this.#limit) this.rows.splice(0, this.rows.length - this.#limit);
    return row;
  }
}
