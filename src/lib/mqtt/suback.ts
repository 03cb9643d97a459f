// What the broker answered to a SUBSCRIBE, read from the SUBACK packet itself.
//
// mqtt.js 5 calls the subscribe callback as (err, subscriptions, suback). When a return code is a
// failure (0x80 in MQTT 3.1.1, any code >= 0x80 in MQTT 5), `err` is set and `subscriptions` still
// holds the QoS that was *requested*: mqtt.js copies the granted codes into it only on success
// (node_modules/mqtt/build/lib/client.js, subscribe(); handlers/ack.js, case 'suback'). Only the
// packet's `granted` array says what the broker decided, so that is what the lab shows.

import { isFirehose, isRaceTopic } from '../wire/mqtt-topic.ts';

/** The broker's answer to one topic filter of a SUBSCRIBE. */
export type SubackResult =
  /** Accepted, with the maximum QoS the broker will deliver at (0x00-0x02, MQTT 3.1.1 §3.9.3). */
  | { kind: 'granted'; filter: string; requested: number; qos: number }
  /** Refused: 0x80 in MQTT 3.1.1 (§3.9.3), a reason code >= 0x80 in MQTT 5.0 (§3.9.3). */
  | { kind: 'refused'; filter: string; requested: number; code: number }
  /** mqtt.js sent nothing: the client already asked for this filter at this QoS or higher. */
  | { kind: 'not-sent'; filter: string; requested: number }
  /** No SUBACK came (the connection closed, or mqtt.js rejected the filter before sending). */
  | { kind: 'no-answer'; filter: string; requested: number; message: string };

/** Why a refusal happened, as far as the lab can tell. */
export type RefusalReason =
  /** The lab's embedded broker refuses whole-broker wildcards to anonymous clients. */
  | 'acl'
  /** The lab's embedded broker keeps `race/…` to each protocol race's own lanes. */
  | 'race'
  /** MQTT 3.1.1: 0x80 is the only failure code, so the SUBACK cannot say why. */
  | 'v311'
  /** MQTT 5.0: the reason code names the cause. */
  | 'v5';

/** A requested subscription, as passed to mqtt.js. */
export interface SubscriptionAsked {
  topic: string;
  qos: number;
}

/**
 * Reads the broker's answer to each requested filter from what mqtt.js hands the subscribe
 * callback: the error, and the SUBACK packet (`granted` holds one return code per filter, in order
 * [MQTT-3.9.3-1]).
 */
export function readSuback(
  asked: readonly SubscriptionAsked[],
  err: Error | null | undefined,
  suback: { granted?: readonly (number | object)[] } | undefined,
): SubackResult[] {
  const codes = suback?.granted;
  return asked.map(({ topic: filter, qos: requested }, i): SubackResult => {
    const code = codes?.[i];
    if (typeof code === 'number') {
      return code >= 0x80
        ? { kind: 'refused', filter, requested, code }
        : { kind: 'granted', filter, requested, qos: code };
    }
    // mqtt.js answers (null, []) without sending anything when the filter is already held.
    if (!err && !codes) return { kind: 'not-sent', filter, requested };
    return { kind: 'no-answer', filter, requested, message: err?.message ?? 'no SUBACK' };
  });
}

/** Where the refusal came from, given how the lab is connected. */
export function refusalReason(
  filter: string,
  code: number,
  how: { protocolVersion: 4 | 5; embeddedBroker: boolean; anonymous: boolean },
): RefusalReason {
  // server/broker/acl.ts: maySubscribe() refuses `race/…` to all but a race's own lanes, and
  // whole-broker wildcards to anonymous clients.
  if (code === 0x80 && how.embeddedBroker && isRaceTopic(filter)) return 'race';
  if (code === 0x80 && how.embeddedBroker && how.anonymous && isFirehose(filter)) return 'acl';
  return how.protocolVersion === 5 ? 'v5' : 'v311';
}

// The pages show codes without loading the rest of this module (it comes with mqtt.js).
export { hexCode } from './hex-code.ts';
