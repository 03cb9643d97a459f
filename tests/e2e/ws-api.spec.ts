// The WebSocket chapter's "browser API in depth" lesson: its diagram reads on a phone, and the
// chat's frame inspector shows the API's rules happening for real in Chromium: a binary frame,
// a close the browser refuses (1001 from script), an application close (4001) with wasClean,
// and the server's 1009 for an oversized message.
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';

/** The smallest text of the page's fragment diagram, in CSS pixels as drawn. */
async function smallestDiagramText(page: Page, title: string): Promise<number> {
  const svg = page
    .locator('figure.lab-figure svg')
    .filter({ has: page.locator('title', { hasText: title }) });
  return svg.evaluate((el) => {
    const scale = el.getBoundingClientRect().width / (el as SVGSVGElement).viewBox.baseVal.width;
    return Math.min(
      ...[...el.querySelectorAll('text')].map(
        (t) => parseFloat(getComputedStyle(t).fontSize) * scale,
      ),
    );
  });
}

test('the frame inspector shows opcodes, close codes, wasClean and a refused close()', async ({
  page,
}) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto('/en/websocket/');
  expect(
    await smallestDiagramText(page, 'A fragmented message with a ping in the middle'),
  ).toBeGreaterThanOrEqual(12);

  const demo = page.getByTestId('chat-demo');
  await demo.scrollIntoViewIfNeeded();
  await expect(page.locator('astro-island:has([data-testid="chat-demo"])')).not.toHaveAttribute(
    'ssr',
  );
  const room = `api-${Math.random().toString(36).slice(2, 8)}`;
  await page.getByTestId('chat-nick').fill('tester');
  await page.getByTestId('chat-room').fill(room);
  await page.getByTestId('chat-room').press('Enter');
  const state = page.getByTestId('chat-state');
  await expect(state).toHaveText('Open');
  const frames = page.getByTestId('chat-frames');
  const api = page.getByTestId('chat-api');

  // A binary message goes out as opcode 0x2 (3 bytes); the chat answers in text: bad_json.
  await api.getByRole('button', { name: 'Send a binary frame' }).click();
  const binary = frames.locator('tbody[data-dir="out"][data-opcode="binary"]').first();
  await expect(binary).toContainText('binary');
  await expect(binary).toContainText('3 B');
  await expect(
    frames.locator('tbody[data-dir="in"][data-opcode="text"]').filter({ hasText: 'bad_json' }),
  ).toHaveCount(1);

  // close(1001) from script: the browser throws before sending anything; still open.
  await api.getByRole('button', { name: 'Try close(1001)' }).click();
  await expect(page.getByTestId('chat-close-refused')).toContainText('InvalidAccessError');
  await expect(state).toHaveText('Open');

  // An application code: the server echoes it, the closing handshake completes.
  await api.getByRole('button', { name: 'Close with 4001' }).click();
  await expect(page.getByTestId('chat-close')).toContainText('code 4001');
  await expect(page.getByTestId('chat-close')).toContainText('private to the application');
  await expect(page.getByTestId('chat-was-clean')).toHaveText('wasClean: true');

  // The client reconnects; then one message over 16 KiB makes the server close with 1009.
  await expect(state).toHaveText('Open', { timeout: 30_000 });
  await api.getByRole('button', { name: 'Send 17 KiB' }).click();
  // Exactly 17 × 1024 bytes of payload in one text message.
  await expect(
    frames.locator('tbody[data-dir="out"][data-opcode="text"]').filter({ hasText: '17408 B' }),
  ).toHaveCount(1);
  await expect(page.getByTestId('chat-close')).toContainText('code 1009');
  await expect(page.getByTestId('chat-close')).toContainText('message too big');
  await expect(state).toHaveText('Open', { timeout: 30_000 });

  // The Chinese page carries the same diagram and controls.
  await page.goto('/websocket/');
  expect(await smallestDiagramText(page, '中间夹着 ping 的分片消息')).toBeGreaterThanOrEqual(12);
});
