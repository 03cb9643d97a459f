import type { Locator, Page } from '@playwright/test';
import { test, expect, watchProblems } from './fixtures.ts';

/** Console errors and failed requests, except those a deliberate drop causes on held requests. */
function watchPage(page: Page): string[] {
  const problems: string[] = [];
  const dropped =
    /\/api\/(long-poll|sse)\b|ERR_(EMPTY_RESPONSE|INCOMPLETE_CHUNKED_ENCODING|CONNECTION)/;
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !dropped.test(msg.text() + (msg.location().url ?? ''))) {
      problems.push(`console: ${msg.text()}`);
    }
  });
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  page.on('requestfailed', (req) => {
    if (!dropped.test(req.url())) problems.push(`failed: ${req.url()}`);
  });
  page.on('response', (res) => {
    if (res.status() >= 400) problems.push(`HTTP ${res.status()}: ${res.url()}`);
  });
  return problems;
}

const counter = (demo: Locator, id: string) => demo.getByTestId(`counter-${id}`);
const count = async (demo: Locator, id: string) =>
  Number((await counter(demo, id).innerText()).replace(/[^\d.]/g, ''));

async function openDemo(page: Page, path: string, testid: string): Promise<Locator> {
  await page.goto(path);
  const demo = page.getByTestId(testid);
  await demo.scrollIntoViewIfNeeded();
  // Server-rendered controls do nothing until the island is hydrated.
  await expect(demo).toHaveAttribute('data-hydrated', 'true', { timeout: 15_000 });
  return demo;
}

// One ticker feeds every visitor, and a test here changes its rate: run these in order, not side by side.
test.describe.configure({ mode: 'default', timeout: 90_000 });

test('short polling: events arrive, counted in English and in Chinese', async ({
  page,
  problems,
}) => {
  for (const [path, start] of [
    ['/en/short-polling/', 'Start'],
    ['/short-polling/', '开始'],
  ] as const) {
    const demo = await openDemo(page, path, 'poll-demo');
    const toggle = demo.getByRole('button', { name: start });
    // Keyboard: focus the button and press Enter.
    await toggle.focus();
    await page.keyboard.press('Enter');
    await expect(demo.getByTestId('toggle')).toHaveAttribute('aria-pressed', 'true');
    await expect(async () => {
      await demo.getByTestId('send-now').click();
      expect(await count(demo, 'received')).toBeGreaterThan(0);
    }).toPass({ timeout: 20_000 });
    await expect(demo.getByRole('log')).toContainText('#');
    await expect(counter(demo, 'missed')).toHaveText('0');
    await expect.poll(() => count(demo, 'bytes-out'), { timeout: 10_000 }).toBeGreaterThan(0);
    await demo.getByTestId('toggle').click();
  }
  expect(problems.list).toEqual([]);
});

test('short polling: the share of empty responses rises when the rate falls', async ({
  page,
  problems,
}) => {
  const demo = await openDemo(page, '/en/short-polling/', 'poll-demo');
  await demo.getByTestId('interval').fill('0.5');
  await demo.getByTestId('rate').selectOption('20');
  await demo.getByTestId('toggle').click();
  await expect.poll(() => count(demo, 'requests'), { timeout: 20_000 }).toBeGreaterThanOrEqual(8);
  const busy = await count(demo, 'empty-share');
  await demo.getByTestId('rate').selectOption('0.2');
  const before = await count(demo, 'requests');
  await expect
    .poll(() => count(demo, 'requests'), { timeout: 30_000 })
    .toBeGreaterThanOrEqual(before + 16);
  const quiet = await count(demo, 'empty-share');
  expect(quiet).toBeGreaterThan(busy);
  await demo.getByTestId('toggle').click();
  await demo.getByTestId('rate').selectOption('1');
  expect(problems.list).toEqual([]);
});

test('long polling: events arrive; a dropped connection resumes with missed 0', async ({
  page,
}) => {
  const problems = watchPage(page);
  const demo = await openDemo(page, '/en/long-polling/', 'long-poll-demo');
  await demo.getByTestId('toggle').click();
  await expect(counter(demo, 'pending')).toContainText('held for', { timeout: 15_000 });
  await expect(async () => {
    await demo.getByTestId('send-now').click();
    expect(await count(demo, 'received')).toBeGreaterThan(0);
  }).toPass({ timeout: 20_000 });
  const received = await count(demo, 'received');

  // A drop cuts the request the server holds now; clicked just as one answer came back, it finds
  // none (the next request is still on its way): click again until one is cut.
  await expect(async () => {
    await expect(counter(demo, 'pending')).toContainText('held for');
    await demo.getByTestId('drop').click();
    await expect.poll(() => count(demo, 'failures'), { timeout: 3_000 }).toBeGreaterThan(0);
  }).toPass({ timeout: 20_000 });
  await expect(demo.getByRole('log')).toContainText('retrying');
  // Events that happen while the client waits to retry come with the next answer.
  await demo.getByTestId('send-now').click();
  await expect.poll(() => count(demo, 'received'), { timeout: 20_000 }).toBeGreaterThan(received);
  await expect(counter(demo, 'missed')).toHaveText('0');
  await demo.getByTestId('toggle').click();
  expect(problems).toEqual([]);
});

test('SSE: events arrive; a dropped stream reconnects by itself with missed 0', async ({
  page,
}) => {
  const problems = watchPage(page);
  const demo = await openDemo(page, '/sse/', 'sse-demo');
  await demo.getByTestId('toggle').click();
  await expect(counter(demo, 'state')).toHaveText('已连接', { timeout: 15_000 });
  await expect(async () => {
    await demo.getByTestId('send-now').click();
    expect(await count(demo, 'received')).toBeGreaterThan(0);
  }).toPass({ timeout: 20_000 });
  await expect(demo.getByTestId('raw')).toContainText('event: hello');
  await expect(demo.getByTestId('raw')).toContainText(/id: \d+/);
  const received = await count(demo, 'received');

  await demo.getByTestId('drop').click();
  await demo.getByTestId('send-now').click();
  await expect(counter(demo, 'reconnects')).toHaveText('1', { timeout: 20_000 });
  await expect.poll(() => count(demo, 'received'), { timeout: 20_000 }).toBeGreaterThan(received);
  await expect(counter(demo, 'missed')).toHaveText('0');
  await expect(counter(demo, 'gone')).toHaveText('0');
  // The raw pane shows whole lines: long data lines wrap inside it, none runs past its edge.
  const raw = demo.getByTestId('raw');
  expect(await raw.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
  const [paneBox, demoBox] = [await raw.boundingBox(), await demo.boundingBox()];
  expect(paneBox!.x + paneBox!.width).toBeLessThanOrEqual(demoBox!.x + demoBox!.width);

  // Too many "send now" in one second: the server answers 429 and the demo says so.
  await demo.getByTestId('send-now').evaluate((b: HTMLButtonElement) => {
    for (let i = 0; i < 8; i++) b.click();
  });
  await expect(demo.getByTestId('send-refused')).toContainText('HTTP 429');
  await expect(demo.getByTestId('send-refused')).toContainText('未发送');
  await demo.getByTestId('toggle').click();
  await expect(counter(demo, 'state')).toHaveText('已关闭');
  // The refused sends are the 429s the test asked for.
  expect(problems.filter((p) => !/429|ticker\/emit/.test(p))).toEqual([]);
});

test('SSE: the log stops following when the reader scrolls up, and the level filter hides lines', async ({
  page,
}) => {
  const problems = watchPage(page);
  await page.emulateMedia({ reducedMotion: 'reduce' });
  const demo = await openDemo(page, '/en/sse/', 'sse-demo');
  await demo.getByTestId('toggle').click();
  await expect(counter(demo, 'state')).toHaveText('open', { timeout: 15_000 });
  const log = demo.getByTestId('log');
  // Fill the log until it scrolls.
  await expect(async () => {
    await demo.getByTestId('send-now').click();
    expect(await log.evaluate((el) => el.scrollHeight > el.clientHeight + 40)).toBe(true);
  }).toPass({ timeout: 40_000, intervals: [250] });
  await log.evaluate((el) => {
    el.scrollTop = 0;
    el.dispatchEvent(new Event('scroll'));
  });
  await expect(demo.getByTestId('log-paused')).toBeVisible();
  await demo.getByTestId('send-now').click();
  await page.waitForTimeout(500);
  expect(await log.evaluate((el) => el.scrollTop)).toBe(0);
  await demo.getByRole('button', { name: 'Jump to newest' }).click();
  await expect(demo.getByTestId('log-paused')).toBeHidden();

  await demo.getByTestId('filter-info').uncheck();
  await expect(log.locator('.hd-lvl-info')).toHaveCount(0);
  await demo.getByTestId('toggle').click();
  expect(problems).toEqual([]);
});

test("an attendee's shared controls are shown as the trainer's, with the reason, in both locales", async ({
  browser,
}) => {
  // A request that came through a proxy is never the trainer, even from this machine: the
  // header makes this browser an ordinary attendee.
  const context = await browser.newContext({ extraHTTPHeaders: { 'X-Forwarded-For': '10.0.0.2' } });
  const page = await context.newPage();
  const problems = watchProblems(page);
  for (const [path, reason] of [
    ['/en/sse/', 'The trainer sets this rate'],
    ['/sse/', '速率由讲师设置'],
  ] as const) {
    const demo = await openDemo(page, path, 'sse-demo');
    await expect(demo.getByTestId('rate')).toBeDisabled();
    await expect(demo.getByTestId('rate-trainer-only')).toContainText(reason);
  }
  const res = await page.request.post('/api/ticker', { data: { rate: 5 } });
  expect(res.status()).toBe(403);
  expect(await res.json()).toMatchObject({ needs: 'trainer', control: 'ticker-rate' });
  expect(problems.list).toEqual([]);
  await context.close();
});
