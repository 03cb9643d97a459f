import { describe, expect, it } from 'vitest';
import { SelectionQuiz, SHOWN_CHANGES } from '../../../src/lib/quiz/selection-quiz.svelte.ts';
import { OUT, QUESTION_IDS, QUESTIONS } from '../../../src/lib/quiz/questions.ts';
import type { Answers } from '../../../src/lib/quiz/questions.ts';

// Every question answered with its first, then its last option, then a mix.
const answerSets: Answers[] = [0, -1, 1].map((pick) =>
  Object.fromEntries(
    QUESTION_IDS.map((q, i) => {
      const options = QUESTIONS[q] as readonly string[];
      const at = pick === 1 ? i % options.length : pick;
      return [q, options.at(at)];
    }),
  ),
);

describe('the quiz result as the page shows it', () => {
  it('lists reasons for and against strongest first, ruled-out ones first of all', () => {
    const cleanup = $effect.root(() => {
      const quiz = new SelectionQuiz();
      for (const answers of answerSets) {
        quiz.answers = answers;
        for (const { transport, reasons } of quiz.result.ranking) {
          const pro = quiz.reasons(transport, 1);
          const con = quiz.reasons(transport, -1);
          // Every reason is on exactly one side (weight 0 on neither).
          expect(pro.length + con.length).toBe(reasons.filter((r) => r.weight !== 0).length);
          const size = (w: number | typeof OUT) => (w === OUT ? Infinity : Math.abs(w));
          for (const side of [pro, con]) {
            const sizes = side.map((r) => size(r.weight));
            expect(sizes).toEqual([...sizes].sort((a, b) => b - a));
          }
          expect(pro.every((r) => r.weight !== OUT && r.weight > 0)).toBe(true);
        }
        expect(quiz.explained).toEqual([...quiz.result.top, ...quiz.result.runnerUp]);
        // The page lists the first few answer changes that would move the pick, no more.
        expect(quiz.changes).toEqual(quiz.result.changes.slice(0, SHOWN_CHANGES));
      }
    });
    cleanup();
  });

  it('fills the best bar, empties the last one in the race and every ruled-out one', () => {
    const cleanup = $effect.root(() => {
      const quiz = new SelectionQuiz();
      for (const answers of answerSets) {
        quiz.answers = answers;
        const inRace = quiz.result.ranking.filter((r) => !r.out);
        const bars = quiz.result.ranking.map((r) => quiz.barPercent(r.transport));
        expect(bars.every((b) => b >= 0 && b <= 100)).toBe(true);
        if (inRace.length > 1 && inRace[0]!.score > inRace.at(-1)!.score) {
          expect(quiz.barPercent(inRace[0]!.transport)).toBe(100);
          expect(quiz.barPercent(inRace.at(-1)!.transport)).toBe(0);
        }
        for (const r of quiz.result.ranking.filter((x) => x.out)) {
          expect(quiz.barPercent(r.transport)).toBe(0);
        }
      }
    });
    cleanup();
  });
});
