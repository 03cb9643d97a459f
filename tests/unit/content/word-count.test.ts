import { describe, expect, it } from 'vitest';
import { CHAPTERS } from '../../../src/lib/chapters.ts';
import { formatTable, wordCounts } from '../../../scripts/word-count.ts';

describe('word counts per chapter and locale', () => {
  const rows = wordCounts();

  it('has a row for every chapter, in order, with both locales counted', () => {
    expect(rows.map((r) => r.slug)).toEqual([...CHAPTERS]);
    for (const r of rows) {
      expect(r.zh, r.slug).toBeGreaterThan(0);
      expect(r.en, r.slug).toBeGreaterThan(0);
    }
  });

  it('prints a Markdown table with a total', () => {
    const table = formatTable([
      { slug: 'a', zh: 10, en: 6 },
      { slug: 'b', zh: 5, en: 4 },
    ]);
    expect(table.split('\n')).toEqual([
      '| chapter | zh-CN (characters) | English (words) |',
      '| --- | ---: | ---: |',
      '| a | 10 | 6 |',
      '| b | 5 | 4 |',
      '| total | 15 | 10 |',
    ]);
  });
});
