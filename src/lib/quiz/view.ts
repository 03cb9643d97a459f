// The selection quiz's result in words, in the page's locale: each text and link the quiz island
// shows is worked out by one of these functions, so that its components only render. No DOM, no
// state.

import { chapterHref } from '../chapter-links.ts';
import { TRANSPORT_CHAPTER, type Transport } from '../compare/table.ts';
import type { CitedRow } from '../compare/view.ts';
import type { Locale } from '../i18n/index.ts';
import type { QuizT } from '../i18n/quiz.ts';
import { OUT, QUESTION_IDS, type AnswerKey, type QuestionId } from './questions.ts';
import type { Change, Combination, Reason, Recommendation } from './score.ts';

/** What the quiz's words come from: the page's locale, its strings, column names and cited rows. */
export interface QuizWords {
  locale: Locale;
  t: QuizT;
  names: Record<Transport, string>;
  /** The comparison-table rows the reasons cite, by id. */
  rows: Readonly<Record<string, CitedRow>>;
}

/** The label of one answer to one question. */
export function answerText(w: QuizWords, question: QuestionId, answer: string): string {
  return w.t(`a.${question}.${answer}` as `a.${AnswerKey}`);
}

/** One name, or every tied name joined and marked as a tie. */
export function groupText(w: QuizWords, group: readonly Transport[]): string {
  if (group.length === 1) return w.names[group[0]!];
  const names = new Intl.ListFormat(w.locale, { type: 'conjunction' });
  return w.t('tie', { names: names.format(group.map((tr) => w.names[tr])) });
}

/** The live summary: the pick and the runner-up once every question is answered, else what is left. */
export function summaryText(w: QuizWords, result: Recommendation): string {
  const total = QUESTION_IDS.length;
  if (!result.complete) return w.t('incomplete', { total, left: total - result.answered });
  const top = groupText(w, result.top);
  if (result.runnerUp.length === 0) return w.t('summaryAlone', { top });
  return w.t('summary', { top, runnerUp: groupText(w, result.runnerUp) });
}

/** The line that recommends a combination of two transports. */
export function comboText(w: QuizWords, combination: Combination): string {
  return w.t(`combo.${combination.kind}`, { name: w.names[combination.parts[0]] });
}

/** A reason's weight as shown: `+2`, `−3` (a minus sign, not a hyphen) or the ruled-out mark. */
export function weightText(w: QuizWords, reason: Reason): string {
  const weight = reason.weight;
  if (weight === OUT) return w.t('outWeight');
  return `${weight > 0 ? '+' : '−'}${Math.abs(weight)}`;
}

/** The answer a reason comes from. */
export function becauseText(w: QuizWords, reason: Reason): string {
  return w.t('because', { answer: answerText(w, reason.question, reason.answer) });
}

/** The comparison-table cell a reason cites, when the page has its row. */
export function citedCell(
  w: QuizWords,
  reason: Reason,
): { label: string; verdict: string; demoHref: string } | null {
  const row = w.rows[reason.row];
  const cell = row?.cells[reason.transport];
  return row && cell
    ? { label: row.label, verdict: cell.verdict, demoHref: chapterHref(cell.link, w.locale) }
    : null;
}

/** The chapter of a transport. */
export function chapterOf(w: QuizWords, transport: Transport): string {
  return chapterHref({ chapter: TRANSPORT_CHAPTER[transport], anchor: '' }, w.locale);
}

/** The comparison table. */
export function tableHref(w: QuizWords): string {
  return chapterHref({ chapter: 'comparison', anchor: 'table' }, w.locale);
}

/** Answers that would move the top pick, as a sentence. */
export function changeText(w: QuizWords, change: Change): string {
  const swaps = change.swaps
    .map((s) =>
      w.t('swap', { question: w.t(`q.${s.question}`), to: answerText(w, s.question, s.to) }),
    )
    .join(w.t('changeJoin'));
  return w.t('changeLine', { swaps, name: groupText(w, change.top) });
}
