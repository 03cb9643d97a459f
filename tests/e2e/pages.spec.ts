import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { CHAPTERS } from '../../src/lib/chapters.ts';
import { test, expect } from './fixtures.ts';

// Every page in both locales: it loads cleanly (no console error, no failed request), has the
// sidebar to every chapter, and has no serious accessibility violation in light or dark theme.
const locales = [
  { prefix: '', lang: 'zh-CN' },
  { prefix: '/en', lang: 'en' },
];

async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

for (const { prefix, lang } of locales) {
  for (const slug of ['', ...CHAPTERS]) {
    const path = `${prefix}/${slug ? `${slug}/` : ''}`;
    for (const theme of ['light', 'dark'] as const) {
      test.describe(`${lang} ${theme}`, () => {
        test.use({ colorScheme: theme });
        test(`${path} loads cleanly and passes axe`, async ({ page, problems }) => {
          const res = await page.goto(path);
          expect(res?.status()).toBe(200);
          await expect(page.locator('html')).toHaveAttribute('lang', lang);
          await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
          await expect(page.locator('h1').first()).not.toBeEmpty();
          if (theme === 'light') {
            // The sidebar lists every chapter, so each page can reach every other; the home page
            // is a splash page without one, and links to the chapters from its cards instead.
            const links = slug ? 'nav.sidebar a[href]' : 'main a[href]';
            const hrefs = await page
              .locator(links)
              .evaluateAll((as) => as.map((a) => a.getAttribute('href')));
            expect(hrefs).toContain(`${prefix}/overview/`);
            if (slug) expect(hrefs).toHaveLength(CHAPTERS.length);
          }
          expect(await seriousViolations(page)).toEqual([]);
          // Islands hydrate when visible; give any that start at once a moment to report problems.
          await page.waitForTimeout(300);
          expect(problems.list).toEqual([]);
        });
      });
    }
  }
}
