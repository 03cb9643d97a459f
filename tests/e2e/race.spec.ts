import { readFile } from 'node:fs/promises';
import type { Page } from '@playwright/test';
import { test, expect } from './fixtures.ts';

// A 5 s race at 20 msg/s with a 1 s polling interval: short enough for CI, long enough that
// short polling's half-interval wait stands clearly above the push lanes.
const QUERY = 'rate=20&size=120&duration=5&poll=1';
const LANES = ['shortPoll', 'longPoll', 'sse', 'ws', 'mqttWs0', 'mqttWs1'];

test.describe.configure({ timeout: 60_000 });

async function runRace(page: Page, path: string, startLabel: RegExp, doneText: RegExp) {
  await page.goto(`${path}?${QUERY}`);
  const demo = page.getByTestId('race-demo');
  await demo.scrollIntoViewIfNeeded();
  await expect(demo).toHaveAttribute('data-hydrated', 'true', { timeout: 15_000 });
  // The share URL restored the scenario.
  await expect(demo.getByRole('spinbutton').nth(0)).toHaveValue('20');
  await expect(demo.getByRole('spinbutton').nth(2)).toHaveValue('5');
  await expect(demo.getByRole('spinbutton').nth(3)).toHaveValue('1');
  await demo.getByRole('button', { name: startLabel }).click();
  await expect(demo.getByRole('status')).toHaveText(doneText, { timeout: 30_000 });

  const table = demo.getByTestId('race-results');
  const p50: Record<string, number> = {};
  for (const lane of LANES) {
    const row = table.locator(`tr[data-lane="${lane}"]`);
    await expect(row.locator('[data-col="received"]')).toHaveText('100');
    await expect(row.locator('[data-col="lost"]')).toHaveText('0');
    p50[lane] = Number(await row.locator('[data-col="p50"]').getAttribute('data-value'));
  }
  for (const lane of LANES.filter((l) => l !== 'shortPoll')) {
    expect(p50[lane], lane).toBeLessThan(p50['shortPoll'] ?? 0);
  }
  return demo;
}

test('the race runs in English: every lane fills, push beats polling, CSV downloads', async ({
  page,
}) => {
  const demo = await runRace(page, '/en/race/', /^Start the race$/, /Done: 100 messages/);
  const download = page.waitForEvent('download');
  await demo.getByRole('button', { name: 'Download CSV' }).click();
  const file = await (await download).path();
  const csv = await readFile(file, 'utf8');
  const lines = csv.trim().split('\n');
  expect(lines[0]).toMatch(/^lane,received,lost,/);
  expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(LANES);
  expect(lines.slice(1).every((l) => l.split(',')[1] === '100')).toBe(true);
  // With JavaScript or without, the spec's minimum for each lane is on the page.
  await expect(page.getByTestId('race-theory').locator('tbody tr')).toHaveCount(6);
});

test('the race runs in Chinese, with the scenario from the link', async ({ page }) => {
  const demo = await runRace(page, '/race/', /^开始赛跑$/, /完成：100 条消息/);
  await expect(demo.getByRole('button', { name: '下载 CSV' })).toBeEnabled();
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
});
