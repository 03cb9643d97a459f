import { describe, expect, it } from 'vitest';
import {
  anchors,
  countWords,
  frontmatter,
  headings,
  internalLinks,
  proseText,
  resolveLink,
} from '../../../src/lib/content/mdx.ts';

const page = [
  '---',
  'title: "长轮询"',
  "description: 'A page'",
  '---',
  '',
  "import Figure from '~/components/diagrams/Figure.astro';",
  '',
  '## 它是怎么工作的 {/* #how-it-works */}',
  '',
  '看[术语表](/glossary/#polling)，或 <a href="/sse/#code">SSE</a>。',
  '',
  '```http',
  '## not a heading {/* #nope */}',
  'see [x](/nowhere/)',
  '```',
  '',
  '### 没有锚点',
  '<div id="custom">x</div>',
  '链接 `[y](/in-code/)` 不算。[外部](https://example.com/) [本页](#how-it-works)',
].join('\n');

describe('MDX reading helpers', () => {
  it('reads frontmatter with or without quotes', () => {
    expect(frontmatter(page)).toEqual({ title: '长轮询', description: 'A page' });
  });

  it('finds headings outside code blocks, with their markers and line numbers', () => {
    expect(headings(page)).toEqual([
      { depth: 2, text: '它是怎么工作的', id: 'how-it-works', line: 8 },
      { depth: 3, text: '没有锚点', id: null, line: 17 },
    ]);
  });

  it('collects heading anchors and explicit ids', () => {
    expect(anchors(page)).toEqual(['how-it-works', 'custom']);
  });

  it('collects internal links from Markdown and href, not from code or external URLs', () => {
    expect(internalLinks(page).map((l) => l.href)).toEqual([
      '/glossary/#polling',
      '/sse/#code',
      '#how-it-works',
    ]);
  });

  it('resolves links to a locale, slug and fragment', () => {
    expect(resolveLink('/en/sse/#on-the-wire', 'en', 'overview')).toEqual({
      locale: 'en',
      slug: 'sse',
      fragment: 'on-the-wire',
    });
    expect(resolveLink('/glossary/', 'zh-CN', 'sse')).toEqual({
      locale: 'zh-CN',
      slug: 'glossary',
      fragment: null,
    });
    expect(resolveLink('#code', 'en', 'sse')).toEqual({
      locale: 'en',
      slug: 'sse',
      fragment: 'code',
    });
    expect(resolveLink('/en/', 'zh-CN', 'sse')).toEqual({ locale: 'en', slug: '', fragment: null });
    expect(resolveLink('/en/race/?rate=10&size=120', 'en', 'comparison')).toEqual({
      locale: 'en',
      slug: 'race',
      fragment: null,
    });
  });

  it('counts CJK characters as words in zh-CN and runs of letters in English', () => {
    expect(countWords('WebSocket 连接', 'zh-CN')).toBe(3);
    expect(countWords('每 3秒轮询一次', 'zh-CN')).toBe(7);
    expect(countWords("The browser's EventSource reconnects by itself.", 'en')).toBe(6);
    expect(countWords('', 'en')).toBe(0);
  });

  it('leaves code, imports, comments and diagrams out of the prose', () => {
    const text = proseText(
      page + '\n<Figure title="t" desc="d" viewBox="0 0 1 1"><text>图里的字</text></Figure>',
    );
    expect(text).not.toMatch(/not a heading|import|#how-it-works \*\/|图里的字|in-code/);
    expect(text).toMatch(/它是怎么工作的/);
    expect(text).toMatch(/术语表/);
  });
});
