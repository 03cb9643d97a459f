import type { UrlPort } from '../url-state.ts';
import type { Transport } from '../compare/table.ts';
import { OUT, WEIGHT_RANGE, type Answers, type OptionOf, type QuestionId } from './questions.ts';
import { parseAnswers, recommend, serializeAnswers, type Change, type Reason } from './score.ts';

/** How many of the answer changes that would move the top pick the result lists. */
export const SHOWN_CHANGES = 4;

// A ruled-out reason sorts before every numeric reason against.
function strength(r: Reason): number {
  return r.weight === OUT ? WEIGHT_RANGE[0] - 1 : r.weight;
}

/** Reactive state of the selection quiz; the answers live in the page address. */
export class SelectionQuiz {
  // Always replaced whole, never changed in place: no deep proxy needed.
  answers: Answers = $state.raw({});
  readonly result = $derived(recommend(this.answers));

  readonly #url: UrlPort | null;

  constructor(url: UrlPort | null = null) {
    this.#url = url;
  }

  /** Takes the answers from the page address: on hydration and on Back/Forward. */
  load(search = this.#url?.read() ?? ''): void {
    this.answers = parseAnswers(search);
  }

  /** Records an answer and adds a history entry, so Back undoes it. */
  answer<Q extends QuestionId>(question: Q, option: OptionOf<Q>): void {
    if (this.answers[question] === option) return;
    this.answers = { ...this.answers, [question]: option };
    this.#url?.write(serializeAnswers(this.answers, this.#url.read()), 'push');
  }

  /** The options whose reasons are explained: the pick(s), then the runner(s)-up. */
  get explained(): Transport[] {
    return [...this.result.top, ...this.result.runnerUp];
  }

  /** The first {@link SHOWN_CHANGES} answer changes that would move the top pick. */
  get changes(): Change[] {
    return this.result.changes.slice(0, SHOWN_CHANGES);
  }

  /** A transport's reasons for (`1`) or against (`-1`), strongest first. */
  reasons(transport: Transport, sign: 1 | -1): Reason[] {
    const entry = this.result.ranking.find((r) => r.transport === transport);
    return (entry?.reasons ?? [])
      .filter((r) => Math.sign(strength(r)) === sign)
      .sort((a, b) => Math.abs(strength(b)) - Math.abs(strength(a)));
  }

  /** How full a ranking bar is, 0-100: the best option still in the race fills it. */
  barPercent(transport: Transport): number {
    const inRace = this.result.ranking.filter((r) => !r.out);
    const entry = inRace.find((r) => r.transport === transport);
    if (!entry) return 0;
    const worst = inRace.at(-1)!.score;
    return Math.round(((entry.score - worst) / (inRace[0]!.score - worst || 1)) * 100);
  }

  /** Clears every answer (Back brings them back). */
  reset(): void {
    this.answers = {};
    this.#url?.write(serializeAnswers({}, this.#url.read()), 'push');
  }
}
