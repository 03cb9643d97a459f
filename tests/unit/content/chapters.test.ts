import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CHAPTERS } from '../../../src/lib/chapters.ts';
import {
  anchors,
  frontmatter,
  headings,
  internalLinks,
  resolveLink,
} from '../../../src/lib/content/mdx.ts';

const root = new URL('../../../content/docs/', import.meta.url);
type Locale = 'zh-CN' | 'en';
const LOCALES: Locale[] = ['zh-CN', 'en'];

const fileOf = (locale: Locale, slug: string): URL => {
  const dir = locale === 'en' ? 'en/' : '';
  for (const ext of ['mdx', 'md']) {
    const url = new URL(`${dir}${slug || 'index'}.${ext}`, root);
    if (existsSync(url)) return url;
  }
  return new URL(`${dir}${slug || 'index'}.mdx`, root);
};
const read = (locale: Locale, slug: string): string => readFileSync(fileOf(locale, slug), 'utf8');
const PAGES: readonly string[] = ['', ...CHAPTERS];

describe('every chapter exists in both locales with the same sections', () => {
  for (const slug of CHAPTERS) {
    it(`${slug}: both files exist with a title and a description`, () => {
      for (const locale of LOCALES) {
        expect(existsSync(fileOf(locale, slug)), `${locale} ${slug}`).toBe(true);
        const fm = frontmatter(read(locale, slug));
        expect(fm['title'], `${locale} ${slug} title`).toBeTruthy();
        expect(fm['description'], `${locale} ${slug} description`).toBeTruthy();
      }
    });

    it(`${slug}: every h2/h3 carries a fixed anchor, unique on the page`, () => {
      for (const locale of LOCALES) {
        const list = headings(read(locale, slug)).filter((h) => h.depth === 2 || h.depth === 3);
        const missing = list.filter((h) => h.id === null).map((h) => `${h.line}: ${h.text}`);
        expect(missing, `${locale} ${slug}: headings without {/* #id */}`).toEqual([]);
        const ids = anchors(read(locale, slug));
        expect(
          ids.filter((id, i) => ids.indexOf(id) !== i),
          `${locale} ${slug}`,
        ).toEqual([]);
      }
    });

    it(`${slug}: zh-CN and English have the same section anchors in the same order`, () => {
      const zh = headings(read('zh-CN', slug)).map((h) => `h${h.depth} #${h.id ?? '?'}`);
      const en = headings(read('en', slug)).map((h) => `h${h.depth} #${h.id ?? '?'}`);
      expect(en).toEqual(zh);
      expect(zh.length).toBeGreaterThan(0);
    });
  }
});

describe('every internal link resolves, in both locales', () => {
  const anchorCache = new Map<string, Set<string>>();
  const anchorsOf = (locale: Locale, slug: string): Set<string> | null => {
    if (!PAGES.includes(slug)) return null;
    const key = `${locale}/${slug}`;
    let set = anchorCache.get(key);
    if (!set) {
      // Starlight adds `_top` to every page for its "back to top" link.
      set = new Set([...anchors(read(locale, slug)), '_top']);
      anchorCache.set(key, set);
    }
    return set;
  };

  for (const locale of LOCALES) {
    for (const slug of PAGES) {
      it(`${locale} /${slug}: links point to pages and anchors that exist, in the same locale`, () => {
        const broken: string[] = [];
        for (const link of internalLinks(read(locale, slug))) {
          const target = resolveLink(link.href, locale, slug);
          const where = `line ${link.line}: ${link.href}`;
          if (!link.href.startsWith('#') && !/\/(#|\?|$)/.test(link.href)) {
            broken.push(`${where} (page links end with a slash)`);
          }
          if (target.locale !== locale) broken.push(`${where} (points to the other locale)`);
          const ids = anchorsOf(target.locale, target.slug);
          if (!ids) broken.push(`${where} (no such page)`);
          else if (target.fragment !== null && !ids.has(target.fragment)) {
            broken.push(`${where} (no anchor #${target.fragment})`);
          }
        }
        expect(broken).toEqual([]);
      });
    }
  }
});

describe('the security chapter quotes the shipped proxy files', () => {
  // A reader copies these excerpts; a line the real file does not have (or routes elsewhere) is
  // configuration nobody tested, since proxy.test.ts runs the files, not the chapter.
  const deploy = new URL('../../../deploy/', import.meta.url);
  const linesOf = (text: string): string[] =>
    text
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#'));
  const excerpt = (mdx: string, opening: string): string[] => {
    const m = new RegExp('```(?:nginx|text)\\n(' + opening + '[\\s\\S]*?)```').exec(mdx);
    if (!m?.[1]) throw new Error(`no excerpt starting with ${opening}`);
    return linesOf(m[1]);
  };
  const files = [
    { opening: 'map \\$http_upgrade', file: 'nginx/realtime-lab.conf', route: '/api/race' },
    { opening: 'lab\\.example\\.com \\{', file: 'caddy/Caddyfile', route: '@race path' },
  ];
  for (const { opening, file, route } of files) {
    it(`${file}: every line of the excerpt is in the file, race routing included`, () => {
      const real = new Set(linesOf(readFileSync(new URL(file, deploy), 'utf8')));
      for (const locale of LOCALES) {
        const lines = excerpt(read(locale, 'security'), opening);
        expect(
          lines.filter((l) => !real.has(l)),
          `${locale}: lines not in ${file}`,
        ).toEqual([]);
        expect(lines.some((l) => l.includes(route))).toBe(true);
      }
    });
  }
});
