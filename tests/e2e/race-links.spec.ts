import type { Page } from '@playwright/test';
import { test, expect } from './fixtures.ts';

// The comparison table's rows and the quiz's result link to the race with a scenario that shows
// their claim; the race page must open with that scenario.

const QUIZ =
  'who=machines&clients=both&dir=both&subset=subset&loss=offline&count=huge&rate=steady&latency=instant&size=small&net=mobile&infra=open&team=broker';

async function raceOpens(page: Page, preset: string): Promise<void> {
  const demo = page.getByTestId('race-demo');
  await demo.scrollIntoViewIfNeeded();
  await expect(demo).toHaveAttribute('data-hydrated', 'true', { timeout: 15_000 });
  await expect(demo.getByRole('combobox')).toHaveValue(preset);
}

test.describe.configure({ timeout: 60_000 });

for (const [locale, prefix] of [
  ['zh-CN', ''],
  ['en', '/en'],
] as const) {
  test(`table row and quiz result open the race with their scenario (${locale})`, async ({
    page,
  }) => {
    await page.goto(`${prefix}/comparison/`);
    await page.locator('tr[data-row="overhead"]').getByTestId('row-race-link').click();
    await expect(page).toHaveURL(`${prefix}/race/?rate=200&size=64&duration=10&poll=1`);
    await raceOpens(page, 'burst');

    await page.goto(`${prefix}/choosing/?${QUIZ}`);
    // The island hydrates once visible; only then does it read the answers from the address.
    await page.getByTestId('quiz-result').scrollIntoViewIfNeeded();
    await page.getByTestId('quiz-race-link').click();
    await expect(page).toHaveURL(new RegExp(`^[^?]*${prefix}/race/\\?rate=1&size=200&`));
    await raceOpens(page, 'chat');
    // The quiz put both MQTT transports first: their lanes are the ones to watch.
    await expect(page.getByTestId('race-focus')).toHaveAttribute('data-lanes', /mqttWs0 mqttWs1/);
  });
}
