import AxeBuilder from '@axe-core/playwright';
import type { APIRequestContext, Page } from '@playwright/test';
import { CHAPTERS } from '../../src/lib/chapters.ts';
import { test, expect } from './fixtures.ts';

// Every page in both locales: it loads cleanly (no console error, no failed request), has the
// sidebar to every chapter, every internal link in it reaches a page (and, with a #fragment, an
// element), and it has no serious accessibility violation in the light theme, nor a contrast
// failure in the dark one.
const locales = [
  { prefix: '', lang: 'zh-CN' },
  { prefix: '/en', lang: 'en' },
];

// Code blocks share one renderer and one pair of themes on every page: their dark-theme contrast
// is checked on the chapter with the most code, and left out of the other pages' dark pass.
const CODE_PAGE = 'websocket';

interface AxeRun {
  rules?: string[];
  disable?: string[];
  exclude?: string;
}

async function seriousViolations(page: Page, run: AxeRun = {}): Promise<string[]> {
  let axe = new AxeBuilder({ page });
  axe = run.rules ? axe.withRules(run.rules) : axe.withTags(['wcag2a', 'wcag2aa']);
  if (run.disable) axe = axe.disableRules(run.disable);
  if (run.exclude) axe = axe.exclude(run.exclude);
  const results = await axe.analyze();
  // Rules asked for by name count at any impact; the WCAG sweep keeps serious and critical ones.
  return results.violations
    .filter((v) => run.rules || v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

// The unit tests check links against the MDX sources; this checks them in the built site, where
// a heading id only exists if the anchor plugin really applied it. Pages fetched once per worker.
const fetched = new Map<string, Promise<string>>();

async function brokenLinks(page: Page, request: APIRequestContext, path: string) {
  const hrefs = await page
    .locator('main a[href]')
    .evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''));
  const internal = [...new Set(hrefs.filter((h) => h.startsWith('/') || h.startsWith('#')))];
  expect(internal.length).toBeGreaterThan(0);
  const broken: string[] = [];
  for (const href of internal) {
    const [target = '', fragment] = href.split('#');
    const url = target === '' ? path : target;
    let html = fetched.get(url);
    if (!html) {
      html = request.get(url).then(async (res) => (res.ok() ? res.text() : ''));
      fetched.set(url, html);
    }
    const body = await html;
    if (!body) broken.push(`${href} (page does not load)`);
    else if (fragment && !body.includes(`id="${fragment}"`)) {
      broken.push(`${href} (no element with id "${fragment}")`);
    }
  }
  return broken;
}

for (const { prefix, lang } of locales) {
  test.describe(lang, () => {
    test.use({ colorScheme: 'light' });
    // axe takes several seconds on the longest chapters (thousands of elements in code blocks).
    test.describe.configure({ timeout: 60_000 });
    for (const slug of ['', ...CHAPTERS]) {
      const path = `${prefix}/${slug ? `${slug}/` : ''}`;
      test(`${path} loads cleanly, its links resolve and it passes axe`, async ({
        page,
        request,
        problems,
      }) => {
        const res = await page.goto(path);
        expect(res?.status()).toBe(200);
        await expect(page.locator('html')).toHaveAttribute('lang', lang);
        await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
        await expect(page.locator('h1').first()).not.toBeEmpty();
        // The sidebar lists every chapter, so each page can reach every other; the home page is a
        // splash page without one, and links to the chapters from its cards instead.
        const links = slug ? 'nav.sidebar a[href]' : 'main a[href]';
        const hrefs = await page
          .locator(links)
          .evaluateAll((as) => as.map((a) => a.getAttribute('href')));
        expect(hrefs).toContain(`${prefix}/overview/`);
        if (slug) {
          expect(hrefs).toHaveLength(CHAPTERS.length);
          expect(await brokenLinks(page, request, path)).toEqual([]);
        }

        // Both locales share the same styles and components, so colour contrast is checked on the
        // English pages, in both themes; the Chinese ones get every other rule (names, labels,
        // landmarks, lang), which is where a missing translation would show.
        const zh = lang === 'zh-CN';
        expect(await seriousViolations(page, zh ? { disable: ['color-contrast'] } : {})).toEqual(
          [],
        );
        if (!zh) {
          // Headings that skip a level (a demo's h4 right under the chapter's h2) break the
          // outline a screen reader navigates by; axe files it as a best practice, not WCAG.
          expect(await seriousViolations(page, { rules: ['heading-order'] })).toEqual([]);
          // Starlight's "auto" theme follows the system preference live, as a reader switching would see.
          await page.emulateMedia({ colorScheme: 'dark' });
          await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
          const dark: AxeRun = { rules: ['color-contrast'] };
          if (slug !== CODE_PAGE) dark.exclude = '.expressive-code';
          expect(await seriousViolations(page, dark)).toEqual([]);
        }
        expect(problems.list).toEqual([]);
      });
    }
  });
}
