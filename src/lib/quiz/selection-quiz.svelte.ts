import type { UrlPort } from '../url-state.ts';
import type { Answers, OptionOf, QuestionId } from './questions.ts';
import { parseAnswers, recommend, serializeAnswers } from './score.ts';

/** Reactive state of the selection quiz; the answers live in the page address. */
export class SelectionQuiz {
  answers: Answers = $state({});
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

  /** Clears every answer (Back brings them back). */
  reset(): void {
    this.answers = {};
    this.#url?.write(serializeAnswers({}, this.#url.read()), 'push');
  }
}
