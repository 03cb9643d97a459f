// Rows of the packet sequence diagram, built from mqtt.js `packetsend` / `packetreceive` events.
import type { Packet } from 'mqtt';
import { hexCode } from './hex-code.ts';

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

// Value types of the MQTT 5.0 properties mqtt.js sends (§2.2.2.2), by mqtt.js's property names.
const PROPERTY_TYPES: Record<
  string,
  'byte' | 'int16' | 'int32' | 'var' | 'string' | 'binary' | 'pair'
> = {
  sessionExpiryInterval: 'int32',
  willDelayInterval: 'int32',
  receiveMaximum: 'int16',
  maximumPacketSize: 'int32',
  topicAliasMaximum: 'int16',
  requestResponseInformation: 'byte',
  requestProblemInformation: 'byte',
  userProperties: 'pair',
  authenticationMethod: 'string',
  authenticationData: 'binary',
  payloadFormatIndicator: 'byte',
  messageExpiryInterval: 'int32',
  contentType: 'string',
  responseTopic: 'string',
  correlationData: 'binary',
  reasonString: 'string',
  topicAlias: 'int16',
  subscriptionIdentifier: 'var',
};

/** Bytes of one property's value (§1.5: integers, Variable Byte Integer, strings, pairs). */
function propertyValueLen(type: string, v: unknown): number {
  switch (type) {
    case 'byte':
      return 1;
    case 'int16':
      return 2;
    case 'int32':
      return 4;
    case 'var':
      return varintLen(v as number);
    case 'string':
      return 2 + utf8Len(v as string);
    case 'binary':
      return 2 + payloadLen(v);
    default:
      return 0;
  }
}

/**
 * Bytes of an MQTT 5.0 property block: its Property Length (a Variable Byte Integer) and each
 * property's identifier byte and value (§2.2.2). A User Property repeats per value (§3.3.2.3.7).
 */
export function propertiesLength(props: Record<string, unknown> | undefined): number {
  let n = 0;
  for (const [name, value] of Object.entries(props ?? {})) {
    const type = PROPERTY_TYPES[name];
    if (type === undefined || value === undefined) continue;
    if (type === 'pair') {
      for (const [k, vs] of Object.entries(value as Record<string, string | string[]>)) {
        for (const v of Array.isArray(vs) ? vs : [vs]) n += 1 + 2 + utf8Len(k) + 2 + utf8Len(v);
      }
    } else {
      n += 1 + propertyValueLen(type, value);
    }
  }
  return varintLen(n) + n;
}

/**
 * Remaining Length of a packet as mqtt.js sends it, in MQTT 3.1.1 (§3) or 5.0 (§3, with reason
 * codes and property blocks), for packets mqtt.js does not measure itself; received packets
 * carry `length` from the parser.
 */
export function remainingLength(p: Packet, version: 4 | 5 = 4): number {
  const q = p as unknown as Record<string, unknown>;
  const v5 = version === 5;
  const props = (key = 'properties') =>
    v5 ? propertiesLength(q[key] as Record<string, unknown> | undefined) : 0;
  switch (p.cmd) {
    case 'connect': {
      let n = 10 + props() + 2 + utf8Len(q['clientId'] as string);
      const will = q['will'] as
        { topic: string; payload: unknown; properties?: Record<string, unknown> } | undefined;
      if (will) {
        if (v5) n += propertiesLength(will.properties);
        n += 2 + utf8Len(will.topic) + 2 + payloadLen(will.payload);
      }
      if (q['username'] !== undefined) n += 2 + utf8Len(q['username'] as string);
      if (q['password'] !== undefined) n += 2 + payloadLen(q['password']);
      return n;
    }
    case 'publish': {
      const qos = (q['qos'] as number) ?? 0;
      return (
        2 + utf8Len(q['topic'] as string) + (qos > 0 ? 2 : 0) + props() + payloadLen(q['payload'])
      );
    }
    case 'subscribe': {
      const subs = (q['subscriptions'] as { topic: string }[]) ?? [];
      return 2 + props() + subs.reduce((n, s) => n + 2 + utf8Len(s.topic) + 1, 0);
    }
    case 'unsubscribe': {
      const subs = (q['unsubscriptions'] as string[]) ?? [];
      return 2 + props() + subs.reduce((n, s) => n + 2 + utf8Len(s), 0);
    }
    case 'puback':
    case 'pubrec':
    case 'pubrel':
    case 'pubcomp': {
      if (!v5) return 2;
      // §3.4.2.1: the reason code and the property length may be left out when 0x00 and empty.
      const hasProps = Object.keys((q['properties'] as object | undefined) ?? {}).length > 0;
      if (hasProps) return 3 + props();
      // mqtt-packet leaves them out only for an explicit 0x00 (mqtt.js always sets one).
      return q['reasonCode'] === 0 ? 2 : 4;
    }
    case 'unsuback':
      return 2;
    case 'connack':
      return 2;
    case 'suback':
      return 2 + ((q['granted'] as number[]) ?? []).length;
    case 'disconnect':
      // §3.14.2: 5.0 sends a reason code and a property block.
      return v5 ? 1 + props() : 0;
    default:
      return 0; // PINGREQ, PINGRESP
  }
}

/** Whole size in bytes of a packet: fixed header byte, Remaining Length bytes, the rest. */
export function packetBytes(p: Packet, version: 4 | 5 = 4): number {
  const given = (p as { length?: number }).length;
  const rest = typeof given === 'number' ? given : remainingLength(p, version);
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
      put('returnCode', q['returnCode']);
      if (typeof q['reasonCode'] === 'number') put('reasonCode', hexCode(q['reasonCode']));
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
        (
          (q['subscriptions'] as {
            topic: string;
            qos: number;
            nl?: boolean;
            rap?: boolean;
            rh?: number;
          }[]) ?? []
        )
          .map((s) => `${s.topic} (QoS ${s.qos}${subscriptionOptions(s)})`)
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
      // 5.0 acknowledgements and DISCONNECT carry a reason code (§2.4).
      if (typeof q['reasonCode'] === 'number') put('reasonCode', hexCode(q['reasonCode']));
  }
  // 5.0 properties, decoded by mqtt.js, one field each (`prop.messageExpiryInterval`).
  const props = q['properties'] as Record<string, unknown> | undefined;
  for (const [name, value] of Object.entries(props ?? {})) put(`prop.${name}`, propertyText(value));
  return out;
}

/** The 5.0 subscription options that differ from the defaults (§3.8.3.1). */
function subscriptionOptions(s: { nl?: boolean; rap?: boolean; rh?: number }): string {
  return `${s.nl ? ', no local' : ''}${s.rap ? ', retain as published' : ''}${s.rh ? `, retain handling ${s.rh}` : ''}`;
}

/** A property value as text: binary data as UTF-8 where it is, else hex. */
function propertyText(value: unknown): unknown {
  if (!(value instanceof Uint8Array)) return value;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(value);
  } catch {
    return [...value].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  }
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

  /** Adds one packet, sent or received in MQTT `version`; returns its row. */
  add(client: string, dir: 'out' | 'in', p: Packet, version: 4 | 5 = 4): PacketRow {
    return this.#push({
      client,
      dir,
      type: p.cmd.toUpperCase(),
      bytes: packetBytes(p, version),
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
