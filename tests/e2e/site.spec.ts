import { CHAPTERS } from '../../src/lib/chapters.ts';
import { test, expect } from './fixtures.ts';

test('the sidebar lists the chapters in the planned order', async ({ page, problems }) => {
  await page.goto('/en/overview/');
  const hrefs = await page
    .locator('nav.sidebar a[href]')
    .evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  expect(hrefs).toEqual(CHAPTERS.map((slug) => `/en/${slug}/`));
  expect(problems.list).toEqual([]);
});

test('the language picker switches between zh-CN and English on the same chapter', async ({
  page,
  problems,
}) => {
  await page.goto('/sse/');
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await page.locator('starlight-lang-select select').first().selectOption({ label: 'English' });
  await expect(page).toHaveURL(/\/en\/sse\/$/);
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  // The picker is a custom element: it only navigates once its script has run.
  await page.waitForLoadState('load');
  await page.locator('starlight-lang-select select').first().selectOption({ label: '简体中文' });
  await expect(page).toHaveURL(/\/sse\/$/);
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  expect(problems.list).toEqual([]);
});

for (const { prefix, label, found } of [
  { prefix: '', label: '搜索', found: /^找到 \d+ 条与 Last-Event-ID 相关的结果$/ },
  { prefix: '/en', label: 'Search', found: /^\d+ results? for Last-Event-ID$/ },
]) {
  test(`search at ${prefix || '/'} loads only when opened, by click or keyboard, and finds a chapter`, async ({
    page,
    problems,
  }) => {
    // Anything of Pagefind's: its UI chunk (`ui-core`, from @pagefind/default-ui) or its index.
    const pagefind = /\/pagefind\/|\/ui-core\.[^/]*\.js$/;
    const fetched: string[] = [];
    page.on('request', (req) => fetched.push(req.url()));
    await page.goto(`${prefix}/comparison/`);
    await page.waitForLoadState('load');
    // Starlight's own search built the UI in an idle callback after load: let two go by, then
    // let the requests that would have started settle.
    await page.evaluate(
      () => new Promise((done) => requestIdleCallback(() => requestIdleCallback(done))),
    );
    await page.waitForLoadState('networkidle');
    expect(fetched.filter((url) => pagefind.test(url))).toEqual([]);

    const button = page.getByRole('button', { name: label, exact: true });
    const dialog = page.getByRole('dialog', { name: label });
    const input = dialog.getByRole('searchbox').or(dialog.getByRole('textbox')).first();

    // "/" opens search from the page; Escape closes it and focus lands on the search button.
    await page.keyboard.press('/');
    await expect(input).toBeFocused({ timeout: 10_000 });
    expect(fetched.some((url) => pagefind.test(url))).toBe(true);
    await input.fill('Last-Event-ID');
    // Other chapters mention the header too; the SSE chapter must be among the results, and the
    // result count reads in the page's language.
    const result = dialog.locator(`.pagefind-ui__result-link[href^="${prefix}/sse/"]`).first();
    await expect(result).toBeVisible({ timeout: 10_000 });
    await expect(dialog.locator('.pagefind-ui__message')).toHaveText(found);
    await page.keyboard.press('Escape');
    await expect(dialog).toBeHidden();
    await expect(button).toBeFocused();

    // The button opens it again (Pagefind clears its query on Escape); Ctrl+K toggles it.
    await button.click();
    await expect(input).toBeFocused();
    await input.fill('Last-Event-ID');
    await expect(result).toBeVisible({ timeout: 10_000 });
    await page.keyboard.press('Control+K');
    await expect(dialog).toBeHidden();
    await page.keyboard.press('Control+K');
    await expect(input).toBeFocused();
    await result.click();
    await expect(page).toHaveURL(new RegExp(`^[^#]*${prefix}/sse/`));
    expect(problems.list).toEqual([]);
  });
}

test('the server status badge shows the server connected, in each language', async ({
  page,
  problems,
}) => {
  await page.goto('/en/');
  const badge = page.getByTestId('server-status');
  await badge.scrollIntoViewIfNeeded();
  await expect(page.getByTestId('server-status-state')).toHaveText('Connected');
  await expect(badge).toContainText(/version \d+\.\d+\.\d+/);
  await expect(page.getByTestId('conn-mqttWs')).toHaveText(/^\d+$/);

  await page.goto('/');
  await page.getByTestId('server-status').scrollIntoViewIfNeeded();
  await expect(page.getByTestId('server-status-state')).toHaveText('已连接');
  expect(problems.list).toEqual([]);
});

test('unknown pages answer 404 with a page in the visitor’s language', async ({ page }) => {
  const zh = await page.goto('/no-such-page/');
  expect(zh?.status()).toBe(404);
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await expect(page.locator('h1')).toHaveText('找不到页面');

  const en = await page.goto('/en/no-such-page/');
  expect(en?.status()).toBe(404);
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.locator('h1')).toHaveText('Page not found');
});

test('the API never answers HTML for an unknown route', async ({ request }) => {
  const res = await request.get('/api/nothing-here');
  expect(res.status()).toBe(404);
  expect(res.headers()['content-type']).toMatch(/application\/json/);
});

test('pages and assets are sent compressed, and fingerprinted assets are cached for good', async ({
  request,
  page,
}) => {
  const html = await request.get('/en/sse/', { headers: { 'Accept-Encoding': 'br, gzip' } });
  expect(html.status()).toBe(200);
  expect(html.headers()['content-encoding']).toBe('br');
  expect(html.headers()['cache-control']).toBe('no-cache');
  expect(await html.text()).toContain('<html lang="en"');

  await page.goto('/en/');
  const script = await page
    .locator('script[type="module"][src^="/_astro/"]')
    .first()
    .getAttribute('src');
  expect(script).toBeTruthy();
  const asset = await request.get(script!, { headers: { 'Accept-Encoding': 'gzip' } });
  expect(asset.headers()['content-encoding']).toBe('gzip');
  expect(asset.headers()['cache-control']).toContain('immutable');
});

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

test('on a phone, the "on this page" bar names the section being read and folds away', async ({
  page,
  problems,
}) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto('/en/websocket/');
  const bar = page.locator('#starlight__mobile-toc');
  await expect(bar.locator('.display-current')).toHaveText('Overview');
  // Following a link in the list lands on that section, names it, and closes the list.
  await bar.locator('summary').click();
  const link = bar.locator('a[href="#code"]');
  await link.click();
  await expect(page).toHaveURL(/#code$/);
  await expect(bar).not.toHaveAttribute('open');
  await expect(bar.locator('.display-current')).toHaveText(
    (await link.textContent())?.trim() ?? '',
  );
  await expect(link).toHaveAttribute('aria-current', 'true');
  // Escape folds the open list and hands focus back to its toggle.
  await bar.locator('summary').click();
  await expect(bar).toHaveAttribute('open');
  await page.keyboard.press('Escape');
  await expect(bar).not.toHaveAttribute('open');
  await expect(bar.locator('summary')).toBeFocused();
  expect(problems.list).toEqual([]);
});
