import type { AnswerKey, QuestionId } from '../quiz/questions.ts';
import type { Dictionary, Translate } from './index.ts';

type Key =
  | `q.${QuestionId}`
  | `a.${AnswerKey}`
  | 'label'
  | 'progress'
  | 'reset'
  | 'result'
  | 'incomplete'
  | 'summary'
  | 'summaryAlone'
  | 'tie'
  | 'tieNote'
  | 'top'
  | 'topTie'
  | 'runnerUp'
  | 'runnerUpTie'
  | 'ruledOut'
  | 'outWeight'
  | 'combo.devices-and-browsers'
  | 'combo.feed-and-writes'
  | 'ranking'
  | 'score'
  | 'reasonsFor'
  | 'reasonsAgainst'
  | 'noReasons'
  | 'because'
  | 'changes'
  | 'changeLine'
  | 'changeJoin'
  | 'swap'
  | 'noChange'
  | 'demoLink'
  | 'chapterLink'
  | 'tableLink'
  | 'raceLink'
  | 'shareHint';

/** The quiz's lookup, as its components and `src/lib/quiz/view.ts` receive it. */
export type QuizT = Translate<Key>;

/** UI strings of the selection quiz: questions, answers and the result. */
export const quizStrings: Dictionary<Key> = {
  'zh-CN': {
    label: '选型测验',
    'q.who': '连接两端是谁？',
    'a.who.people': '人与人互动（聊天、游戏、协同编辑）',
    'a.who.viewers': '人在看数据变化（信息流、看板）',
    'a.who.machines': '机器和设备上报数据',
    'q.clients': '客户端运行在哪里？',
    'a.clients.browser': '只在浏览器里',
    'a.clients.devices': '只在设备、服务器或原生应用上',
    'a.clients.both': '设备和浏览器都有',
    'q.dir': '数据往哪个方向流动？',
    'a.dir.down': '只从服务器到客户端',
    'a.dir.mostly-down': '主要从服务器到客户端，偶尔写入',
    'a.dir.up': '主要是客户端向服务器上报',
    'a.dir.both': '双向且频繁',
    'q.subset': '每个客户端是否只需要一部分数据？',
    'a.subset.all': '不，大家收到同一条数据流',
    'a.subset.subset': '是，各自订阅不同且会变化的子集',
    'q.loss': '客户端断线时，消息应当怎样？',
    'a.loss.latest': '无所谓：只关心最新值',
    'a.loss.live': '连接期间不丢就够了',
    'a.loss.offline': '离线期间发出的消息也必须送达',
    'q.count': '同时在线的客户端有多少？',
    'a.count.few': '少于 100',
    'a.count.many': '100 到 10,000',
    'a.count.huge': '超过 10,000',
    'q.rate': '每个客户端多久收到一条消息？',
    'a.rate.rare': '很少：每分钟不到一次',
    'a.rate.steady': '稳定：大约每秒一次',
    'a.rate.high': '频繁：每秒多次',
    'q.latency': '新消息要多快送到客户端？',
    'a.latency.instant': '一秒之内',
    'a.latency.relaxed': '几十秒甚至更久也可以',
    'q.size': '消息有多大？',
    'a.size.small': '小：1 KB 以内的文本或 JSON',
    'a.size.large': '大或二进制：图片、文件、大文档',
    'q.net': '客户端使用什么网络？',
    'a.net.good': '稳定的宽带或办公网络',
    'a.net.mobile': '会掉线、会切换的移动网络',
    'a.net.constrained': '受限设备、低带宽或按流量计费',
    'q.infra': '基础设施允许什么？',
    'a.infra.open': '自己掌控的服务器，长连接没问题',
    'a.infra.proxy': '代理或防火墙会拦截 WebSocket 升级，并切断或缓冲长响应',
    'a.infra.serverless': '无服务器函数：只有短暂的请求/响应',
    'a.infra.http1': '只有 HTTP/1.1，且用户常开很多标签页',
    'q.team': '团队能开发和运维什么？',
    'a.team.minimal': '越少越好：小团队，不想多运维任何东西',
    'a.team.service': '自己的服务端代码，包括长连接',
    'a.team.broker': 'MQTT broker：已经在用，或数据本来就经过它',
    progress: '已回答 {n}/{total} 题',
    reset: '重新开始',
    result: '推荐结果',
    incomplete: '回答全部 {total} 道题后给出推荐；还剩 {left} 道。',
    summary: '首选：{top}；次选：{runnerUp}。',
    summaryAlone: '首选：{top}；其余方案都已被排除。',
    tie: '{names}（并列）',
    tieNote:
      '并列：这几个方案得分相同，你的回答没能把它们分出高下。看看下面各自的理由，以及什么回答会改变首选。',
    top: '首选',
    topTie: '首选（并列）',
    runnerUp: '次选',
    runnerUpTie: '次选（并列）',
    ruledOut: '已排除',
    outWeight: '排除',
    'combo.devices-and-browsers':
      '组合使用：设备走 MQTT over TCP，浏览器走 MQTT over WebSocket，连到同一个 broker。',
    'combo.feed-and-writes':
      '组合使用：用 {name} 推送实时数据，写操作用普通 HTTP 请求（fetch POST）。',
    ranking: '全部方案排名',
    score: '{score} 分',
    reasonsFor: '支持 {name} 的理由',
    reasonsAgainst: '不利于 {name} 的理由',
    noReasons: '没有',
    because: '你的回答：“{answer}”',
    changes: '什么回答会改变首选',
    changeLine: '如果{swaps}，首选会变成 {name}。',
    changeJoin: '，并且',
    swap: '“{question}”的回答是“{to}”',
    noChange: '改变任何一两个回答都不会换掉首选：这是很明确的选择。',
    demoLink: '演示',
    chapterLink: '章节',
    tableLink: '对比表',
    raceLink: '在协议赛跑中，用最接近你回答的场景实测推荐的方式',
    shareHint: '地址栏里的链接保存了你的回答，可以分享；浏览器的后退按钮会撤销上一个回答。',
  },
  en: {
    label: 'Selection quiz',
    'q.who': 'Who is at the ends of the connection?',
    'a.who.people': 'People interacting with each other (chat, games, co-editing)',
    'a.who.viewers': 'People watching data change (feeds, dashboards)',
    'a.who.machines': 'Machines and devices reporting data',
    'q.clients': 'Where do the clients run?',
    'a.clients.browser': 'Only in web browsers',
    'a.clients.devices': 'Only on devices, servers or native apps',
    'a.clients.both': 'On devices and in browsers',
    'q.dir': 'Which way does the data flow?',
    'a.dir.down': 'Server to client only',
    'a.dir.mostly-down': 'Mostly server to client, with occasional writes',
    'a.dir.up': 'Mostly clients reporting to the server',
    'a.dir.both': 'Both ways, often',
    'q.subset': 'Does each client need only part of the data?',
    'a.subset.all': 'No, everyone gets the same stream',
    'a.subset.subset': 'Yes, each picks its own subset, and it changes',
    'q.loss': 'What must happen to messages when a client disconnects?',
    'a.loss.latest': 'Nothing: only the latest value matters',
    'a.loss.live': 'No loss while connected is enough',
    'a.loss.offline': 'Messages sent while it was offline must still arrive',
    'q.count': 'How many clients are connected at the same time?',
    'a.count.few': 'Fewer than 100',
    'a.count.many': '100 to 10,000',
    'a.count.huge': 'More than 10,000',
    'q.rate': 'How often does each client get a message?',
    'a.rate.rare': 'Rarely: less than once a minute',
    'a.rate.steady': 'Steadily: about once a second',
    'a.rate.high': 'Often: many times a second',
    'q.latency': 'How soon must news reach the client?',
    'a.latency.instant': 'Within a second',
    'a.latency.relaxed': 'Tens of seconds or more is fine',
    'q.size': 'How big are the messages?',
    'a.size.small': 'Small: under a kilobyte of text or JSON',
    'a.size.large': 'Large or binary: images, files, big documents',
    'q.net': 'What network do the clients use?',
    'a.net.good': 'Reliable broadband or an office network',
    'a.net.mobile': 'Mobile networks that drop and switch',
    'a.net.constrained': 'Constrained devices, low or metered bandwidth',
    'q.infra': 'What does the infrastructure allow?',
    'a.infra.open': 'Servers we control; long-lived connections are fine',
    'a.infra.proxy':
      'A proxy or firewall that blocks WebSocket upgrades and cuts or buffers long responses',
    'a.infra.serverless': 'Serverless functions: short request/response only',
    'a.infra.http1': 'HTTP/1.1 only, and users keep many tabs open',
    'q.team': 'What can the team build and run?',
    'a.team.minimal': 'As little as possible: a small team, nothing new to operate',
    'a.team.service': 'Our own server code, long-lived connections included',
    'a.team.broker': 'An MQTT broker: we run one, or our data already flows through one',
    progress: '{n} of {total} answered',
    reset: 'Start over',
    result: 'Recommendation',
    incomplete: 'Answer all {total} questions for a recommendation; {left} to go.',
    summary: 'Top pick: {top}; runner-up: {runnerUp}.',
    summaryAlone: 'Top pick: {top}; every other option is ruled out.',
    tie: '{names}, tied',
    tieNote:
      'A tie: these options score the same, and your answers do not separate them. Compare their reasons below, and see which answers would change the pick.',
    top: 'Top pick',
    topTie: 'Top pick (tie)',
    runnerUp: 'Runner-up',
    runnerUpTie: 'Runner-up (tie)',
    ruledOut: 'ruled out',
    outWeight: 'out',
    'combo.devices-and-browsers':
      'Use both: MQTT over TCP for the devices and MQTT over WebSocket for the browsers, through one broker.',
    'combo.feed-and-writes':
      'Combine: {name} for the live feed, plain HTTP requests (fetch POST) for the writes.',
    ranking: 'All options, ranked',
    score: 'score {score}',
    reasonsFor: 'For {name}',
    reasonsAgainst: 'Against {name}',
    noReasons: 'none',
    because: 'you answered “{answer}”',
    changes: 'What would change the pick',
    changeLine: 'If {swaps}, the top pick would be {name}.',
    changeJoin: ' and ',
    swap: 'you answered “{to}” to “{question}”',
    noChange: 'No change of one or two answers moves the top pick: it is a clear fit.',
    demoLink: 'demo',
    chapterLink: 'chapter',
    tableLink: 'table',
    raceLink:
      'Race the recommended transports in the protocol race, with the scenario closest to your answers',
    shareHint:
      'The link in the address bar holds your answers, ready to share; the browser’s Back button undoes the last answer.',
  },
};
