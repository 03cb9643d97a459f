// Words per chapter and locale, for the issue note: `node scripts/word-count.ts`.
// Chinese is counted in characters (each CJK character is a word), English in words.

import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CHAPTERS } from '../src/lib/chapters.ts';
import { countWords, proseText } from '../src/lib/content/mdx.ts';

/** One chapter's word counts. */
export interface WordCountRow {
  slug: string;
  zh: number;
  en: number;
}

const root = fileURLToPath(new URL('../content/docs/', import.meta.url));

/** Counts the words of every chapter in both locales, in CHAPTERS order. */
export function wordCounts(dir: string = root): WordCountRow[] {
  return CHAPTERS.map((slug) => ({
    slug,
    zh: countWords(proseText(readFileSync(`${dir}/${slug}.mdx`, 'utf8')), 'zh-CN'),
    en: countWords(proseText(readFileSync(`${dir}/en/${slug}.mdx`, 'utf8')), 'en'),
  }));
}

/** Formats the rows as a Markdown table with a total line. */
export function formatTable(rows: WordCountRow[]): string {
  const total = rows.reduce((t, r) => ({ zh: t.zh + r.zh, en: t.en + r.en }), { zh: 0, en: 0 });
  const lines = [
    '| chapter | zh-CN (characters) | English (words) |',
    '| --- | ---: | ---: |',
    ...rows.map((r) => `| ${r.slug} | ${r.zh} | ${r.en} |`),
    `| total | ${total.zh} | ${total.en} |`,
  ];
  return lines.join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(formatTable(wordCounts()));
}
