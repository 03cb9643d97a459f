import { flushSync } from 'svelte';
import { describe, expect, it } from 'vitest';
import { ComparisonTable } from '../../../src/lib/compare/comparison-table.svelte.ts';
import { SelectionQuiz } from '../../../src/lib/quiz/selection-quiz.svelte.ts';
import type { UrlPort } from '../../../src/lib/url-state.ts';
import { rowShape } from '../../../src/lib/compare/view.ts';
import { ROWS } from '../../helpers/compare-rows.ts';

/** An address bar with a history stack, like the browser's. */
function fakeUrl(initial = ''): UrlPort & { entries: string[]; back(): void } {
  const entries = [initial];
  return {
    entries,
    read: () => entries.at(-1)!,
    write(search, mode) {
      if (mode === 'push') entries.push(search);
      else entries[entries.length - 1] = search;
    },
    back() {
      entries.pop();
    },
  };
}

describe('SelectionQuiz', () => {
  it('keeps answers in the address, one history entry per answer, and Back undoes one', () => {
    const url = fakeUrl('');
    const cleanup = $effect.root(() => {
      const quiz = new SelectionQuiz(url);
      quiz.load();
      quiz.answer('who', 'people');
      quiz.answer('dir', 'both');
      flushSync();
      expect(url.read()).toBe('who=people&dir=both');
      expect(url.entries).toHaveLength(3);
      expect(quiz.result.answered).toBe(2);

      url.back();
      quiz.load();
      flushSync();
      expect(quiz.answers).toEqual({ who: 'people' });

      quiz.reset();
      flushSync();
      expect(url.read()).toBe('');
      expect(quiz.result.answered).toBe(0);
    });
    cleanup();
  });

  it('restores a shared link with its recommendation', () => {
    const shared =
      'who=viewers&clients=browser&dir=down&subset=all&loss=latest&count=few&rate=rare&latency=relaxed&size=small&net=good&infra=open&team=minimal';
    const cleanup = $effect.root(() => {
      const quiz = new SelectionQuiz(fakeUrl(shared));
      quiz.load();
      flushSync();
      expect(quiz.result.complete).toBe(true);
      expect(quiz.result.top).toEqual(['short-polling']);
    });
    cleanup();
  });
});

describe('ComparisonTable', () => {
  it('writes the column choice into the address and never hides the last column', () => {
    const url = fakeUrl('?cols=sse,websocket');
    const cleanup = $effect.root(() => {
      const table = new ComparisonTable(ROWS.map(rowShape), url);
      table.load();
      flushSync();
      expect(table.columns).toEqual(['sse', 'websocket']);
      table.toggle('sse');
      table.toggle('websocket');
      flushSync();
      expect(table.columns).toEqual(['websocket']);
      table.toggle('mqtt');
      table.setOnlyDifferences(true);
      flushSync();
      expect(url.read()).toBe('cols=websocket,mqtt&diff=1');
      expect(table.shownRows).toBeLessThan(table.totalRows);
      table.showAll();
      table.setOnlyDifferences(false);
      flushSync();
      expect(url.read()).toBe('');
      expect(table.shownRows).toBe(table.totalRows);
      // Only replaceState: ticking boxes does not fill the Back history.
      expect(url.entries).toHaveLength(1);
    });
    cleanup();
  });
});
