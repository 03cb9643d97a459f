// The selection quiz's questions and its scoring table. Each answer adds weighted reasons for or
// against transports; every reason points at a row of the comparison table (src/lib/compare/table.ts),
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

/** One weighted reason: a transport, a weight (+ for, − against) and the table row behind it. */
export type Effect = readonly [transport: Transport, weight: number, row: string];

// Weights run from −6 (rules a transport out) to +4. The table row named in each effect holds the
// verdict that justifies it; the tests check that every row exists.
/** What each answer adds to each transport's score. */
export const SCORING: Record<AnswerKey, readonly Effect[]> = {
  'who.people': [
    ['websocket', 3, 'use-cases'],
    ['sse', -1, 'direction'],
    ['short-polling', -1, 'direction'],
    ['mqtt', -1, 'use-cases'],
  ],
  'who.viewers': [
    ['sse', 2, 'use-cases'],
    ['long-polling', 1, 'direction'],
    ['short-polling', 1, 'use-cases'],
  ],
  'who.machines': [
    ['mqtt', 3, 'use-cases'],
    ['mqtt-ws', 1, 'use-cases'],
    ['sse', -1, 'direction'],
  ],
  'clients.browser': [
    ['mqtt', -10, 'browser'],
    ['mqtt-ws', -1, 'browser'],
    ['short-polling', 1, 'browser'],
    ['long-polling', 1, 'browser'],
    ['sse', 1, 'browser'],
    ['websocket', 1, 'browser'],
  ],
  'clients.devices': [
    ['mqtt', 2, 'transport'],
    ['mqtt-ws', -2, 'overhead'],
  ],
  'clients.both': [
    ['mqtt', 2, 'fanout'],
    ['mqtt-ws', 2, 'fanout'],
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
    ['sse', -2, 'routing'],
  ],
  'loss.latest': [['short-polling', 2, 'reliability']],
  'loss.live': [
    ['sse', 1, 'reliability'],
    ['websocket', 1, 'reliability'],
    ['mqtt', 1, 'reliability'],
    ['mqtt-ws', 1, 'reliability'],
  ],
  'loss.offline': [
    ['mqtt', 3, 'delivery'],
    ['mqtt-ws', 2, 'delivery'],
    ['sse', 1, 'resume'],
    ['websocket', -2, 'delivery'],
    ['short-polling', -1, 'delivery'],
  ],
  'count.few': [
    ['short-polling', 1, 'scalability'],
    ['long-polling', 1, 'scalability'],
  ],
  'count.many': [
    ['sse', 1, 'scalability'],
    ['websocket', 1, 'scalability'],
    ['short-polling', -1, 'scalability'],
  ],
  'count.huge': [
    ['mqtt', 3, 'scalability'],
    ['mqtt-ws', 2, 'scalability'],
    ['short-polling', -3, 'scalability'],
    ['long-polling', -2, 'scalability'],
  ],
  'rate.rare': [
    ['short-polling', 2, 'resources'],
    ['long-polling', 2, 'overhead'],
    ['websocket', -1, 'resources'],
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
  'latency.instant': [
    ['short-polling', -3, 'direction'],
    ['long-polling', 1, 'direction'],
  ],
  'latency.relaxed': [['short-polling', 3, 'use-cases']],
  'size.small': [
    ['mqtt', 1, 'overhead'],
    ['mqtt-ws', 1, 'overhead'],
    ['websocket', 1, 'overhead'],
  ],
  'size.large': [
    ['sse', -2, 'transport'],
    ['short-polling', 1, 'fanout'],
  ],
  'net.good': [],
  'net.mobile': [
    ['mqtt', 2, 'low-bandwidth'],
    ['mqtt-ws', 2, 'low-bandwidth'],
    ['sse', 1, 'low-bandwidth'],
    ['short-polling', -1, 'low-bandwidth'],
    ['long-polling', -1, 'low-bandwidth'],
    ['websocket', -1, 'low-bandwidth'],
  ],
  'net.constrained': [
    ['mqtt', 4, 'low-bandwidth'],
    ['mqtt-ws', 1, 'overhead'],
    ['short-polling', -3, 'overhead'],
    ['long-polling', -2, 'low-bandwidth'],
    ['websocket', -1, 'low-bandwidth'],
    ['sse', -1, 'transport'],
  ],
  'infra.open': [],
  'infra.proxy': [
    ['long-polling', 3, 'proxies'],
    ['short-polling', 2, 'proxies'],
    ['sse', -5, 'proxies'],
    ['websocket', -10, 'proxies'],
    ['mqtt-ws', -10, 'proxies'],
    ['mqtt', -10, 'proxies'],
  ],
  'infra.serverless': [
    ['short-polling', 3, 'proxies'],
    ['long-polling', -1, 'proxies'],
    ['sse', -2, 'proxies'],
    ['websocket', -4, 'proxies'],
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
    ['websocket', 1, 'routing'],
    ['sse', 1, 'fanout'],
  ],
  'team.broker': [
    ['mqtt', 3, 'fanout'],
    ['mqtt-ws', 4, 'fanout'],
  ],
};
