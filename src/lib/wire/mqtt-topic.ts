// MQTT 3.1.1 §4.7 topic names and topic filters, shared by the broker and the lab.

/** Why a topic filter (SUBSCRIBE) or topic name (PUBLISH) is invalid, as a spec rule. */
export type TopicProblem =
  | 'empty' // [MQTT-4.7.3-1]
  | 'too-long' // [MQTT-4.7.3-3] at most 65,535 bytes of UTF-8
  | 'null-char' // [MQTT-4.7.3-2]
  | 'hash-not-last' // [MQTT-4.7.1-2] '#' must be the last character
  | 'hash-not-alone' // [MQTT-4.7.1-2] '#' must occupy a whole level
  | 'plus-not-alone' // [MQTT-4.7.1-3] '+' must occupy a whole level
  | 'wildcard-in-name'; // [MQTT-3.3.2-2] no wildcards in a PUBLISH topic name

/** A problem and the spec rule it breaks. */
export interface TopicCheck {
  problem: TopicProblem;
  rule: string;
  /** Index of the offending level (0-based), when there is one. */
  level?: number;
}

const RULES: Record<TopicProblem, string> = {
  empty: 'MQTT-4.7.3-1',
  'too-long': 'MQTT-4.7.3-3',
  'null-char': 'MQTT-4.7.3-2',
  'hash-not-last': 'MQTT-4.7.1-2',
  'hash-not-alone': 'MQTT-4.7.1-2',
  'plus-not-alone': 'MQTT-4.7.1-3',
  'wildcard-in-name': 'MQTT-3.3.2-2',
};

function problem(p: TopicProblem, level?: number): TopicCheck {
  return level === undefined
    ? { problem: p, rule: RULES[p] }
    : { problem: p, rule: RULES[p], level };
}

function common(topic: string): TopicCheck | null {
  if (topic.length === 0) return problem('empty');
  if (topic.includes('\u0000')) return problem('null-char');
  if (new TextEncoder().encode(topic).length > 65535) return problem('too-long');
  return null;
}

/** Checks a SUBSCRIBE topic filter; null when it is valid. */
export function checkTopicFilter(filter: string): TopicCheck | null {
  const base = common(filter);
  if (base) return base;
  const levels = filter.split('/');
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i]!;
    if (level.includes('#')) {
      if (level !== '#') return problem('hash-not-alone', i);
      if (i !== levels.length - 1) return problem('hash-not-last', i);
    }
    if (level.includes('+') && level !== '+') return problem('plus-not-alone', i);
  }
  return null;
}

/** Checks a PUBLISH topic name; null when it is valid. */
export function checkTopicName(name: string): TopicCheck | null {
  const base = common(name);
  if (base) return base;
  const levels = name.split('/');
  const bad = levels.findIndex((l) => l.includes('+') || l.includes('#'));
  return bad >= 0 ? problem('wildcard-in-name', bad) : null;
}

/**
 * Does `topic` (a topic name) match `filter`? Assumes both are valid.
 * A filter starting with a wildcard never matches a name starting with `$` [MQTT-4.7.2-1];
 * `#` also matches the parent level ("sport/#" matches "sport") [MQTT-4.7.1-2];
 * empty levels are levels ("a//b" has three, §4.7.3).
 */
export function topicMatches(filter: string, topic: string): boolean {
  if (topic.startsWith('$') && (filter.startsWith('+') || filter.startsWith('#'))) return false;
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    const level = f[i]!;
    if (level === '#') return true;
    if (i >= t.length) return false;
    if (level !== '+' && level !== t[i]) return false;
  }
  return f.length === t.length;
}

/** Number of levels in a topic name or filter ("a/b/c" has 3, "/" has 2). */
export function topicLevels(topic: string): number {
  let n = 1;
  for (let i = 0; i < topic.length; i++) if (topic.charCodeAt(i) === 47) n++;
  return n;
}

/**
 * A filter made only of wildcards and ending in `#` (`#`, `+/#`, `+/+/#`) receives every topic
 * with enough levels: a firehose of the whole broker, which the lab's broker refuses to anonymous
 * clients (server/broker/acl.ts), and which the lab explains when the SUBACK says 0x80.
 */
export function isFirehose(filter: string): boolean {
  const levels = filter.split('/');
  return levels[levels.length - 1] === '#' && levels.every((l) => l === '+' || l === '#');
}

/**
 * A topic or filter under `race/`: each protocol race's private stream, which the lab's broker
 * lets only that race's lanes read (server/broker/acl.ts).
 */
export function isRaceTopic(topic: string): boolean {
  return topic === 'race' || topic.startsWith('race/');
}
