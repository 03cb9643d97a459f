// Workshop mode with three browsers: a trainer signed in with the token, and two attendees.
// It runs against its own lab (faults cut every connection of the lab they hit, which must not
// be the one the other specs share), where browsers on this machine are not trusted as the
// trainer, so the attendees are attendees.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Browser, BrowserContext, Page } from '@playwright/test';
import { WebSocket } from 'ws';
import { expect, test, watchProblems, type PageProblems } from './fixtures.ts';

const TOKEN = `e2e-workshop-${Math.random().toString(36).slice(2, 12)}`;
let server: ChildProcess;
let base = '';

// One lab for both tests (one worker), started on a free port that its banner names.
test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  server = spawn(
    process.execPath,
    ['server/cli.ts', '--port', '0', '--mqtt-port', '0', '--host', '127.0.0.1'],
    {
      env: { ...process.env, LAB_TRAINER_TOKEN: TOKEN, LAB_NO_LOCAL_TRAINER: '1', LAB_FLEET: '0' },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  base = await new Promise<string>((resolve, reject) => {
    let out = '';
    server.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /Site\s+(http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
      if (m?.[1]) resolve(m[1]);
    });
    server.once('exit', (code) => reject(new Error(`the lab exited with ${code}: ${out}`)));
  });
});

test.afterAll(() => {
  server.kill('SIGTERM');
});

interface Tab {
  context: BrowserContext;
  page: Page;
  problems: PageProblems;
}

async function open(browser: Browser, path: string): Promise<Tab> {
  const context = await browser.newContext({ baseURL: base });
  const page = await context.newPage();
  const problems = watchProblems(page);
  await page.goto(path);
  return { context, page, problems };
}

/** A chat client outside the browsers: after the fault it is back at once and speaks first. */
async function quickChat(room: string): Promise<WebSocket> {
  const ws = new WebSocket(`${base.replace('http', 'ws')}/ws/chat`);
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  ws.send(JSON.stringify({ type: 'hello', nick: 'speaker' }));
  ws.send(JSON.stringify({ type: 'join', room }));
  return ws;
}

for (const locale of ['zh-CN', 'en'] as const) {
  const prefix = locale === 'en' ? '/en' : '';

  test(`a trainer runs two attendees: announce, close every chat socket, poll (${locale})`, async ({
    browser,
  }) => {
    test.setTimeout(150_000); // three browsers and a fault on a shared machine
    if (locale === 'zh-CN') {
      // Runs first, on a fresh lab: no trainer yet, so a reader's page asks once and loads nothing.
      const reader = await open(browser, '/websocket/');
      const sockets: string[] = [];
      reader.page.on('websocket', (ws) => sockets.push(ws.url()));
      await expect
        .poll(() =>
          reader.page.evaluate(() =>
            performance.getEntriesByType('resource').some((e) => e.name.endsWith('/api/workshop')),
          ),
        )
        .toBe(true);
      await expect(reader.page.getByTestId('workshop-bar')).toHaveCount(0);
      expect(sockets.filter((u) => u.endsWith('/ws/room'))).toEqual([]);
      await reader.context.close();
    }
    const trainer = await open(browser, `${prefix}/workshop/`);
    const desk = trainer.page.getByTestId('workshop-desk');
    // Not on the lab's machine (local trust is off): the token, typed into the page.
    await expect(desk).toHaveAttribute('data-state', 'login');
    await trainer.page.getByTestId('workshop-token').fill(TOKEN);
    await trainer.page.getByTestId('workshop-login').click();
    await expect(desk).toHaveAttribute('data-state', 'ready');
    await expect(trainer.page.getByTestId('workshop-join').locator('img')).toHaveAttribute(
      'alt',
      new RegExp(`${base}${prefix}/`.replace(/[./]/g, '\\$&')),
    );

    const room = `ws-${locale.toLowerCase()}-${Math.random().toString(36).slice(2, 7)}`;
    const attendees = [
      await open(browser, `${prefix}/websocket/`),
      await open(browser, `${prefix}/websocket/`),
    ];
    for (const [i, a] of attendees.entries()) {
      await expect(a.page.getByTestId('workshop-bar')).toBeAttached();
      await a.page.getByTestId('chat-demo').scrollIntoViewIfNeeded();
      // client:visible: typing before the island hydrates would be lost.
      await expect(
        a.page.locator('astro-island:has([data-testid="chat-demo"])'),
      ).not.toHaveAttribute('ssr');
      await a.page.getByTestId('chat-nick').fill(`attendee${i}`);
      await a.page.getByTestId('chat-room').fill(room);
      await a.page.getByTestId('chat-connect').click();
      await expect(a.page.getByTestId('chat-note').first()).toBeVisible();
    }
    await expect(trainer.page.getByTestId('workshop-attendees')).toContainText('2');
    await expect(trainer.page.getByTestId('workshop-by-demo')).toContainText('chat');

    // Announce: on both attendees' pages, as a live region.
    await trainer.page.getByTestId('workshop-announce-text').fill(`Break ${locale}`);
    await trainer.page.getByTestId('workshop-announce').click();
    for (const a of attendees) {
      await expect(a.page.getByTestId('workshop-announcement')).toContainText(`Break ${locale}`);
    }

    // Close every chat socket: both chats come back, and what was said meanwhile arrives once.
    // Something said before the cut gives each chat a cursor to resume from.
    const input = attendees[0]!.page.getByTestId('chat-input');
    await input.fill('before');
    await input.press('Enter');
    for (const a of attendees) {
      await expect
        .poll(() => a.page.getByTestId('chat-text').allTextContents())
        .toEqual(['before']);
    }
    const speaker = await quickChat(room);
    const returned = new Promise<WebSocket>((resolve) =>
      speaker.once('close', () => {
        void quickChat(room).then((again) => {
          again.send(JSON.stringify({ type: 'chat', room, text: 'while away', clientMsgId: 'm1' }));
          resolve(again);
        });
      }),
    );
    await trainer.page.getByTestId('workshop-fault-close-chat').click();
    const report = trainer.page.getByTestId('workshop-fault-report').first();
    await expect(report).toHaveAttribute('data-touched', '3');
    for (const a of attendees) {
      await expect(
        a.page.locator('[data-testid="chat-note"][data-note="resumedNote"]'),
      ).toHaveCount(1);
      await expect
        .poll(() => a.page.getByTestId('chat-text').allTextContents())
        .toEqual(['before', 'while away']);
    }
    await expect(report).toHaveAttribute('data-back', '3', { timeout: 20_000 });
    (await returned).close();

    // A poll: both answer from the banner, the trainer's tally counts them.
    await trainer.page.getByTestId('workshop-poll-question').fill('SSE or WebSocket?');
    const choices = trainer.page.getByTestId('workshop-poll-choice');
    await choices.nth(0).fill('SSE');
    await choices.nth(1).fill('WebSocket');
    await trainer.page.getByTestId('workshop-poll-start').click();
    await attendees[0]!.page.getByTestId('workshop-choice').nth(1).click();
    await attendees[1]!.page.getByTestId('workshop-choice').nth(1).click();
    await expect(trainer.page.getByTestId('workshop-tally-count')).toHaveText(['0', '2']);
    await expect(attendees[0]!.page.getByTestId('workshop-choice').nth(1)).toHaveAttribute(
      'aria-pressed',
      'true',
    );

    for (const tab of [trainer, ...attendees]) {
      expect(tab.problems.list, 'console errors or failed requests').toEqual([]);
      await tab.context.close();
    }
  });
}
