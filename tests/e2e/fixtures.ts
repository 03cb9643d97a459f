import { test as base, expect, type Page } from '@playwright/test';

/** Problems a page reported while a test ran: console errors, failed or 4xx/5xx requests. */
export interface PageProblems {
  list: string[];
}

/** Records console errors and failed requests on a page. */
export function watchProblems(
  page: Page,
  allow: (url: string) => boolean = () => false,
): PageProblems {
  const problems: PageProblems = { list: [] };
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.list.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.list.push(`pageerror: ${err.message}`));
  page.on('requestfailed', (req) => {
    const why = req.failure()?.errorText ?? '';
    // ERR_ABORTED is the page cancelling its own request (a demo's stop button aborts the poll
    // in flight; a navigation cancels what was loading): a choice, not a failure.
    if (why === 'net::ERR_ABORTED' || allow(req.url())) return;
    problems.list.push(`failed: ${req.url()} ${why}`);
  });
  page.on('response', (res) => {
    if (res.status() >= 400 && !allow(res.url()))
      problems.list.push(`HTTP ${res.status()}: ${res.url()}`);
  });
  return problems;
}

/** A test whose page fails the test on any console error or failed request. */
export const test = base.extend<{ problems: PageProblems }>({
  problems: async ({ page }, use) => {
    const problems = watchProblems(page);
    await use(problems);
    expect(problems.list, 'console errors or failed requests').toEqual([]);
  },
});

export { expect };
