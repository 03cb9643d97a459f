import type { Page } from '@playwright/test';
import { ROWS } from '../helpers/compare-rows.ts';
import { QUESTION_IDS, QUESTIONS } from '../../src/lib/quiz/questions.ts';
import { test, expect, watchProblems } from './fixtures.ts';

/** Scrolls an island into view and waits until it has hydrated (Astro drops `ssr` then). */
async function hydrated(page: Page, component: string): Promise<void> {
  const island = page.locator(`astro-island[component-url*="${component}"]`);
  // The island element itself has `display: contents`; scroll its content into view instead.
  await island.locator(':scope > *').first().scrollIntoViewIfNeeded();
  await expect(island).not.toHaveAttribute('ssr', { timeout: 15_000 });
}

// Group chat in the browser: the answers, in quiz order.
const CHAT = {
  who: 'people',
  clients: 'browser',
  dir: 'both',
  subset: 'subset',
  loss: 'live',
  count: 'many',
  rate: 'steady',
  latency: 'instant',
  size: 'small',
  net: 'good',
  infra: 'open',
  team: 'service',
} as const;

test.describe('selection quiz', () => {
  test('answered by keyboard alone, gives a reasoned pick that survives a shared link and Back', async ({
    page,
    context,
    problems,
  }) => {
    await page.goto('/en/choosing/');
    await hydrated(page, 'SelectionQuizDemo');
    const quiz = page.getByTestId('quiz');
    await expect(page.getByTestId('quiz-summary')).toHaveText(/Answer all 12 questions/);

    // Focus lands on the first radio of the first question; from there only keys are used:
    // Space picks, arrow keys move within a question, Tab goes on to the next question.
    await quiz.getByRole('radio').first().focus();
    for (const q of QUESTION_IDS) {
      await page.keyboard.press('Space');
      const index = (QUESTIONS[q] as readonly string[]).indexOf(CHAT[q]);
      for (let i = 0; i < index; i++) await page.keyboard.press('ArrowDown');
      await expect(
        quiz
          .getByRole('group', { name: new RegExp(`^${QUESTION_IDS.indexOf(q) + 1}\\.`) })
          .getByRole('radio', { checked: true }),
      ).toHaveValue(CHAT[q]);
      await page.keyboard.press('Tab');
    }

    const summary = page.getByTestId('quiz-summary');
    await expect(summary).toHaveText(/Top pick: WebSocket; runner-up: /);
    await expect(summary).toHaveAttribute('aria-live', 'polite');
    await expect(page.getByTestId('quiz-top')).toHaveAttribute('data-transport', 'websocket');
    await expect(page.getByTestId('quiz-ranking').locator('li')).toHaveCount(6);
    // The reasons name the table row and link to a demo.
    const reasons = page.getByTestId('reasons-for-websocket');
    await expect(reasons).toContainText('Direction of data');
    await expect(reasons.locator('a[href="/en/websocket/#demo"]').first()).toBeVisible();
    // Behind a proxy that blocks upgrades, the chat would fall back to long polling.
    await expect(page.getByTestId('quiz-changes')).toContainText('Long polling');

    const shared = page.url();
    for (const [q, a] of Object.entries(CHAT)) expect(shared).toContain(`${q}=${a}`);

    // The same link in a new page shows the same result.
    const other = await context.newPage();
    const otherProblems = watchProblems(other);
    await other.goto(shared);
    await hydrated(other, 'SelectionQuizDemo');
    await expect(other.getByTestId('quiz-top')).toHaveAttribute('data-transport', 'websocket');
    await expect(other.getByTestId('quiz-summary')).toHaveText(await summary.innerText());
    await expect(other.getByRole('radio', { name: /People interacting/ })).toBeChecked();
    expect(otherProblems.list).toEqual([]);
    await other.close();

    // Back undoes one step at a time: the last arrow key (minimal → service), then the first pick.
    await page.goBack();
    await expect(page).toHaveURL(/team=minimal/);
    await expect(page.getByRole('radio', { name: /As little as possible/ })).toBeChecked();
    await page.goBack();
    await expect(page).not.toHaveURL(/team=/);
    await expect(page.getByTestId('quiz-summary')).toHaveText(/1 to go/);
    await expect(
      quiz.getByRole('group', { name: /^12\./ }).getByRole('radio', { checked: true }),
    ).toHaveCount(0);
    await page.goForward();
    await page.goForward();
    await expect(page.getByTestId('quiz-top')).toHaveAttribute('data-transport', 'websocket');
    await expect(page.getByRole('radio', { name: /Our own server code/ })).toBeChecked();

    // Start over, by keyboard.
    await page.getByTestId('quiz-reset').focus();
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('quiz-summary')).toHaveText(/12 to go/);
    await expect(quiz.getByRole('radio', { checked: true })).toHaveCount(0);
    await expect(page).not.toHaveURL(/who=/);
    expect(problems.list).toEqual([]);
  });

  test('works in Chinese, with a combination result from a shared link, and shows a tie as a tie', async ({
    page,
    problems,
  }) => {
    const fleet =
      'who=machines&clients=both&dir=both&subset=subset&loss=offline&count=huge&rate=steady&latency=instant&size=small&net=mobile&infra=open&team=broker';
    await page.goto(`/choosing/?${fleet}`);
    await hydrated(page, 'SelectionQuizDemo');
    await expect(page.getByTestId('quiz-summary')).toHaveText(/首选：MQTT over TCP/);
    await expect(page.getByTestId('quiz-combination')).toContainText('MQTT over WebSocket');
    await expect(page.getByRole('group', { name: /连接两端是谁/ })).toBeVisible();
    await expect(page.locator('a[href="/mqtt/#demo"]').first()).toBeVisible();
    await expect(page.getByTestId('quiz-tie')).toHaveCount(0);

    // Viewers instead of machines: both MQTT transports now score the same, and the quiz says so
    // rather than naming one of them by list order.
    await page.getByRole('radio', { name: /人在看数据变化/ }).check();
    await expect(page.getByTestId('quiz-top')).toHaveAttribute('data-transport', 'mqtt mqtt-ws');
    await expect(page.getByTestId('quiz-top')).toContainText('首选（并列）');
    await expect(page.getByTestId('quiz-summary')).toHaveText(
      '首选：MQTT over TCP和MQTT over WebSocket（并列）；次选：WebSocket。',
    );
    await expect(page.getByTestId('quiz-tie')).toBeVisible();
    await expect(page.getByTestId('quiz-combination')).toContainText('MQTT over WebSocket');
    expect(problems.list).toEqual([]);
  });
});

test.describe('comparison table', () => {
  test('columns and "only differences" can be toggled, and the link keeps the choice', async ({
    page,
    problems,
  }) => {
    await page.goto('/en/comparison/?cols=sse,websocket');
    await hydrated(page, 'ComparisonTableDemo');
    const table = page.getByTestId('compare-table');
    // The controls hide the static table's cells and rows rather than removing them.
    const headers = table.locator('thead th:visible');
    await expect(headers).toHaveText(['Aspect', 'SSE', 'WebSocket']);
    await expect(table.locator('tbody tr[data-row]:visible')).toHaveCount(ROWS.length);
    await expect(table.locator('tr[data-row="model"] td:visible')).toHaveCount(2);

    await page.getByTestId('col-mqtt').check();
    await expect(headers).toHaveText(['Aspect', 'SSE', 'WebSocket', 'MQTT over TCP']);
    await expect(page).toHaveURL(/cols=sse,websocket,mqtt(&|$)/);

    await page.getByTestId('col-sse').uncheck();
    await page.getByTestId('col-websocket').uncheck();
    // The last column cannot be removed.
    await expect(page.getByTestId('col-mqtt')).toBeDisabled();
    await page.getByTestId('col-mqtt-ws').check();
    await expect(headers).toHaveText(['Aspect', 'MQTT over TCP', 'MQTT over WebSocket']);

    // MQTT over TCP and over WebSocket agree on most rows; only the differences remain.
    await page.getByTestId('only-differences').check();
    await expect(page).toHaveURL(/diff=1/);
    const rows = table.locator('tbody tr[data-row]:visible');
    await expect(rows.first()).toBeVisible();
    const shown = await rows.count();
    expect(shown).toBeLessThan(ROWS.length);
    await expect(table.locator('tr[data-row="browser"]')).toBeVisible();
    await expect(table.locator('tr[data-row="reliability"]')).toBeHidden();
    await expect(page.getByTestId('compare-status')).toContainText(
      `${shown} of ${ROWS.length} rows`,
    );

    // A reader opening the link sees the same comparison.
    await page.reload();
    await hydrated(page, 'ComparisonTableDemo');
    await expect(headers).toHaveText(['Aspect', 'MQTT over TCP', 'MQTT over WebSocket']);
    await expect(rows).toHaveCount(shown);
    await expect(page.getByTestId('only-differences')).toBeChecked();

    // Each cell explains itself and links to its demo.
    const cell = table.locator('tr[data-row="browser"] td[data-col="mqtt-ws"]');
    await cell.getByText('Why?').click();
    await expect(cell).toContainText('Source: MQTT 3.1.1 §6');
    await expect(cell.getByRole('link')).toHaveAttribute(
      'href',
      '/en/mqtt-over-websocket/#why-websocket',
    );

    await page.getByTestId('only-differences').uncheck();
    await page.getByRole('button', { name: 'Show all columns' }).click();
    await expect(headers).toHaveCount(7);
    await expect(page).not.toHaveURL(/cols=|diff=/);
    expect(problems.list).toEqual([]);
  });

  test('is readable in Chinese, and on a phone the aspect column stays in view', async ({
    page,
    problems,
  }) => {
    await page.setViewportSize({ width: 390, height: 800 });
    // Every attribute written inside the table while the page loads and the island hydrates.
    await page.addInitScript(() => {
      const w = window as unknown as { tableWrites: string[] };
      w.tableWrites = [];
      new MutationObserver((records) => {
        for (const r of records)
          if (r.target instanceof Element && r.target.closest('table'))
            w.tableWrites.push(`${r.target.nodeName} ${r.attributeName}`);
      }).observe(document, { attributes: true, subtree: true });
    });
    await page.goto('/comparison/');
    await hydrated(page, 'ComparisonTableDemo');
    // The server's table already shows every column and row: hydrating writes nothing into it
    // (a colspan set again makes the browser lay the whole table out anew, on a phone's CPU).
    await page.evaluate(() => new Promise((done) => requestAnimationFrame(done)));
    expect(
      await page.evaluate(() => (window as unknown as { tableWrites: string[] }).tableWrites),
    ).toEqual([]);
    const table = page.getByTestId('compare-table');
    await expect(table.locator('thead th').first()).toHaveText('对比项');
    await expect(table).toContainText('全双工');
    const scroller = page.getByRole('region', { name: '实时通信方式对比表' }).last();
    await scroller.evaluate((el) => (el.scrollLeft = 400));
    const first = table.locator('tr[data-row="model"] th');
    const box = await first.boundingBox();
    const scrollBox = await scroller.boundingBox();
    expect(Math.abs((box?.x ?? 0) - (scrollBox?.x ?? 0))).toBeLessThan(4);
    expect(problems.list).toEqual([]);
  });

  test('prints without the controls and with every reason shown', async ({ page, problems }) => {
    await page.goto('/en/comparison/');
    await hydrated(page, 'ComparisonTableDemo');
    const why = page.getByText('a live connection neither loses nor reorders frames');
    await expect(why).toBeHidden();
    await page.emulateMedia({ media: 'print' });
    await expect(page.getByTestId('only-differences')).toBeHidden();
    await expect(why).toBeVisible();
    await expect(page.getByText('Why?').first()).toBeHidden();
    expect(problems.list).toEqual([]);
  });

  test('without JavaScript the whole table is still in the page', async ({ browser }) => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto('/en/comparison/');
    const table = page.getByTestId('compare-table');
    await expect(table.locator('tbody tr[data-row]')).toHaveCount(ROWS.length);
    await expect(table.locator('thead th')).toHaveCount(7);
    await context.close();
  });
});
