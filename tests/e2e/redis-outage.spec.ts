// A lab on Redis (`--redis-url`) losing its Redis while two readers use demos: each page says so
// in its own language, and when Redis is back the notice goes and the demos deliver again, with
// no reload. The lab and the redis-server are this test's own, on free loopback ports.
import type { Locator, Page } from '@playwright/test';
import { test, expect, watchProblems } from './fixtures.ts';
import { startTestLab } from '../helpers/lab.ts';
import { startTestRedis } from '../helpers/redis.ts';
import { storeStrings } from '../../src/lib/i18n/store.ts';

// The only refusals expected: "send now" answered 503 while Redis is away.
const refused = /\/api\/ticker\/emit\b/;

/** Problems on `page` other than the expected 503s (and the console line Chromium logs for them). */
function watch(page: Page): () => string[] {
  const problems = watchProblems(page, (url) => refused.test(url));
  const refusedLines: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error' && refused.test(msg.location().url ?? ''))
      refusedLines.push(msg.text());
  });
  return () => problems.list.filter((p) => !refusedLines.includes(p.replace(/^console: /, '')));
}

const count = async (demo: Locator): Promise<number> =>
  Number((await demo.getByTestId('counter-received').innerText()).replace(/[^\d]/g, ''));

/** Opens a demo page, starts its demo and waits until the demo and its store notice are live. */
async function startDemo(page: Page, path: string, testid: string): Promise<Locator> {
  await page.goto(path);
  const demo = page.getByTestId(testid);
  await demo.scrollIntoViewIfNeeded();
  await expect(demo).toHaveAttribute('data-hydrated', 'true', { timeout: 15_000 });
  await demo.getByTestId('toggle').click();
  await expect.poll(() => count(demo), { timeout: 15_000 }).toBeGreaterThan(0);
  // The notice's first look at /api/health found the shared store up.
  await expect(page.getByTestId('store-notice')).toHaveAttribute('data-state', 'up', {
    timeout: 15_000,
  });
  return demo;
}

test.describe.configure({ timeout: 120_000 });

test('Redis away: demo pages say so in their language, then resume by themselves', async ({
  browser,
}) => {
  const redis = await startTestRedis();
  const lab = await startTestLab({ site: true, redisUrl: redis.url, redisLeaseMs: 1000 });
  const base = `http://127.0.0.1:${lab.port}`;
  const context = await browser.newContext({ baseURL: base });
  let redisDown = false;
  try {
    const zh = await context.newPage();
    const en = await context.newPage();
    const zhProblems = watch(zh);
    const enProblems = watch(en);
    // A reader of the Chinese short-polling chapter and one of the English SSE chapter.
    const [poll, sse] = await Promise.all([
      startDemo(zh, '/short-polling/', 'poll-demo'),
      startDemo(en, '/en/sse/', 'sse-demo'),
    ]);
    const zhNotice = zh.getByTestId('store-notice');
    const enNotice = en.getByTestId('store-notice');
    await expect(zhNotice).toBeHidden();

    await redis.kill();
    redisDown = true;
    const downAt = Date.now();
    // The poll reader presses "send now", which the lab refuses for want of Redis: the page
    // looks at once. The SSE reader does nothing and its stream simply goes quiet: the page's
    // own periodic look finds the outage.
    await poll.getByTestId('send-now').click();
    await expect(zhNotice).toHaveText(storeStrings['zh-CN'].down);
    await expect(zhNotice).toHaveAttribute('role', 'status');
    // The refusal is the notice's to say: no English server text on the Chinese page.
    await expect(poll.getByRole('alert', { includeHidden: true })).toHaveText('');
    await expect(enNotice).toHaveText(storeStrings.en.down, { timeout: 30_000 });
    console.log(`notices shown ${Date.now() - downAt} ms after Redis went away`);

    await redis.restart();
    redisDown = false;
    const upAt = Date.now();
    await expect(zhNotice).toBeHidden({ timeout: 15_000 });
    await expect(enNotice).toBeHidden({ timeout: 15_000 });
    console.log(`notices gone ${Date.now() - upAt} ms after Redis came back`);

    // Both demos deliver again, on the same page loads.
    const [pollBefore, sseBefore] = [await count(poll), await count(sse)];
    await expect(async () => {
      await poll.getByTestId('send-now').click();
      expect(await count(poll)).toBeGreaterThan(pollBefore);
    }).toPass({ timeout: 20_000 });
    await expect.poll(() => count(sse), { timeout: 20_000 }).toBeGreaterThan(sseBefore);
    await expect(poll.getByRole('alert', { includeHidden: true })).toHaveText('');

    expect(zhProblems(), 'console errors or failed requests (zh)').toEqual([]);
    expect(enProblems(), 'console errors or failed requests (en)').toEqual([]);
  } finally {
    await context.close();
    // Closing the lab waits for Redis (a failure above may have left it stopped).
    if (redisDown) await redis.restart();
    await lab.close();
    await redis.stop();
  }
});
