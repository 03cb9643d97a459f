// Pure scoring of the selection quiz: answers in, a ranked, reasoned recommendation out. No DOM,
// no state: the quiz island and the unit tests call the same functions.

import { TRANSPORTS, type Transport } from '../compare/table.ts';
import {
  OUT,
  QUESTION_IDS,
  QUESTIONS,
  SCORING,
  type AnswerKey,
  type Answers,
  type OptionOf,
  type QuestionId,
  type Weight,
} from './questions.ts';

/** One reason from the learner's answers: which answer moved which transport, by how much, why. */
export interface Reason {
  question: QuestionId;
  answer: string;
  transport: Transport;
  /** A whole number, or `'out'` when the answer rules the transport out. */
  weight: Weight;
  /** The comparison-table row whose cell explains the reason. */
  row: string;
}

/** One transport's place in the ranking. */
export interface Ranked {
  transport: Transport;
  /** The sum of the numeric weights. */
  score: number;
  /** Ruled out by at least one answer: ranked after every transport that is not. */
  out: boolean;
  reasons: Reason[];
}

/** The picks shown to the learner: more than one transport in a group is a tie. */
export interface Picks {
  /** Every transport not ruled out that shares the best score. */
  top: Transport[];
  /** Every transport not ruled out that shares the next score (empty if none is left). */
  runnerUp: Transport[];
}

/** A result made of two parts, each doing what it is good at. */
export interface Combination {
  kind: 'devices-and-browsers' | 'feed-and-writes';
  parts: readonly [Transport, Transport | 'http'];
}

/** One answer given differently. */
export interface Swap {
  question: QuestionId;
  from: string;
  to: string;
}

/** Answers that, given instead of the learner's, would change the top pick. */
export interface Change {
  swaps: Swap[];
  /** The top pick those answers would give (more than one is a tie). */
  top: Transport[];
}

/** What the quiz tells the learner. */
export interface Recommendation extends Picks {
  answered: number;
  complete: boolean;
  ranking: Ranked[];
  combination: Combination | null;
  changes: Change[];
}

/** The answer to one question, if it is a valid answer for that question. */
export function answerOf<Q extends QuestionId>(answers: Answers, q: Q): OptionOf<Q> | undefined {
  const a = answers[q] as string | undefined;
  return a !== undefined && (QUESTIONS[q] as readonly string[]).includes(a)
    ? (a as OptionOf<Q>)
    : undefined;
}

/**
 * Ranks all six transports: those ruled out last, then by the sum of their weighted reasons; ties
 * keep the table's order.
 */
export function rank(answers: Answers): Ranked[] {
  const byTransport = new Map<Transport, Ranked>(
    TRANSPORTS.map((t) => [t, { transport: t, score: 0, out: false, reasons: [] }]),
  );
  for (const q of QUESTION_IDS) {
    const answer = answerOf(answers, q);
    if (answer === undefined) continue;
    for (const [transport, weight, row] of SCORING[`${q}.${answer}` as AnswerKey]) {
      const entry = byTransport.get(transport);
      if (!entry) continue;
      if (weight === OUT) entry.out = true;
      else entry.score += weight;
      entry.reasons.push({ question: q, answer, transport, weight, row });
    }
  }
  const order = (t: Transport) => TRANSPORTS.indexOf(t);
  return [...byTransport.values()].sort(
    (a, b) =>
      Number(a.out) - Number(b.out) || b.score - a.score || order(a.transport) - order(b.transport),
  );
}

/** The top pick and the runner-up, each a group of every transport sharing its score. */
export function picksOf(entries: readonly Pick<Ranked, 'transport' | 'score' | 'out'>[]): Picks {
  let best = -Infinity;
  let next = -Infinity;
  for (const e of entries) {
    if (e.out) continue;
    if (e.score > best) {
      next = best;
      best = e.score;
    } else if (e.score < best && e.score > next) next = e.score;
  }
  const top: Transport[] = [];
  const runnerUp: Transport[] = [];
  for (const e of entries) {
    if (e.out) continue;
    if (e.score === best) top.push(e.transport);
    else if (e.score === next) runnerUp.push(e.transport);
  }
  return { top, runnerUp };
}

function sameGroup(a: readonly Transport[], b: readonly Transport[]): boolean {
  return a.length === b.length && a.every((t) => b.includes(t));
}

/** The combination that fits better than the top pick alone, if any. */
export function combinationFor(top: Transport, answers: Answers): Combination | null {
  const clients = answerOf(answers, 'clients');
  const dir = answerOf(answers, 'dir');
  // One broker serves both: devices on TCP, browsers over WebSocket (MQTT 3.1.1 §6).
  if ((top === 'mqtt' || top === 'mqtt-ws') && clients === 'both')
    return { kind: 'devices-and-browsers', parts: ['mqtt', 'mqtt-ws'] };
  // A one-way feed plus ordinary requests for the writes: EventSource cannot send (HTML §9.2).
  if ((top === 'sse' || top === 'long-polling') && (dir === 'mostly-down' || dir === 'both'))
    return { kind: 'feed-and-writes', parts: [top, 'http'] };
  return null;
}

/** The combination every transport of a (possibly tied) top pick agrees on, if any. */
function combinationOf(top: readonly Transport[], answers: Answers): Combination | null {
  const each = top.map((t) => combinationFor(t, answers));
  const kind = each[0]?.kind;
  return kind !== undefined && each.every((c) => c?.kind === kind) ? (each[0] ?? null) : null;
}

function alternatives(answers: Answers): Swap[] {
  const swaps: Swap[] = [];
  for (const q of QUESTION_IDS) {
    const current = answerOf(answers, q);
    if (current === undefined) continue;
    for (const option of QUESTIONS[q])
      if (option !== current) swaps.push({ question: q, from: current, to: option });
  }
  return swaps;
}

function apply(answers: Answers, swaps: readonly Swap[]): Answers {
  const next: Record<string, string> = { ...answers };
  for (const s of swaps) next[s.question] = s.to;
  return next;
}

/**
 * The answers that would give a different top pick: every single changed answer that does, or,
 * when no single answer is enough, every pair of changed answers that does (in question order).
 */
export function changesOfPick(answers: Answers): Change[] {
  const top = picksOf(rank(answers)).top;
  const options = alternatives(answers);
  const changes: Change[] = [];
  for (const swap of options) {
    const other = picksOf(rank(apply(answers, [swap]))).top;
    if (!sameGroup(other, top)) changes.push({ swaps: [swap], top: other });
  }
  if (changes.length > 0) return changes;
  for (let i = 0; i < options.length; i++) {
    for (let j = i + 1; j < options.length; j++) {
      const a = options[i]!;
      const b = options[j]!;
      if (a.question === b.question) continue;
      const other = picksOf(rank(apply(answers, [a, b]))).top;
      if (!sameGroup(other, top)) changes.push({ swaps: [a, b], top: other });
    }
  }
  return changes;
}

/** The full recommendation for a set of answers. */
export function recommend(answers: Answers): Recommendation {
  const ranking = rank(answers);
  const picks = picksOf(ranking);
  const answered = QUESTION_IDS.filter((q) => answerOf(answers, q) !== undefined).length;
  return {
    answered,
    complete: answered === QUESTION_IDS.length,
    ranking,
    ...picks,
    combination: combinationOf(picks.top, answers),
    changes: changesOfPick(answers),
  };
}

/** Reads answers from a query string (`?who=people&dir=both`), ignoring anything invalid. */
export function parseAnswers(search: string): Answers {
  const params = new URLSearchParams(search);
  const answers: Record<string, string> = {};
  for (const q of QUESTION_IDS) {
    const value = params.get(q);
    if (value !== null && (QUESTIONS[q] as readonly string[]).includes(value)) answers[q] = value;
  }
  return answers;
}

/** Writes answers into a query string (without `?`), keeping unrelated parameters. */
export function serializeAnswers(answers: Answers, search = ''): string {
  const params = new URLSearchParams(search);
  for (const q of QUESTION_IDS) {
    params.delete(q);
    const a = answerOf(answers, q);
    if (a !== undefined) params.set(q, a);
  }
  return params.toString();
}
