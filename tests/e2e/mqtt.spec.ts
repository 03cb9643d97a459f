import { test, expect } from './fixtures.ts';
import type { Page } from '@playwright/test';

/** Waits until the island is hydrated and knows this server's broker URL. */
async function ready(page: Page): Promise<void> {
  await page.getByTestId('mqtt-lab').scrollIntoViewIfNeeded();
  await expect(
    page.getByTestId('mqtt-publisher').getByRole('button', { name: /^(Connect|连接)$/ }),
  ).toBeEnabled({ timeout: 20_000 });
}

test.describe('the MQTT lab', () => {
  test('connect, subscribe, publish at QoS 2: the diagram shows the four-packet exchange', async ({
    page,
    problems,
  }) => {
    await page.goto('/en/mqtt/');
    await ready(page);
    const sub = page.getByTestId('mqtt-subscriber');
    const pub = page.getByTestId('mqtt-publisher');
    await sub.getByRole('button', { name: 'Connect', exact: true }).click();
    await expect(page.getByTestId('mqtt-subscriber-status')).toHaveText('connected');
    // Connected: connecting again would make no sense, so the button says so by being disabled.
    await expect(sub.getByRole('button', { name: 'Connect', exact: true })).toBeDisabled();
    await pub.getByRole('button', { name: 'Connect', exact: true }).click();
    await expect(page.getByTestId('mqtt-publisher-status')).toHaveText('connected');

    await sub.getByLabel('Topic filter').fill('lab/e2e/#');
    await sub.getByLabel('QoS').first().selectOption('2');
    await sub.getByRole('button', { name: 'Subscribe', exact: true }).click();
    await expect(page.getByTestId('mqtt-subscriber-suback')).toHaveText('SUBACK: lab/e2e/# → 2');

    await pub.getByLabel('Topic', { exact: true }).fill('lab/e2e/temp');
    await pub.getByLabel('Payload').fill('22.4');
    await pub.getByLabel('QoS').nth(1).selectOption('2');
    await pub.getByRole('button', { name: 'Publish' }).click();
    await expect(page.getByTestId('mqtt-subscriber-messages')).toContainText(
      'lab/e2e/temp q2: 22.4',
    );

    const diagram = page.getByTestId('mqtt-diagram');
    for (const type of [
      'CONNECT',
      'CONNACK',
      'SUBSCRIBE',
      'SUBACK',
      'PUBLISH',
      'PUBREC',
      'PUBREL',
      'PUBCOMP',
    ]) {
      await expect(diagram.locator(`tr[data-type="${type}"]`).first()).toBeVisible();
    }
    // Open a PUBLISH row: its fields are listed.
    await diagram.locator('tr[data-type="PUBLISH"] button').first().click();
    await expect(page.getByLabel(/Fields of packet/)).toContainText('lab/e2e/temp');
    expect(problems.list).toEqual([]);
  });

  test('explains bad settings before connecting, and 5.0 against the embedded broker', async ({
    page,
    problems,
  }) => {
    await page.goto('/en/mqtt/');
    await ready(page);
    await page.getByTestId('mqtt-keepalive').fill('-3');
    await expect(page.getByTestId('mqtt-problems')).toContainText('Keep-alive is a whole number');
    await expect(
      page.getByTestId('mqtt-publisher').getByRole('button', { name: 'Connect', exact: true }),
    ).toBeDisabled();
    await page.getByTestId('mqtt-keepalive').fill('30');
    await page.getByTestId('mqtt-protocol').selectOption('5');
    await expect(page.getByTestId('mqtt-v311-note')).toContainText('3.1.1 only');
    // The doctor explains the refusal.
    await page
      .getByTestId('mqtt-publisher')
      .getByRole('button', { name: 'Connect', exact: true })
      .click();
    await expect(page.getByTestId('mqtt-publisher-doctor')).toContainText(
      'does not speak MQTT 5.0',
    );
    expect(problems.list).toEqual([]);
  });

  test('the QoS experiments report their counts (zh-CN page)', async ({ page, problems }) => {
    test.setTimeout(120_000);
    await page.goto('/mqtt/');
    await ready(page);
    await page.getByRole('button', { name: '以 QoS 1 运行' }).click();
    await expect(page.getByRole('button', { name: '以 QoS 1 运行' })).toBeEnabled({
      timeout: 70_000,
    });
    await expect(page.locator('.mqtt-lab p.problem')).toHaveCount(0);
    await expect(page.getByTestId('mqtt-exp-qos')).toContainText('QoS 1：收到 100/100，丢失 0', {
      timeout: 30_000,
    });
    await page.getByRole('button', { name: '以 QoS 2 运行' }).click();
    await expect(page.getByTestId('mqtt-exp-qos')).toContainText(
      'QoS 2：收到 100/100，丢失 0，重复 0；发布者连接上每条消息 4 个报文',
      { timeout: 30_000 },
    );
    await page.getByRole('button', { name: '以 QoS 0 运行' }).click();
    await expect(page.getByTestId('mqtt-exp-qos')).toContainText('QoS 0：收到 50/100，丢失 50', {
      timeout: 30_000,
    });
    expect(problems.list).toEqual([]);
  });

  // Apart from the QoS runs, so that the two run side by side.
  test('the retained, will and wildcard experiments report their results (zh-CN page)', async ({
    page,
    problems,
  }) => {
    test.setTimeout(60_000);
    await page.goto('/mqtt/');
    await ready(page);
    await page.getByRole('button', { name: '运行', exact: true }).click();
    await expect(page.getByTestId('mqtt-exp-retained')).toContainText('°C', { timeout: 20_000 });
    await expect(page.getByTestId('mqtt-exp-retained')).toContainText('清除之后：什么也没收到');
    await page.getByRole('button', { name: '运行（保活 2 秒）' }).click();
    await expect(page.getByTestId('mqtt-exp-will')).toContainText('收到遗嘱', { timeout: 20_000 });
    // Wildcards: the playground explains an invalid filter, the broker confirms a valid one.
    await page.getByTestId('mqtt-wild-filter').fill('lab/#/b');
    await expect(page.getByTestId('mqtt-wild-problem')).toContainText('MQTT-4.7.1-2');
    await page.getByTestId('mqtt-wild-filter').fill('lab/+/temp');
    await expect(page.getByTestId('mqtt-wild-matches')).toContainText('lab/kitchen/temp: 匹配');
    await page.getByRole('button', { name: '问问 broker' }).click();
    await expect(page.getByTestId('mqtt-exp-wild')).toContainText(
      'SUBACK 1；投递了：lab/kitchen/temp',
      {
        timeout: 20_000,
      },
    );
    expect(problems.list).toEqual([]);
  });

  test('the persistent-session experiment reports 20 back, then 0; the takeover one (zh-CN page)', async ({
    page,
  }) => {
    test.setTimeout(90_000);
    await page.goto('/mqtt/');
    await ready(page);
    await page.getByRole('button', { name: '两种都运行' }).click();
    await expect(page.getByTestId('mqtt-exp-session')).toContainText(
      '清除会话 false：离线期间发布的 20 条中回来后收到 20 条',
      { timeout: 60_000 },
    );
    await expect(page.getByTestId('mqtt-exp-session')).toContainText(
      '清除会话 true：离线期间发布的 20 条中回来后收到 0 条',
    );
    // Experiment 6 on the same page: one client id, two clients. The embedded broker closes the
    // first connection without a packet [MQTT-3.1.4-2] and publishes its will [MQTT-3.1.2-8].
    await page.getByRole('button', { name: '用同一个 ID 连接两个客户端' }).click();
    const takeover = page.getByTestId('mqtt-exp-takeover');
    await expect(takeover).toContainText('broker 关闭了客户端 A 的连接', { timeout: 20_000 });
    await expect(takeover).toContainText('Session Present 为 true');
    await expect(takeover).toContainText('A 事先没有收到任何报文');
    await expect(takeover).toContainText('A 的遗嘱发布了');
    await expect(page.getByTestId('mqtt-row-closed')).toHaveText('broker 关闭了连接，没有报文');
  });

  // The broker refuses whole-broker filters to anonymous clients with SUBACK 0x80; the lab must say
  // so (in the panel, the packet diagram and the wildcard playground), not show the QoS it asked for.
  const REFUSED = {
    en: {
      path: '/en/mqtt/',
      connect: 'Connect',
      subscribe: 'Subscribe',
      filter: 'Topic filter',
      ask: 'Ask the broker',
      panel: 'SUBACK: # → 0x80, refused',
      why: 'does not let anonymous clients subscribe to the whole broker',
      diagram: '0x80 refused',
      wild: 'Broker: SUBACK 0x80, refused; nothing delivered.',
    },
    'zh-CN': {
      path: '/mqtt/',
      connect: '连接',
      subscribe: '订阅',
      filter: '主题过滤器',
      ask: '问问 broker',
      panel: 'SUBACK：# → 0x80，被拒绝',
      why: '不允许匿名客户端订阅整个 broker',
      diagram: '0x80 被拒绝',
      wild: 'Broker：SUBACK 0x80，被拒绝；什么也没有投递。',
    },
  };
  for (const [locale, l] of Object.entries(REFUSED)) {
    test(`shows a refused subscription as refused, with the reason (${locale})`, async ({
      page,
      problems,
    }) => {
      // Hydration, loading mqtt.js and connecting take a while on a busy machine.
      test.setTimeout(60_000);
      await page.goto(l.path);
      await ready(page);
      const sub = page.getByTestId('mqtt-subscriber');
      await sub.getByRole('button', { name: l.connect, exact: true }).click();
      await expect(page.getByTestId('mqtt-subscriber-status')).toHaveAttribute(
        'data-status',
        'connected',
        { timeout: 20_000 },
      );
      await sub.getByLabel(l.filter).fill('#');
      await sub.getByLabel('QoS').first().selectOption('2');
      await sub.getByRole('button', { name: l.subscribe, exact: true }).click();
      const suback = page.getByTestId('mqtt-subscriber-suback');
      await expect(suback).toContainText(l.panel, { timeout: 20_000 });
      await expect(suback).toContainText(l.why);
      await expect(suback).not.toContainText('→ 2');
      const row = page.getByTestId('mqtt-diagram').locator('tr[data-type="SUBACK"]').last();
      await expect(row).toHaveAttribute('data-refused', 'true');
      await expect(row).toContainText(l.diagram);

      await page.getByTestId('mqtt-wild-filter').fill('+/#');
      await page.getByRole('button', { name: l.ask }).click();
      const wild = page.getByTestId('mqtt-exp-wild');
      await expect(wild).toContainText(l.wild, { timeout: 20_000 });
      await expect(wild).toContainText(l.why);
      expect(problems.list).toEqual([]);
    });
  }
});
