// The selection quiz's questions and its scoring table. Each answer adds weighted reasons for or
// against transports; every reason points at a row of the comparison table (content/compare/<id>.yaml),
// whose cell supplies the explanation and the demo link, so the quiz and the table cannot disagree.
//
// The guide's checklist (subset per client, browser-native, many connections, no message loss,
// limited server resources, people chatting) is covered, plus what it misses: direction, latency,
// rate and size, network quality, infrastructure (proxies, serverless, HTTP/1.1) and devices.

import type { Transport } from '../compare/table.ts';

/** Question ids (also the URL parameter names) and their answer ids, in quiz order. */
export const QUESTIONS = {
  who: ['people', 'viewers', 'machines'],
  clients: ['browser', 'devices', 'both'],
  dir: ['down', 'mostly-down', 'up', 'both'],
  subset: ['all', 'subset'],
  loss: ['latest', 'live', 'offline'],
  count: ['few', 'many', 'huge'],
  rate: ['rare', 'steady', 'high'],
  latency: ['instant', 'relaxed'],
  size: ['small', 'large'],
  net: ['good', 'mobile', 'constrained'],
  infra: ['open', 'proxy', 'serverless', 'http1'],
  team: ['minimal', 'service', 'broker'],
} as const;

/** A question id. */
export type QuestionId = keyof typeof QUESTIONS;
/** The answers of one question. */
export type OptionOf<Q extends QuestionId> = (typeof QUESTIONS)[Q][number];
/** `question.answer`, e.g. `who.people`. */
export type AnswerKey = { [Q in QuestionId]: `${Q}.${OptionOf<Q>}` }[QuestionId];
/** The learner's answers so far. */
export type Answers = { [Q in QuestionId]?: OptionOf<Q> };

/** Question ids in quiz order. */
export const QUESTION_IDS = Object.keys(QUESTIONS) as QuestionId[];

/** The weight of a reason that rules a transport out: it cannot work at all for this answer. */
export const OUT = 'out';
/** How much one reason moves a transport: a whole number in {@link WEIGHT_RANGE}, or {@link OUT}. */
export type Weight = number | typeof OUT;

/** The smallest and largest numeric weight of a reason (zero is never used). */
export const WEIGHT_RANGE = [-4, 4] as const;

/** One weighted reason: a transport, a weight (+ for, − against, or out) and the table row behind it. */
export type Effect = readonly [transport: Transport, weight: Weight, row: string];

// Weights are whole numbers from −4 to +4 (WEIGHT_RANGE). A transport that cannot work at all for
// an answer (a page cannot open raw TCP; a proxy that blocks Upgrade) is ruled out with OUT rather
// than with a large negative weight, which other answers could outvote. The table row named in each
// effect holds the verdict that justifies it, and each transport takes a given row from one question
// only, so a reason is never counted (or shown) twice. tests/unit/lib/quiz-invariants.test.ts checks
// all of this, and the chapters' verdicts, on every complete answer set.
/** What each answer adds to each transport's score. */
export const SCORING: Record<AnswerKey, readonly Effect[]> = {
  'who.people': [
    ['websocket', 3, 'use-cases'],
    ['sse', -1, 'use-cases'],
    ['short-polling', -1, 'use-cases'],
    ['mqtt', -4, 'use-cases'],
    ['mqtt-ws', -4, 'use-cases'],
  ],
  'who.viewers': [
    ['sse', 2, 'use-cases'],
    ['short-polling', 1, 'use-cases'],
    ['mqtt-ws', 2, 'use-cases'],
  ],
  'who.machines': [
    ['mqtt', 3, 'use-cases'],
    ['mqtt-ws', 1, 'use-cases'],
    ['sse', -1, 'use-cases'],
  ],
  // A page cannot open a raw TCP socket: MQTT over TCP is out for browsers.
  'clients.browser': [
    ['mqtt', OUT, 'browser'],
    ['mqtt-ws', -1, 'browser'],
    ['short-polling', 1, 'browser'],
    ['long-polling', 1, 'browser'],
    ['sse', 1, 'browser'],
    ['websocket', 1, 'browser'],
  ],
  'clients.devices': [
    ['mqtt', 2, 'transport'],
    ['mqtt-ws', -2, 'model'],
  ],
  // One broker serves both: devices over TCP, browsers over WebSocket (MQTT 3.1.1 §6).
  'clients.both': [
    ['mqtt', 2, 'model'],
    ['mqtt-ws', 2, 'model'],
  ],
  'dir.down': [
    ['sse', 3, 'direction'],
    ['long-polling', 1, 'direction'],
  ],
  'dir.mostly-down': [
    ['sse', 2, 'direction'],
    ['long-polling', 1, 'direction'],
    ['websocket', 1, 'direction'],
    ['mqtt', 1, 'direction'],
    ['mqtt-ws', 1, 'direction'],
  ],
  'dir.up': [
    ['mqtt', 2, 'direction'],
    ['mqtt-ws', 1, 'direction'],
    ['websocket', 1, 'direction'],
    ['sse', -3, 'direction'],
    ['long-polling', -1, 'direction'],
  ],
  'dir.both': [
    ['websocket', 3, 'direction'],
    ['mqtt', 1, 'direction'],
    ['mqtt-ws', 1, 'direction'],
    ['sse', -2, 'direction'],
    ['short-polling', -2, 'direction'],
    ['long-polling', -2, 'direction'],
  ],
  'subset.all': [
    ['sse', 1, 'routing'],
    ['short-polling', 1, 'fanout'],
  ],
  'subset.subset': [
    ['mqtt', 2, 'routing'],
    ['mqtt-ws', 2, 'routing'],
    ['websocket', -1, 'routing'],
    ['sse', -1, 'routing'],
  ],
  'loss.latest': [['short-polling', 2, 'reliability']],
  'loss.live': [
    ['sse', 1, 'reliability'],
    ['websocket', 1, 'reliability'],
    ['mqtt', 1, 'reliability'],
    ['mqtt-ws', 1, 'reliability'],
  ],
  // The table rates the three HTTP techniques alike here (a server-side buffer and an id or a
  // cursor), and MQTT alike over both transports (a persistent session).
  'loss.offline': [
    ['mqtt', 1, 'delivery'],
    ['mqtt-ws', 1, 'delivery'],
    ['websocket', -1, 'delivery'],
  ],
  // Every long-lived technique holds one connection per client: the count cannot favour one of
  // them (the guide's error 5). Only polling's request rate grows with it.
  'count.few': [
    ['short-polling', 1, 'scalability'],
    ['long-polling', 1, 'scalability'],
  ],
  'count.many': [['short-polling', -1, 'scalability']],
  'count.huge': [
    ['short-polling', -3, 'scalability'],
    ['long-polling', -1, 'typical-scale'],
  ],
  'rate.rare': [
    ['short-polling', 2, 'resources'],
    ['long-polling', 2, 'overhead'],
  ],
  'rate.steady': [
    ['sse', 1, 'overhead'],
    ['websocket', 1, 'overhead'],
    ['mqtt', 1, 'overhead'],
    ['mqtt-ws', 1, 'overhead'],
    ['short-polling', -1, 'overhead'],
  ],
  'rate.high': [
    ['websocket', 2, 'overhead'],
    ['mqtt', 2, 'overhead'],
    ['mqtt-ws', 1, 'overhead'],
    ['sse', 1, 'overhead'],
    ['short-polling', -3, 'overhead'],
    ['long-polling', -2, 'overhead'],
  ],
  'latency.instant': [['short-polling', -3, 'model']],
  'latency.relaxed': [['short-polling', 3, 'model']],
  'size.small': [],
  'size.large': [['sse', -2, 'transport']],
  'net.good': [],
  // In a browser, MQTT over WebSocket and WebSocket ride the same connection: the network cannot
  // favour one over the other.
  'net.mobile': [
    ['mqtt', 2, 'low-bandwidth'],
    ['sse', 1, 'reconnect'],
    ['short-polling', -1, 'low-bandwidth'],
    ['long-polling', -1, 'low-bandwidth'],
  ],
  'net.constrained': [
    ['mqtt', 4, 'low-bandwidth'],
    ['short-polling', -3, 'low-bandwidth'],
    ['long-polling', -2, 'low-bandwidth'],
    ['websocket', -1, 'low-bandwidth'],
    ['sse', -1, 'low-bandwidth'],
    // MQTT's bytes inside WebSocket frames: always more than WebSocket alone (MQTT 3.1.1 §6).
    ['mqtt-ws', -2, 'transport'],
  ],
  'infra.open': [],
  // Upgrades are blocked, so nothing on WebSocket gets through; MQTT's own port does not either;
  // a buffered event stream arrives in lumps (RFC 6202 §5.1). Plain requests get through.
  'infra.proxy': [
    ['long-polling', 3, 'use-cases'],
    ['short-polling', 2, 'proxies'],
    ['sse', OUT, 'proxies'],
    ['websocket', OUT, 'proxies'],
    ['mqtt-ws', OUT, 'proxies'],
    ['mqtt', OUT, 'proxies'],
  ],
  'infra.serverless': [
    ['short-polling', 3, 'proxies'],
    ['long-polling', -1, 'proxies'],
    ['sse', -2, 'proxies'],
    ['websocket', -4, 'proxies'],
    ['mqtt-ws', -4, 'proxies'],
  ],
  'infra.http1': [
    ['sse', -2, 'proxies'],
    ['long-polling', -1, 'proxies'],
  ],
  'team.minimal': [
    ['short-polling', 2, 'tooling'],
    ['long-polling', 1, 'tooling'],
    ['sse', 1, 'tooling'],
    ['websocket', -1, 'reconnect'],
    ['mqtt', -1, 'resources'],
    ['mqtt-ws', -1, 'resources'],
  ],
  'team.service': [
    ['websocket', 1, 'fanout'],
    ['sse', 1, 'fanout'],
  ],
  'team.broker': [
    ['mqtt', 3, 'fanout'],
    ['mqtt-ws', 3, 'fanout'],
  ],
};
