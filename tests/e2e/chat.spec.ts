import type { Browser, BrowserContext, Page } from '@playwright/test';
import { expect, test, watchProblems, type PageProblems } from './fixtures.ts';

interface Tab {
  context: BrowserContext;
  page: Page;
  problems: PageProblems;
}

/** A fresh browser context (its own cookies and storage, like a second browser) on the chapter. */
async function openTab(browser: Browser, path = '/en/websocket/'): Promise<Tab> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems = watchProblems(page);
  await page.goto(path);
  const demo = page.getByTestId('chat-demo');
  await demo.scrollIntoViewIfNeeded();
  // client:visible: wait until the island has hydrated before typing into it.
  await expect(page.locator('astro-island:has([data-testid="chat-demo"])')).not.toHaveAttribute(
    'ssr',
  );
  return { context, page, problems };
}

/** Connects with the keyboard: type a nick and a room, press Enter. */
async function connect(tab: Tab, nick: string, room: string, openText = 'Open'): Promise<void> {
  const { page } = tab;
  await page.getByTestId('chat-nick').fill(nick);
  await page.getByTestId('chat-room').fill(room);
  await page.getByTestId('chat-room').press('Enter');
  await expect(page.getByTestId('chat-state')).toHaveText(openText);
  await expect(page.getByTestId('chat-note').first()).toBeVisible();
}

async function say(tab: Tab, text: string): Promise<void> {
  const input = tab.page.getByLabel('Message', { exact: true });
  await input.fill(text);
  await input.press('Enter');
  await expect(input).toHaveValue('');
}

const texts = (tab: Tab): Promise<string[]> => tab.page.getByTestId('chat-text').allTextContents();

const uniqueRoom = (prefix: string): string =>
  `${prefix}-${Math.random().toString(36).slice(2, 8)}`;

async function closeAll(...tabs: Tab[]): Promise<void> {
  for (const tab of tabs) {
    expect(tab.problems.list, 'console errors or failed requests').toEqual([]);
    await tab.context.close();
  }
}

test.describe('WebSocket chat demo', () => {
  // Several browsers and a paced client (8 frames/s) on a shared machine: allow time.
  test.describe.configure({ timeout: 90_000 });

  test('two browsers chat in a room; a third in another room hears nothing', async ({
    browser,
  }) => {
    const room = uniqueRoom('e2e');
    const ann = await openTab(browser);
    const bob = await openTab(browser);
    const cat = await openTab(browser, '/websocket/'); // the zh-CN page talks to the same server
    await connect(ann, 'ann', room);
    await connect(bob, 'bob', room);
    await connect(cat, 'cat', uniqueRoom('other'), '已连接');
    await expect(ann.page.getByText('In this room: ann, bob')).toBeVisible();

    await say(ann, 'hello bob');
    await say(bob, 'hi ann');
    for (const tab of [ann, bob]) {
      await expect.poll(() => texts(tab)).toEqual(['hello bob', 'hi ann']);
    }
    // The inspector shows the frames with their size, and the echoed handshake headers.
    await expect(
      ann.page.getByTestId('chat-frames').locator('tbody[data-dir="out"][data-type="chat"]'),
    ).toHaveCount(1);
    await ann.page.getByText('Handshake (HTTP upgrade)').click();
    await expect(ann.page.getByTestId('chat-handshake-request')).toContainText(
      /Sec-WebSocket-Key: \S+/,
    );
    await expect(ann.page.getByTestId('chat-handshake-response')).toContainText(
      /101 Switching Protocols/,
    );
    await expect(cat.page.getByTestId('chat-text')).toHaveCount(0);
    await closeAll(ann, bob, cat);
  });

  test('a dropped or offline connection reconnects and shows the missed messages once', async ({
    browser,
  }) => {
    const room = uniqueRoom('resume');
    const ann = await openTab(browser);
    const bob = await openTab(browser);
    await connect(ann, 'ann', room);
    await connect(bob, 'bob', room);
    await say(ann, 'before');
    await expect.poll(() => texts(bob)).toEqual(['before']);

    // Drop: the server destroys bob's socket; the page sees 1006 and reconnects by itself.
    await bob.page.getByTestId('chat-drop').click();
    await expect(bob.page.getByTestId('chat-close')).toContainText('code 1006');
    await say(ann, 'during the drop');
    await expect(bob.page.getByTestId('chat-state')).toHaveText('Open');
    await say(ann, 'after the drop');
    await expect.poll(() => texts(bob)).toEqual(['before', 'during the drop', 'after the drop']);

    // Offline: nothing arrives while away; back online, the replay brings exactly what was missed.
    await bob.page.getByLabel('Go offline').check();
    await expect(bob.page.getByTestId('chat-state')).toHaveText('Offline (simulated)');
    await say(ann, 'missed one');
    await say(ann, 'missed two');
    await expect.poll(() => texts(ann)).toContain('missed two');
    expect(await texts(bob)).toEqual(['before', 'during the drop', 'after the drop']);
    await bob.page.getByLabel('Go offline').uncheck();
    await expect(bob.page.getByTestId('chat-state')).toHaveText('Open');
    await expect(bob.page.getByText('Reconnected: 2 missed messages replayed')).toBeVisible();
    await expect
      .poll(() => texts(bob))
      .toEqual(['before', 'during the drop', 'after the drop', 'missed one', 'missed two']);
    // And a message bob wrote while offline is delivered once after he is back.
    await bob.page.getByLabel('Go offline').check();
    await say(bob, 'written offline');
    await bob.page.getByLabel('Go offline').uncheck();
    await expect
      .poll(async () => (await texts(ann)).filter((t) => t === 'written offline'))
      .toEqual(['written offline']);
    await expect(bob.page.locator('[data-testid="chat-line"][data-status="pending"]')).toHaveCount(
      0,
    );
    await closeAll(ann, bob);
  });

  test('messages that look like HTML never run and show as literal text', async ({ browser }) => {
    const payloads = [
      '<script>window.__xss=1</script>',
      '<img src=x onerror="window.__xss=2">',
      '<svg onload="window.__xss=3"></svg>',
      '<iframe srcdoc="<script>parent.__xss=4</script>"></iframe>',
      '<body onload="window.__xss=5">',
      '"><img src=x onerror=window.__xss=6>',
      "'><svg/onload=window.__xss=7>",
      '<details open ontoggle="window.__xss=8">',
      '<input autofocus onfocus="window.__xss=9">',
      '<video><source onerror="window.__xss=10"></video>',
      '<math><mtext><img src=x onerror="window.__xss=11"></mtext></math>',
      "{@html '<img src=x onerror=window.__xss=12>'}",
      '<object data="javascript:window.__xss=13"></object>',
      '<a href="javascript:window.__xss=14" id="xss-link">link</a>',
      'javascript:window.__xss=15',
      '<img src=x onerror=&#x77;indow.__xss=16>',
      '</li></ol><img src=x onerror="window.__xss=17">',
      '<style onload="window.__xss=18">*{}</style>',
      '<marquee onstart="window.__xss=19">x</marquee>',
      '&lt;img src=x onerror="window.__xss=20"&gt;',
    ];
    const room = uniqueRoom('xss');
    const ann = await openTab(browser);
    const bob = await openTab(browser);
    await connect(ann, 'ann', room);
    await connect(bob, '<b>bob</b>', room);
    for (const p of payloads) await say(ann, p);
    for (const tab of [ann, bob]) {
      await expect.poll(() => texts(tab), { timeout: 15_000 }).toEqual(payloads);
      // Nothing was parsed as markup: no element from any payload exists in the page.
      await expect(tab.page.locator('[data-testid="chat-messages"] img')).toHaveCount(0);
      await expect(tab.page.locator('#xss-link')).toHaveCount(0);
      expect(await tab.page.evaluate(() => (window as { __xss?: unknown }).__xss)).toBeUndefined();
    }
    // Nicks are text too.
    await expect(ann.page.getByText('In this room: ann, <b>bob</b>')).toBeVisible();
    await closeAll(ann, bob);
  });
});
