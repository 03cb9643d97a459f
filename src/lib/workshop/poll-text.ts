import { QUESTIONS, type QuestionId } from '../quiz/questions.ts';
import { quizStrings } from '../i18n/quiz.ts';
import type { Locale } from '../i18n/index.ts';
import type { PollQuestion } from '../wire/workshop.ts';

/** The selection quiz's question ids, for the trainer's "ask a quiz question" list. */
export const QUIZ_POLL_IDS = Object.keys(QUESTIONS) as QuestionId[];

/** A quiz question as a poll request: its id and its answer ids. */
export function quizPoll(id: QuestionId): { quiz: string; choices: string[] } {
  return { quiz: id, choices: [...QUESTIONS[id]] };
}

/** The text of a quiz question in one locale (its id when unknown, e.g. from a newer server). */
export function quizQuestionText(id: string, locale: Locale): string {
  const table = quizStrings[locale] as Record<string, string>;
  return table[`q.${id}`] ?? id;
}

/** A poll's question and answers in the reader's locale: quiz polls are translated here. */
export function pollText(
  poll: PollQuestion,
  locale: Locale,
): { question: string; choices: string[] } {
  if (poll.kind === 'custom') return { question: poll.question, choices: poll.choices };
  const table = quizStrings[locale] as Record<string, string>;
  return {
    question: quizQuestionText(poll.questionId, locale),
    choices: poll.choices.map((c) => table[`a.${poll.questionId}.${c}`] ?? c),
  };
}
