import type { Dictionary } from './index.ts';

type Key =
  | 'title'
  | 'run'
  | 'running'
  | 'phase.subscribe'
  | 'phase.publish'
  | 'phase.return'
  | 'phase.stats'
  | 'phase.done'
  | 'published'
  | 'received'
  | 'range'
  | 'order'
  | 'orderBroken'
  | 'cuts'
  | 'expected'
  | 'counter'
  | 'noCounter'
  | 'shared'
  | 'failed';

/** UI strings of the MQTT chapter's queue-limit demo. */
export const mqttQueueStrings: Dictionary<Key> = {
  'zh-CN': {
    title: '离线会话的队列上限',
    run: '运行实验',
    running: '运行中…',
    'phase.subscribe': '持久会话订阅后离开…',
    'phase.publish': '发布中：{n} / {total}，每条都收到了 PUBACK',
    'phase.return': '会话回来了，已收到 {n} 条…',
    'phase.stats': '等待下一份 $SYS/lab/stats…',
    'phase.done': '完成',
    published: '发布：{n} 条，每条按 {bytes} 字节计入队列（主题 + 负载）',
    received: '会话回来后收到：{n} 条',
    range: '第 {first} 到 {last} 条',
    order: '按顺序到达，没有缺口或重复',
    orderBroken: '顺序不连续：见上面的范围',
    cuts: '回来的会话被当作太慢断开 {n} 次（它待写出的数据超过了 1 MiB）；mqtt.js 重连后会话继续，broker 重发未确认的消息（{dup} 份重复，各只算一次）',
    expected: '按本站上限（8 MiB、20,000 条）预计保存：{n} 条',
    counter: '$SYS/lab/stats 的 limits.queued：{before} → {after}（+{delta}）',
    noCounter: '这个 broker 不发布 $SYS/lab/stats，没有计数可读。',
    shared: '计数属于整个 broker：同一时间别人的实验也会让它增加。',
    failed: 'broker 没有回答：它没在运行，或这页配置了一个连不上的外部 broker。',
  },
  en: {
    title: 'An offline session’s queue cap',
    run: 'Run the experiment',
    running: 'Running…',
    'phase.subscribe': 'A persistent session subscribes, then leaves…',
    'phase.publish': 'Publishing: {n} of {total}, each acknowledged with PUBACK',
    'phase.return': 'The session is back: {n, plural, one {# message} other {# messages}} so far…',
    'phase.stats': 'Waiting for the next $SYS/lab/stats…',
    'phase.done': 'Done',
    published:
      'Published: {n, plural, one {# message} other {# messages}}, each counted as {bytes} bytes in the queue (topic + payload)',
    received: 'Received by the returning session: {n, plural, one {# message} other {# messages}}',
    range: 'numbers {first} to {last}',
    order: 'in order, with no gap or repeat',
    orderBroken: 'not in sequence: see the range above',
    cuts: 'The returning session was cut as too slow {n, plural, one {once} other {# times}} (over 1 MiB waiting to be written to it); mqtt.js reconnected, the session went on, and the broker resent what was unacknowledged ({dup, plural, one {# duplicate} other {# duplicates}}, each counted once)',
    expected:
      'The lab’s caps (8 MiB, 20,000 messages) predict: {n, plural, one {# kept} other {# kept}}',
    counter: 'limits.queued in $SYS/lab/stats: {before} → {after} (+{delta})',
    noCounter: 'This broker publishes no $SYS/lab/stats, so there is no counter to read.',
    shared: 'The counter is the whole broker’s: other people’s runs at the same time add to it.',
    failed:
      'The broker did not answer: it is not running, or this page is set up for an external broker it cannot reach.',
  },
};
