import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { CHAPTERS } from '../../src/lib/chapters.ts';
import { test, expect } from './fixtures.ts';

// Every page in both locales: it loads cleanly (no console error, no failed request), has the
// sidebar to every chapter, and has no serious accessibility violation in the light theme, nor a
// contrast failure in the dark one.
const locales = [
  { prefix: '', lang: 'zh-CN' },
  { prefix: '/en', lang: 'en' },
];

async function seriousViolations(page: Page, rules?: string[]): Promise<string[]> {
  const axe = new AxeBuilder({ page });
  const results = await (
    rules ? axe.withRules(rules) : axe.withTags(['wcag2a', 'wcag2aa'])
  ).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

for (const { prefix, lang } of locales) {
  test.describe(lang, () => {
    test.use({ colorScheme: 'light' });
    for (const slug of ['', ...CHAPTERS]) {
      const path = `${prefix}/${slug ? `${slug}/` : ''}`;
      test(`${path} loads cleanly and passes axe`, async ({ page, problems }) => {
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
        if (slug) expect(hrefs).toHaveLength(CHAPTERS.length);
        expect(await seriousViolations(page)).toEqual([]);

        // The dark theme changes colours only, and both locales share the same styles and
        // components: its contrast is checked once per page, on the English one. Starlight's
        // "auto" theme follows the system preference live, as a reader switching would see.
        if (lang === 'en') {
          await page.emulateMedia({ colorScheme: 'dark' });
          await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
          expect(await seriousViolations(page, ['color-contrast'])).toEqual([]);
        }
        expect(problems.list).toEqual([]);
      });
    }
  });
}
