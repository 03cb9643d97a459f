import type { Dictionary } from './index.ts';
import type { TickerLineId, TickerSensor } from '../http-demos/event-text.ts';

type Key =
  | 'poll.title'
  | 'longPoll.title'
  | 'sse.title'
  | 'start'
  | 'stop'
  | 'sendNow'
  | 'sendRefused'
  | 'drop'
  | 'rate'
  | 'rateValue'
  | 'rateHint'
  | 'rateTrainerOnly'
  | 'interval'
  | 'intervalValue'
  | 'hold'
  | 'holdValue'
  | 'counters'
  | 'c.requests'
  | 'c.empty'
  | 'c.emptyShare'
  | 'c.received'
  | 'c.missed'
  | 'c.duplicates'
  | 'c.gone'
  | 'c.bytesIn'
  | 'c.bytesOut'
  | 'c.bytesPerEvent'
  | 'c.delayP50'
  | 'c.delayP99'
  | 'c.theory'
  | 'c.offset'
  | 'c.cycles'
  | 'c.timeouts'
  | 'c.failures'
  | 'c.batch'
  | 'c.meanBatch'
  | 'c.pending'
  | 'c.reconnects'
  | 'c.state'
  | 'pendingNone'
  | 'pendingAge'
  | 'retryIn'
  | 'state.connecting'
  | 'state.open'
  | 'state.closed'
  | 'state.retrying'
  | 'sse.noAnswer'
  | 'sse.countersNote'
  | 'log'
  | 'logPaused'
  | 'logResume'
  | 'logEmpty'
  | 'filter'
  | 'level.info'
  | `ev.${TickerLineId}`
  | `sensor.${TickerSensor}`
  | 'ev.reading'
  | 'ev.manual'
  | 'level.warn'
  | 'level.error'
  | 'raw'
  | 'rawNote'
  | 'chart'
  | 'chartLoading'
  | 'chartDelay'
  | 'chartTheory'
  | 'chartSummary'
  | 'chartEmpty'
  | 'seq'
  | 'ms'
  | 'error'
  | 'note.rewound'
  | 'note.gone'
  | 'note.retry'
  | 'note.dropped'
  | 'note.timeout'
  | 'note.reconnected'
  | 'note.reset.expired'
  | 'note.reset.invalid'
  | 'note.reset.ahead'
  | 'note.paused.hidden'
  | 'note.paused.offline'
  | 'note.paused.frozen'
  | 'note.resumed';

/** UI strings of the short-polling, long-polling and SSE demos. */
export const httpDemoStrings: Dictionary<Key> = {
  'zh-CN': {
    'poll.title': '短轮询演示',
    'longPoll.title': '长轮询演示',
    'sse.title': 'Server-Sent Events 演示',
    start: '开始',
    stop: '停止',
    sendNow: '立即发送一个事件',
    sendRefused: '未发送：一秒内请求太多（HTTP 429），服务器对每位访客限速。稍等片刻再试。',
    drop: '断开连接',
    rate: '服务器事件速率',
    rateValue: '每秒 {rate} 个事件',
    rateHint: '所有访客共用同一个事件流，改动会影响每个人。',
    rateTrainerOnly: '速率由讲师设置：它会改变所有访客看到的事件流。',
    interval: '轮询间隔',
    intervalValue: '{s} 秒',
    hold: '服务器最长挂起时间',
    holdValue: '{s} 秒',
    counters: '计数器',
    'c.requests': '已发请求',
    'c.empty': '空响应',
    'c.emptyShare': '空响应占比',
    'c.received': '收到的事件',
    'c.missed': '丢失',
    'c.duplicates': '重复',
    'c.gone': '已移出缓冲区',
    'c.bytesIn': '上行字节（请求，含头部）',
    'c.bytesOut': '下行字节（响应，含头部）',
    'c.bytesPerEvent': '每个事件的字节数',
    'c.delayP50': '延迟中位数',
    'c.delayP99': '延迟 p99',
    'c.theory': '理论平均延迟（间隔 / 2）',
    'c.offset': '时钟偏差（服务器 − 本机）',
    'c.cycles': '完成的轮次',
    'c.timeouts': '超时（204）',
    'c.failures': '失败的请求',
    'c.batch': '上一次响应的事件数',
    'c.meanBatch': '平均每次响应的事件数',
    'c.pending': '正在挂起的请求',
    'c.reconnects': '重连次数',
    'c.state': '连接状态',
    pendingNone: '无',
    pendingAge: '已挂起 {s} 秒',
    retryIn: '{s} 秒后重试',
    'state.connecting': '连接中',
    'state.open': '已连接',
    'state.closed': '已关闭',
    'state.retrying': '重连中（已失败 {n} 次）',
    'sse.noAnswer': '服务器没有应答。EventSource 会自己每隔几秒重试一次，直到连上或你按下“停止”。',
    'sse.countersNote':
      '计数器统计整个访问期间：“停止”暂停事件流，“开始”从最后收到的事件之后继续，所以都不清零。重连次数只计浏览器自己发起的重连。',
    log: '事件日志',
    logPaused: '自动滚动已暂停',
    logResume: '回到最新',
    logEmpty: '还没有事件。',
    filter: '按级别筛选',
    'ev.jobFinished': '任务完成',
    'ev.cacheRefreshed': '缓存已刷新',
    'ev.queueFilling': '队列快满了',
    'ev.userSignedIn': '用户已登录',
    'ev.upstreamTimeout': '上游超时',
    'ev.backupWritten': '备份已写入',
    'ev.diskFull': '磁盘已用 85%',
    'ev.manual': '由访客发送',
    'ev.reading': '{sensor} {value} °C',
    'sensor.boiler': '锅炉房',
    'sensor.hall': '大厅',
    'sensor.roof': '屋顶',
    'sensor.lab': '实验室',
    'level.info': '信息',
    'level.warn': '警告',
    'level.error': '错误',
    raw: '原始 event-stream 文本',
    rawNote: '按每个事件重建；注释行和 retry 行不会交给页面，因此不显示。',
    chart: '每个事件的延迟',
    chartLoading: '正在加载图表…',
    chartDelay: '延迟（毫秒）',
    chartTheory: '理论平均值',
    chartSummary: '最近 {n} 个事件：中位数 {p50} 毫秒，p99 {p99} 毫秒。',
    chartEmpty: '收到事件后这里会画出延迟。',
    seq: '序号',
    ms: '{n} 毫秒',
    error: '出错：{message}',
    'note.rewound': '服务器重启过，游标已回退。',
    'note.gone': '有 {n} 个事件已移出服务器缓冲区，无法再取回。',
    'note.retry': '请求失败（{error}），{ms} 毫秒后重试。',
    'note.dropped': '服务器已断开本客户端的 {n} 个连接。',
    'note.timeout': '挂起时间到，服务器返回 204。',
    'note.reconnected': '已重连，从序号 {id} 之后继续。',
    'note.reset.expired': 'reset：序号 {id} 之后有 {n} 个事件已不在缓冲区中。',
    'note.reset.invalid': 'reset：“{id}” 不是有效的事件 ID，从现在开始新的流。',
    'note.reset.ahead': 'reset：服务器没有序号 {id}（它重启过），从现在开始。',
    'note.paused.hidden': '标签页转入后台，连接已关闭。',
    'note.paused.offline': '浏览器离线，连接已关闭。',
    'note.paused.frozen': '页面进入往返缓存，连接已关闭。',
    'note.resumed': '页面回来了，重新连接，从序号 {id} 之后继续。',
  },
  en: {
    'poll.title': 'Short polling demo',
    'longPoll.title': 'Long polling demo',
    'sse.title': 'Server-Sent Events demo',
    start: 'Start',
    stop: 'Stop',
    sendNow: 'Send an event now',
    sendRefused:
      'Not sent: too many in one second (HTTP 429); the server limits each visitor. Try again in a moment.',
    drop: 'Drop connection',
    rate: 'Server event rate',
    rateValue: '{rate, plural, one {# event/s} other {# events/s}}',
    rateHint: 'Every visitor shares one event stream, so a change here affects everyone.',
    rateTrainerOnly: 'The trainer sets this rate: it changes the stream every visitor sees.',
    interval: 'Polling interval',
    intervalValue: '{s} s',
    hold: 'Longest hold on the server',
    holdValue: '{s} s',
    counters: 'Counters',
    'c.requests': 'Requests sent',
    'c.empty': 'Empty responses',
    'c.emptyShare': 'Share of empty responses',
    'c.received': 'Events received',
    'c.missed': 'Missed',
    'c.duplicates': 'Duplicates',
    'c.gone': 'Gone from the buffer',
    'c.bytesIn': 'Bytes up (requests, headers included)',
    'c.bytesOut': 'Bytes down (responses, headers included)',
    'c.bytesPerEvent': 'Bytes per event',
    'c.delayP50': 'Median delay',
    'c.delayP99': 'Delay p99',
    'c.theory': 'Theoretical mean delay (interval / 2)',
    'c.offset': 'Clock offset (server − this device)',
    'c.cycles': 'Cycles completed',
    'c.timeouts': 'Timeouts (204)',
    'c.failures': 'Failed requests',
    'c.batch': 'Events in the last response',
    'c.meanBatch': 'Mean events per response',
    'c.pending': 'Request held now',
    'c.reconnects': 'Reconnects',
    'c.state': 'Connection',
    pendingNone: 'none',
    pendingAge: 'held for {s} s',
    retryIn: 'retrying in {s} s',
    'state.connecting': 'connecting',
    'state.open': 'open',
    'state.closed': 'closed',
    'state.retrying': 'reconnecting ({n, plural, one {# failed try} other {# failed tries}})',
    'sse.noAnswer':
      'No answer from the server. EventSource keeps retrying by itself every few seconds, until it gets through or you press Stop.',
    'sse.countersNote':
      'The counters cover your whole visit: Stop pauses the stream and Start resumes it after the last event received, so none of them resets. Reconnects counts only the reconnections the browser made by itself.',
    log: 'Event log',
    logPaused: 'Auto-scroll paused',
    logResume: 'Jump to newest',
    logEmpty: 'No events yet.',
    filter: 'Filter by level',
    'ev.jobFinished': 'job finished',
    'ev.cacheRefreshed': 'cache refreshed',
    'ev.queueFilling': 'queue is filling up',
    'ev.userSignedIn': 'user signed in',
    'ev.upstreamTimeout': 'upstream timed out',
    'ev.backupWritten': 'backup written',
    'ev.diskFull': 'disk 85 % full',
    'ev.manual': 'sent by a visitor',
    'ev.reading': '{sensor} {value} °C',
    'sensor.boiler': 'boiler',
    'sensor.hall': 'hall',
    'sensor.roof': 'roof',
    'sensor.lab': 'lab',
    'level.info': 'info',
    'level.warn': 'warning',
    'level.error': 'error',
    raw: 'Raw event-stream text',
    rawNote:
      'Rebuilt from each event; comment and retry lines never reach the page, so they are not shown.',
    chart: 'Delay per event',
    chartLoading: 'Loading the chart…',
    chartDelay: 'delay (ms)',
    chartTheory: 'theoretical mean',
    chartSummary:
      '{n, plural, one {The last event} other {Last # events}}: median {p50} ms, p99 {p99} ms.',
    chartEmpty: 'The delay is drawn here once events arrive.',
    seq: 'seq',
    ms: '{n} ms',
    error: 'Error: {message}',
    'note.rewound': 'The server restarted; the cursor was rewound.',
    'note.gone':
      '{n, plural, one {# event} other {# events}} left the server’s buffer and cannot be fetched any more.',
    'note.retry': 'Request failed ({error}); retrying in {ms} ms.',
    'note.dropped':
      'The server cut {n, plural, one {# connection} other {# connections}} of this client.',
    'note.timeout': 'Hold time passed; the server answered 204.',
    'note.reconnected': 'Reconnected; resuming after seq {id}.',
    'note.reset.expired':
      'reset: {n, plural, one {# event} other {# events}} after seq {id} {n, plural, one {is} other {are}} no longer in the buffer.',
    'note.reset.invalid': 'reset: “{id}” is not a valid event id; starting a fresh stream.',
    'note.reset.ahead': 'reset: the server has no seq {id} (it restarted); starting from now.',
    'note.paused.hidden': 'The tab went to the background: connection closed.',
    'note.paused.offline': 'The browser went offline: connection closed.',
    'note.paused.frozen': 'The page went into the back/forward cache: connection closed.',
    'note.resumed': 'The page is back: reconnecting, continuing after seq {id}.',
  },
};
