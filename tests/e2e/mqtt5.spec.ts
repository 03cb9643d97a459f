// The MQTT lab's MQTT 5.0 experiments in Chromium, against the lab started with
// `--broker mosquitto` (the `chromium-mosquitto` project of playwright.config.ts). Each test walks
// several experiments on one page load; each experiment is one step, with its report and the
// packets it left in the diagram, properties and reason codes decoded.
import { test, expect } from './fixtures.ts';
import type { Locator, Page } from '@playwright/test';

/** Waits until the island is hydrated and knows this server's broker (and its versions). */
async function ready(page: Page): Promise<void> {
  // The island hydrates once visible; the 5.0 section is mounted after it.
  await page.getByTestId('mqtt-lab').scrollIntoViewIfNeeded();
  await page.getByTestId('mqtt-v5').scrollIntoViewIfNeeded();
  await expect(page.getByTestId('mqtt-v5-run-sessionExpiry')).toBeEnabled({ timeout: 20_000 });
}

/** Runs one experiment and returns its report, once it is there. */
async function run(page: Page, name: string): Promise<Locator> {
  await page.getByTestId(`mqtt-v5-run-${name}`).click();
  const report = page.getByTestId(`mqtt-v5-${name}`);
  await expect(report).not.toBeEmpty({ timeout: 20_000 });
  // The next experiment's button comes back once this one has finished.
  await expect(page.getByTestId(`mqtt-v5-run-${name}`)).toBeEnabled();
  return report;
}

/**
 * Opens the diagram's rows of a packet type and direction, newest first, until one's decoded
 * fields contain `expected` (compared without white space, which the layout adds between a field
 * and its value). The diagram may show an experiment's last packets a moment after its report,
 * so the search is repeated until it finds the row.
 */
async function fields(page: Page, type: string, dir: 'in' | 'out', expected: string | RegExp) {
  const rows = page
    .getByTestId('mqtt-diagram')
    .locator(`tr[data-type="${type}"][data-dir="${dir}"]`);
  const shown = page.getByTestId('mqtt-fields');
  await expect(async () => {
    const n = await rows.count();
    const seen: string[] = [];
    for (let i = n - 1; i >= Math.max(0, n - 12); i--) {
      await rows.nth(i).getByRole('button').click();
      const text = ((await shown.textContent()) ?? '').replace(/\s+/g, '');
      seen.push(text);
      if (
        typeof expected === 'string'
          ? text.includes(expected.replace(/\s+/g, ''))
          : expected.test(text)
      )
        return;
    }
    throw new Error(`no ${type} ${dir} row with ${String(expected)} among:\n${seen.join('\n')}`);
  }).toPass({ timeout: 10_000 });
}

test.describe('the MQTT 5.0 experiments against the managed Mosquitto', () => {
  // Four experiments per page load, two of them waiting out an expiry of a few seconds.
  test.setTimeout(120_000);
  test('English: session expiry, reason codes, user properties, topic aliases', async ({
    page,
    problems,
  }) => {
    await page.goto('/en/mqtt/');
    await ready(page);
    // Mosquitto speaks 5.0: no 3.1.1-only warning, whichever protocol is chosen.
    await page.getByTestId('mqtt-protocol').selectOption('5');
    await expect(page.getByTestId('mqtt-v311-note')).toHaveCount(0);
    await expect(page.getByTestId('mqtt-v5-unsupported')).toHaveCount(0);

    await test.step('session expiry: kept within 2 s, gone after', async () => {
      const report = await run(page, 'sessionExpiry');
      await expect(report).toContainText(
        'Back at once: Session Present yes, queued: while away 1.',
      );
      await expect(report).toContainText('(expiry 2 s): Session Present no, queued: nothing.');
      await fields(page, 'CONNECT', 'out', 'prop.sessionExpiryInterval2');
    });

    await test.step('reason codes: the refusals explain themselves', async () => {
      const report = await run(page, 'reasonCodes');
      await expect(report).toContainText('CONNACK to an unknown user name and password: 0x87');
      await expect(report).toContainText(
        'SUBACK to an anonymous SUBSCRIBE to #: 0x87 Not authorized',
      );
      await expect(report).toContainText('under vehicle/: 0x87 Not authorized');
      await expect(report).toContainText('nobody subscribed to: 0x10 No matching subscribers');
      await expect(report).toContainText('the will reached the subscriber: yes');
      await fields(page, 'PUBACK', 'in', 'reasonCode0x10');
      await fields(page, 'DISCONNECT', 'out', 'reasonCode0x04');
    });

    await test.step('user properties reach the subscriber unchanged', async () => {
      const report = await run(page, 'userProperties');
      await expect(report).toContainText(
        'schema=reading/v2, unit=°C. The subscriber got: traceId=',
      );
      await fields(page, 'PUBLISH', 'in', '"schema":"reading/v2"');
    });

    await test.step('topic aliases: bytes saved per message, from the packet sizes', async () => {
      const report = await run(page, 'topicAlias');
      const text = (await report.textContent()) ?? '';
      const m =
        /allows (\d+) aliases\. With the full topic a PUBLISH is (\d+) bytes; the first with the alias (\d+) bytes; each later one (\d+) bytes: (\d+) bytes saved per message\. The subscriber got 10 messages/.exec(
          text,
        );
      expect(m, text).not.toBeNull();
      const [max, plain, first, aliased, saved] = m!.slice(1).map(Number);
      expect(max).toBeGreaterThan(0);
      // The alias is two bytes plus its identifier: the first packet is 3 bytes larger.
      expect(first! - plain!).toBe(3);
      expect(saved).toBe(plain! - aliased!);
      // The topic is about 53 bytes; an aliased packet drops it and adds 3 bytes of property.
      expect(saved).toBeGreaterThan(40);
      // The diagram's last sent PUBLISH is an aliased one: empty topic, alias 1, and its size.
      const sent = page
        .getByTestId('mqtt-diagram')
        .locator('tr[data-type="PUBLISH"][data-dir="out"]')
        .last();
      await expect(sent.locator('td').nth(5)).toHaveText(String(aliased));
      await fields(page, 'PUBLISH', 'out', 'prop.topicAlias1');
    });
    expect(problems.list).toEqual([]);
  });

  test('中文：消息过期、共享订阅、请求/响应、保留消息处理与 No Local', async ({
    page,
    problems,
  }) => {
    await page.goto('/mqtt/');
    await ready(page);

    await test.step('message expiry: the 1 s message is gone, the other one arrives', async () => {
      const report = await run(page, 'messageExpiry');
      await expect(report).toContainText('订阅者收到：“firmware 2.1 available”（过期时间');
      await expect(report).not.toContainText('收到：“brake now”');
      // [MQTT-3.3.2-6]: forwarded with what is left of its 60 s.
      await fields(page, 'PUBLISH', 'in', /prop\.messageExpiryInterval5\d/);
    });

    await test.step('shared subscription: ten messages split across two members', async () => {
      const report = await run(page, 'shared');
      const text = (await report.textContent()) ?? '';
      const m = /两个成员分别收到 (\d+) 条和 (\d+) 条；普通订阅者收到 10 条/.exec(text);
      expect(m, text).not.toBeNull();
      const [a, b] = m!.slice(1).map(Number);
      expect(a! + b!).toBe(10);
      expect(a).toBeGreaterThan(0);
      expect(b).toBeGreaterThan(0);
      await fields(page, 'SUBSCRIBE', 'out', '$share/workers-');
    });

    await test.step('request/response: the correlation data comes back', async () => {
      const report = await run(page, 'requestResponse');
      await expect(report).toContainText(
        /收到回复“21\.5”，关联数据“(req-[0-9a-f]+-1)”（发送的是“\1”）/,
      );
      await fields(page, 'PUBLISH', 'out', 'prop.responseTopiclab/exp-');
      await fields(page, 'PUBLISH', 'out', 'prop.correlationDatareq-');
    });

    await test.step('retain handling 0/1/2 and no local', async () => {
      const report = await run(page, 'retainOptions');
      await expect(report).toContainText('Retain Handling 0，新订阅：收到保留消息：是');
      await expect(report).toContainText('Retain Handling 1，新订阅：收到保留消息：是');
      await expect(report).toContainText('Retain Handling 1，同一订阅再订一次：收到保留消息：否');
      await expect(report).toContainText('Retain Handling 2，新订阅：收到保留消息：否');
      await expect(report).toContainText(
        'No Local：发布者收到自己的消息：否；另一个订阅者收到：是',
      );
      await fields(page, 'SUBSCRIBE', 'out', 'no local');
    });
    expect(problems.list).toEqual([]);
  });
});
