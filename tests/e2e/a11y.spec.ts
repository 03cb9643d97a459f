import AxeBuilder from '@axe-core/playwright';
import { CHAPTERS } from '../../src/lib/chapters.ts';
import { test, expect } from './fixtures.ts';

// An accessibility sweep over every page in both locales, in light and dark themes.
const paths = ['', '/en'].flatMap((prefix) =>
  ['', ...CHAPTERS].map((s) => `${prefix}/${s ? `${s}/` : ''}`),
);

for (const theme of ['light', 'dark'] as const) {
  test.describe(`${theme} theme`, () => {
    test.use({ colorScheme: theme });
    for (const path of paths) {
      test(`${path} has no serious accessibility violations`, async ({ page, problems }) => {
        await page.goto(path);
        await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
        const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
        const serious = results.violations
          .filter((v) => v.impact === 'serious' || v.impact === 'critical')
          .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
        expect(serious).toEqual([]);
        expect(problems.list).toEqual([]);
      });
    }
  });
}

test('the theme picker switches between light and dark', async ({ page, problems }) => {
  await page.goto('/en/overview/');
  const select = page.locator('starlight-theme-select select').first();
  await page.waitForLoadState('load');
  await select.selectOption('dark');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await select.selectOption('light');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  // The choice survives a reload.
  await page.reload();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  expect(problems.list).toEqual([]);
});
