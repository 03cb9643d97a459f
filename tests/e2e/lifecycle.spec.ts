// The real-browsers chapter's demo hook, in both locales: the SSE demo closes its stream when the
// page has been hidden for 2 s or goes offline, says why, and reconnects only when the page is
// back, resuming after its last id so that an event published meanwhile still arrives (missed 0).
import type { Locator, Page } from '@playwright/test';
import { test, expect, watchProblems } from './fixtures.ts';

const CASES = [
  { path: '/real-browsers/', open: '已连接', closed: '已关闭' },
  { path: '/en/real-browsers/', open: 'open', closed: 'closed' },
];

const counter = (demo: Locator, id: string) => demo.getByTestId(`counter-${id}`);
const count = async (demo: Locator, id: string) =>
  Number((await counter(demo, id).innerText()).replace(/[^\d]/g, ''));

/** Emulates the tab going to the background or coming back, as the browser reports it. */
async function setVisibility(page: Page, state: 'hidden' | 'visible'): Promise<void> {
  await page.evaluate((s) => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => s });
    document.dispatchEvent(new Event('visibilitychange'));
  }, state);
}

// One ticker feeds every visitor: run the locales in order.
test.describe.configure({ mode: 'default', timeout: 90_000 });

for (const c of CASES) {
  test(`${c.path}: the SSE demo pauses while hidden or offline and resumes without missing an event`, async ({
    page,
    context,
  }) => {
    // Going offline fails the stream's request in flight: that is the point, not a defect.
    const problems = watchProblems(page, (url) => url.includes('/api/sse'));
    await page.goto(c.path);
    const demo = page.getByTestId('sse-demo');
    await demo.scrollIntoViewIfNeeded();
    await expect(demo).toHaveAttribute('data-hydrated', 'true', { timeout: 15_000 });
    const notice = demo.getByTestId('lifecycle');
    await demo.getByTestId('toggle').click();
    await expect(counter(demo, 'state')).toHaveText(c.open, { timeout: 15_000 });
    await expect(async () => {
      await demo.getByTestId('send-now').click();
      expect(await count(demo, 'received')).toBeGreaterThan(0);
    }).toPass({ timeout: 20_000 });
    await expect(notice).toHaveAttribute('data-paused', '');

    // Hidden: after the 2 s grace the stream is closed and the demo says why.
    await setVisibility(page, 'hidden');
    await expect(notice).toHaveAttribute('data-paused', 'hidden', { timeout: 10_000 });
    await expect(notice).not.toBeEmpty();
    await expect(counter(demo, 'state')).toHaveText(c.closed);
    await expect(demo.getByTestId('toggle')).toHaveAttribute('aria-pressed', 'true');
    // An event published while the page is away, to be caught up on return.
    const before = await count(demo, 'received');
    await demo.getByTestId('send-now').click();
    await setVisibility(page, 'visible');
    await expect(notice).toHaveAttribute('data-paused', '');
    await expect(counter(demo, 'state')).toHaveText(c.open, { timeout: 15_000 });
    await expect.poll(() => count(demo, 'received'), { timeout: 20_000 }).toBeGreaterThan(before);
    await expect(counter(demo, 'missed')).toHaveText('0');

    // Offline: paused at once; back online: reconnected.
    await context.setOffline(true);
    await expect(notice).toHaveAttribute('data-paused', 'offline');
    await expect(counter(demo, 'state')).toHaveText(c.closed);
    await context.setOffline(false);
    await expect(notice).toHaveAttribute('data-paused', '');
    await expect(counter(demo, 'state')).toHaveText(c.open, { timeout: 15_000 });
    await expect(counter(demo, 'missed')).toHaveText('0');
    await demo.getByTestId('toggle').click();
    expect(problems.list).toEqual([]);
  });
}
