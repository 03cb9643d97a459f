// The MQTT chapter's "delivery in depth" lesson: its diagram reads on a phone, and its demo fills an
// offline session past the embedded broker's 8 MiB cap for real (48 × 200 KiB sent, 40 kept).
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';

/** The smallest text of one diagram, in CSS pixels as drawn. */
async function smallestText(page: Page, title: string): Promise<number> {
  const svg = page
    .locator('figure.lab-figure svg')
    .filter({ has: page.locator(`title`, { hasText: title }) });
  return svg.evaluate((el) => {
    const scale = el.getBoundingClientRect().width / (el as SVGSVGElement).viewBox.baseVal.width;
    return Math.min(
      ...[...el.querySelectorAll('text')].map(
        (t) => parseFloat(getComputedStyle(t).fontSize) * scale,
      ),
    );
  });
}

test('the queue-cap demo gets 40 of 48 messages back and sees the broker count the other 8', async ({
  page,
}) => {
  test.setTimeout(150_000);
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto('/mqtt/');
  expect(await smallestText(page, '离线会话的队列到达上限')).toBeGreaterThanOrEqual(12);

  const demo = page.getByTestId('queue-demo');
  await demo.scrollIntoViewIfNeeded();
  await expect(demo).toHaveAttribute('data-hydrated', 'true');
  await demo.getByRole('button', { name: '运行实验' }).click();

  await expect(page.getByTestId('queue-received')).toHaveAttribute('data-n', '40', {
    timeout: 120_000,
  });
  await expect(page.getByTestId('queue-received')).toContainText('第 1 到 40 条');
  await expect(page.getByTestId('queue-expected')).toHaveAttribute('data-n', '40');
  // The counter is the broker's: another test's refusals could only add to it.
  const delta = Number(await page.getByTestId('queue-counter').getAttribute('data-delta'));
  expect(delta).toBeGreaterThanOrEqual(8);
  await expect(demo.getByRole('alert')).toHaveCount(0);

  // The English page offers the same demo in English.
  await page.goto('/en/mqtt/#queue-demo');
  await expect(page.getByTestId('queue-demo').getByRole('button')).toHaveText('Run the experiment');
  expect(
    await smallestText(page, "An offline session's queue reaching its cap"),
  ).toBeGreaterThanOrEqual(12);
});
