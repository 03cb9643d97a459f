import { test as base } from '@playwright/test';
import { test, expect } from './fixtures.ts';
import type { Page } from '@playwright/test';

// The e2e server runs the default fleet (200 vehicles at 1 Hz); it starts when the page asks.
const PAGE = '/en/mqtt-over-websocket/';

async function openDashboard(page: Page, path = PAGE) {
  await page.goto(path);
  const demo = page.getByTestId('fleet-demo');
  await demo.scrollIntoViewIfNeeded();
  await expect(page.getByTestId('fleet-conn')).toHaveAttribute('data-state', 'connected', {
    timeout: 20_000,
  });
  return demo;
}

const num = async (page: Page, testId: string, attr: string): Promise<number> =>
  Number((await page.getByTestId(testId).getAttribute(attr)) || 'NaN');

test.describe('the fleet dashboard', () => {
  test.describe.configure({ timeout: 120_000 });

  test('draws the fleet, shows a selected vehicle and its alerts, and measures both modes', async ({
    page,
    problems,
  }) => {
    await openDashboard(page);
    // Every vehicle of the default fleet ends up on the map (a canvas, no DOM node per vehicle).
    await expect
      .poll(() => num(page, 'fleet-map', 'data-drawn'), { timeout: 30_000 })
      .toBeGreaterThanOrEqual(200);
    await expect(page.getByTestId('fleet-stats-online')).toHaveAttribute('data-online', /\d+/);

    // A search that finds nothing says so, politely announced.
    const search = page.getByTestId('fleet-search');
    await search.fill('99999');
    await expect(
      page.getByRole('status').filter({ hasText: 'No vehicle number contains “99999”' }),
    ).toBeVisible();
    await search.fill('');

    // Keyboard: find a driving vehicle in the list by its number and select it.
    const driving = page
      .getByTestId('fleet-list')
      .getByRole('button', { name: /driving/ })
      .first();
    const label = (await driving.textContent()) ?? '';
    const id = Number(/(\d+)/.exec(label)?.[1]);
    await search.fill(String(id));
    await search.press('Tab');
    await page.keyboard.press('Enter');
    const detail = page.getByTestId('fleet-detail');
    await expect(detail.getByRole('heading', { name: `Vehicle ${id}` })).toBeVisible();
    await expect(page.getByTestId('fleet-detail-speed')).toContainText('km/h', { timeout: 10_000 });

    // A trainer makes it brake hard: a QoS 1 alert arrives, once, in the feed and the detail.
    await page.getByTestId('fleet-brake').click();
    // The brake waits until the vehicle is fast enough for a stop to be harsh (a trip may first
    // have to end and the next one accelerate): give it most of the test's time.
    await expect(page.getByTestId('fleet-detail-alerts')).toContainText('Harsh braking', {
      timeout: 60_000,
    });
    await expect(
      page
        .getByTestId('fleet-alerts')
        .getByRole('listitem')
        .filter({ hasText: `Vehicle ${id} ·` }),
    ).toHaveCount(1);

    // The naive wildcard, then back to snapshot + detail: the browser's bytes/s drop ≥ 10×.
    await page.getByTestId('fleet-mode-naive').check();
    await expect(page.getByTestId('fleet-naive-warning')).toBeVisible();
    await expect
      .poll(() => num(page, 'fleet-measured-naive', 'data-bytes'), { timeout: 20_000 })
      .toBeGreaterThan(0);
    await page.getByTestId('fleet-mode-overview').check();
    const naiveBytes = await num(page, 'fleet-measured-naive', 'data-bytes');
    // The overview's figure is from before the switch: wait for the first one measured after the
    // broker acknowledged it (a whole window, with no late wildcard traffic in it).
    const before = await num(page, 'fleet-measured-overview', 'data-bytes');
    await expect
      .poll(() => num(page, 'fleet-measured-overview', 'data-bytes'), { timeout: 20_000 })
      .not.toBe(before);
    const overviewBytes = await num(page, 'fleet-measured-overview', 'data-bytes');
    // The server runs with LAB_FLEET_BACKOFF=off (playwright.config.ts): on a busy machine the
    // lab would otherwise slow the fleet down, and with it the naive mode's figure.
    expect(
      naiveBytes / overviewBytes,
      `naive ${naiveBytes} B/s, overview ${overviewBytes} B/s`,
    ).toBeGreaterThanOrEqual(10);
    await expect(page.getByTestId('fleet-ratio')).toBeVisible();

    // A vehicle whose link is cut goes offline through its last will.
    await page.getByTestId('fleet-cut').click();
    await expect(page.getByTestId('fleet-detail-online')).toHaveText('offline', {
      timeout: 15_000,
    });
    expect(problems.list).toEqual([]);
  });

  test('works in Chinese at the site root', async ({ page, problems }) => {
    await openDashboard(page, '/mqtt-over-websocket/');
    await expect(page.getByTestId('fleet-conn')).toContainText('已通过 MQTT over WebSocket 连接');
    await expect(page.getByTestId('fleet-list').getByRole('button').first()).toContainText('车辆');
    await page.getByTestId('fleet-search').fill('99999');
    await expect(
      page.getByRole('status').filter({ hasText: '没有编号包含“99999”的车辆' }),
    ).toBeVisible();
    expect(problems.list).toEqual([]);
  });
});

// Not the shared fixture: this test expects a 400 from the control API on purpose.
base(
  'a bad trainer value is refused with the field named, and the fleet keeps running',
  async ({ page }) => {
    base.setTimeout(60_000);
    await openDashboard(page);
    await page.getByTestId('fleet-rate').fill('50');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect(page.getByTestId('fleet-control-error')).toContainText('rateHz must be');
    await expect(page.getByTestId('fleet-sim-status')).toContainText('1 Hz');
  },
);
