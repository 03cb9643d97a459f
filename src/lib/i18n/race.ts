import type { Dictionary } from './index.ts';

type Key =
  | 'title'
  | 'scenario'
  | 'preset'
  | 'preset.custom'
  | 'preset.ticker'
  | 'preset.chat'
  | 'preset.sensor'
  | 'preset.burst'
  | 'preset.large'
  | 'rate'
  | 'size'
  | 'duration'
  | 'pollInterval'
  | 'start'
  | 'running'
  | 'cut'
  | 'cutEvery'
  | 'cutEveryOff'
  | 'share'
  | 'shareCopied'
  | 'focus'
  | 'focusMark'
  | 'downloadCsv'
  | 'downloadJson'
  | 'phase.idle'
  | 'phase.opening'
  | 'phase.running'
  | 'phase.done'
  | 'phase.error'
  | 'progress'
  | 'resultsCaption'
  | 'col.lane'
  | 'col.received'
  | 'col.lost'
  | 'col.duplicates'
  | 'col.p50'
  | 'col.p95'
  | 'col.p99'
  | 'col.max'
  | 'col.theoryLatency'
  | 'col.countUp'
  | 'col.countDown'
  | 'col.bytesUp'
  | 'col.bytesDown'
  | 'col.overheadDown'
  | 'col.theoryDown'
  | 'col.overheadUp'
  | 'col.theoryUp'
  | 'col.connections'
  | 'lane.shortPoll'
  | 'lane.longPoll'
  | 'lane.sse'
  | 'lane.ws'
  | 'lane.mqttWs0'
  | 'lane.mqttWs1'
  | 'lane.mqttTcp'
  | 'dependsOnBrowser'
  | 'cutsCaption'
  | 'col.cut'
  | 'col.resume'
  | 'col.replayed'
  | 'noCutsYet'
  | 'why'
  | 'why.shortPoll'
  | 'why.longPoll'
  | 'why.sse'
  | 'why.ws'
  | 'why.mqttWs1'
  | 'why.setup'
  | 'wsUnsent'
  | 'chartLatency'
  | 'chartOverhead'
  | 'chartRequests'
  | 'chartLoading'
  | 'chartMeasured'
  | 'chartTheory'
  | 'chartReqPerS'
  | 'ms'
  | 'bytes'
  | 'cost'
  | 'cost.clients'
  | 'cost.rate'
  | 'cost.size'
  | 'cost.source.measured'
  | 'cost.source.spec'
  | 'cost.caption'
  | 'cost.down'
  | 'cost.up'
  | 'cost.requests'
  | 'cost.connections'
  | 'cost.formula'
  | 'cost.csv'
  | 'liveStatus'
  | 'error';

/** UI strings of the protocol race and its cost calculator. */
export const raceStrings: Dictionary<Key> = {
  'zh-CN': {
    title: '协议赛跑',
    scenario: '场景',
    preset: '预设',
    'preset.custom': '自定义',
    'preset.ticker': '股票行情：10 条/秒 × 120 B',
    'preset.chat': '聊天：1 条/秒 × 200 B',
    'preset.sensor': '传感器：每 30 秒 × 60 B',
    'preset.burst': '突发：200 条/秒 × 64 B',
    'preset.large': '大消息：1 条/秒 × 32 KiB',
    rate: '速率（条/秒）',
    size: '负载大小（字节）',
    duration: '时长（秒）',
    pollInterval: '短轮询间隔（秒）',
    start: '开始赛跑',
    running: '正在进行…',
    cut: '切断网络',
    cutEvery: '每隔几秒自动切断（0 = 不切断）',
    cutEveryOff: '不自动切断',
    share: '复制分享链接',
    shareCopied: '链接已复制，地址栏也已更新',
    focus: '来自选型测验的结果：请重点看 {lanes} 这几条通道。',
    focusMark: '（测验推荐）',
    downloadCsv: '下载 CSV',
    downloadJson: '下载 JSON',
    'phase.idle': '选好场景后按“开始赛跑”。',
    'phase.opening': '正在建立 {count} 条通道并测量时钟偏差…',
    'phase.running': '赛跑中：服务器已发布 {published}/{total} 条消息。',
    'phase.done': '完成：{total} 条消息，每条通道的结果见下表。',
    'phase.error': '出错了：{message}',
    progress: '发布进度',
    resultsCaption: '每条通道的测量值（字节由服务器在套接字上计数）与规范给出的理论值',
    'col.lane': '通道',
    'col.received': '收到',
    'col.lost': '丢失',
    'col.duplicates': '重复',
    'col.p50': 'p50 延迟',
    'col.p95': 'p95',
    'col.p99': 'p99',
    'col.max': '最大',
    'col.theoryLatency': '理论延迟',
    'col.countUp': '请求/帧（上行）',
    'col.countDown': '应答/帧（下行）',
    'col.bytesUp': '上行字节',
    'col.bytesDown': '下行字节',
    'col.overheadDown': '每条下行开销',
    'col.theoryDown': '理论最小值',
    'col.overheadUp': '每条上行',
    'col.theoryUp': '理论上行',
    'col.connections': '打开的连接',
    'lane.shortPoll': '短轮询',
    'lane.longPoll': '长轮询',
    'lane.sse': 'SSE',
    'lane.ws': 'WebSocket（裸）',
    'lane.mqttWs0': 'MQTT/WebSocket QoS 0',
    'lane.mqttWs1': 'MQTT/WebSocket QoS 1（会话）',
    'lane.mqttTcp': 'MQTT/TCP',
    dependsOnBrowser: '取决于浏览器的请求头',
    cutsCaption: '每次切断后各通道如何恢复',
    'col.cut': '切断',
    'col.resume': '恢复用时',
    'col.replayed': '补发',
    noCutsYet: '还没有切断过网络。',
    why: '测量值与理论值为什么不同',
    'why.shortPoll': '短轮询：没有新消息时的应答也要付出整套响应头；间隔越短，空应答越多。',
    'why.longPoll': '长轮询：消息比一次往返更密时，一个应答会带走多条消息，每条分摊的头部就更少。',
    'why.sse': 'SSE：除了 id: 和 data: 字段行，每次写入还带有 HTTP/1.1 分块编码的长度行。',
    'why.ws': 'WebSocket：服务器忙时一帧可能装下两个 MQTT 报文，所以测量值可能低于理论值。',
    'why.mqttWs1':
      'QoS 1：每条消息都有一个 PUBACK 上行；有的客户端把一个 PUBACK 拆成几帧发送，每帧都多付 6 字节帧头和掩码。',
    'why.setup':
      '握手、CONNECT、SUBSCRIBE 等建立连接的字节单独计入“建立”，不算在每条消息的开销里。',
    wsUnsent: '网络断开期间，服务器有 {count} 条消息没有可用的 WebSocket 连接可发。',
    chartLatency: '各通道延迟分布（p50 / p95 / p99，毫秒）',
    chartOverhead: '每条消息的下行开销（字节）：测量值与理论值',
    chartRequests: '每秒请求或帧数（上行 + 下行）',
    chartLoading: '正在加载图表…',
    chartMeasured: '测量值',
    chartTheory: '理论值',
    chartReqPerS: '每秒',
    ms: '{value} 毫秒',
    bytes: '{value} B',
    cost: '成本计算器',
    'cost.clients': '客户端数量',
    'cost.rate': '每个客户端每秒消息数',
    'cost.size': '负载大小（字节）',
    'cost.source.measured': '使用你上一次赛跑测得的每条开销。',
    'cost.source.spec': '还没有赛跑结果：使用规范给出的每条开销。',
    'cost.caption': '每天的流量、请求数与常驻连接数',
    'cost.down': '每天下行',
    'cost.up': '每天上行',
    'cost.requests': '每天请求数',
    'cost.connections': '常驻连接',
    'cost.formula':
      '公式：推送通道 下行 = N × 86400 × 速率 × (负载 + 每条开销)；短轮询 请求 = N × 86400 ÷ 间隔，每个请求都带完整的请求头；长轮询 每条消息一个请求，空闲时每 {hold} 秒一次 204。',
    'cost.csv': '导出 CSV',
    liveStatus: '赛跑状态',
    error: '错误',
  },
  en: {
    title: 'Protocol race',
    scenario: 'Scenario',
    preset: 'Preset',
    'preset.custom': 'Custom',
    'preset.ticker': 'Stock ticker: 10 msg/s × 120 B',
    'preset.chat': 'Chat: 1 msg/s × 200 B',
    'preset.sensor': 'Sensor: every 30 s × 60 B',
    'preset.burst': 'Burst: 200 msg/s × 64 B',
    'preset.large': 'Large: 1 msg/s × 32 KiB',
    rate: 'Rate (messages/s)',
    size: 'Payload size (bytes)',
    duration: 'Duration (s)',
    pollInterval: 'Short-polling interval (s)',
    start: 'Start the race',
    running: 'Running…',
    cut: 'Cut the network',
    cutEvery: 'Cut again every N seconds (0 = never)',
    cutEveryOff: 'No automatic cuts',
    share: 'Copy share link',
    shareCopied: 'Link copied; the address bar has it too',
    focus: 'From your quiz result: watch the {lanes} lanes.',
    focusMark: ' (quiz pick)',
    downloadCsv: 'Download CSV',
    downloadJson: 'Download JSON',
    'phase.idle': 'Pick a scenario and press "Start the race".',
    'phase.opening': 'Opening {count} lanes and measuring the clock offset…',
    'phase.running': 'Racing: the server has published {published} of {total} messages.',
    'phase.done': 'Done: {total} messages; each lane’s results are in the table.',
    'phase.error': 'Something went wrong: {message}',
    progress: 'Published so far',
    resultsCaption:
      'Each lane as measured (bytes counted by the server on the sockets) beside the theory from the specs',
    'col.lane': 'Lane',
    'col.received': 'Received',
    'col.lost': 'Lost',
    'col.duplicates': 'Duplicates',
    'col.p50': 'p50 latency',
    'col.p95': 'p95',
    'col.p99': 'p99',
    'col.max': 'max',
    'col.theoryLatency': 'Theory',
    'col.countUp': 'Requests/frames up',
    'col.countDown': 'Answers/frames down',
    'col.bytesUp': 'Bytes up',
    'col.bytesDown': 'Bytes down',
    'col.overheadDown': 'Overhead down per message',
    'col.theoryDown': 'Spec minimum',
    'col.overheadUp': 'Up per message',
    'col.theoryUp': 'Spec up',
    'col.connections': 'Connections opened',
    'lane.shortPoll': 'Short polling',
    'lane.longPoll': 'Long polling',
    'lane.sse': 'SSE',
    'lane.ws': 'WebSocket (bare)',
    'lane.mqttWs0': 'MQTT/WebSocket QoS 0',
    'lane.mqttWs1': 'MQTT/WebSocket QoS 1 (session)',
    'lane.mqttTcp': 'MQTT/TCP',
    dependsOnBrowser: 'depends on the browser’s request headers',
    cutsCaption: 'How each lane came back after each cut',
    'col.cut': 'Cut',
    'col.resume': 'Time to resume',
    'col.replayed': 'Replayed',
    noCutsYet: 'No cut so far.',
    why: 'Why measurement and theory differ',
    'why.shortPoll':
      'Short polling: an answer with nothing new still pays for a full set of headers; the shorter the interval, the more empty answers.',
    'why.longPoll':
      'Long polling: when messages come closer together than a round trip, one answer carries several and each pays a share of the headers.',
    'why.sse':
      'SSE: besides the id: and data: lines, every write carries an HTTP/1.1 chunk-size line.',
    'why.ws':
      'WebSocket: when the server’s socket is busy, one frame may carry two MQTT packets, so the measurement can come in under the theory.',
    'why.mqttWs1':
      'QoS 1: every message costs a PUBACK up; some clients send one PUBACK as several frames, each paying 6 bytes of header and mask.',
    'why.setup':
      'Handshakes, CONNECT and SUBSCRIBE are counted as set-up, apart from the per-message overhead.',
    wsUnsent:
      'While the network was cut, the server had {count} messages and no WebSocket to send them on.',
    chartLatency: 'Latency per lane (p50 / p95 / p99, ms)',
    chartOverhead: 'Overhead bytes per message down: measured and spec',
    chartRequests: 'Requests or frames per second (up + down)',
    chartLoading: 'Loading the chart…',
    chartMeasured: 'measured',
    chartTheory: 'spec',
    chartReqPerS: 'per second',
    ms: '{value} ms',
    bytes: '{value} B',
    cost: 'Cost calculator',
    'cost.clients': 'Clients',
    'cost.rate': 'Messages per second per client',
    'cost.size': 'Payload size (bytes)',
    'cost.source.measured': 'Using the per-message overheads measured in your last race.',
    'cost.source.spec': 'No race yet: using the per-message overheads from the specs.',
    'cost.caption': 'Traffic, requests and held connections per day',
    'cost.down': 'Down per day',
    'cost.up': 'Up per day',
    'cost.requests': 'Requests per day',
    'cost.connections': 'Connections held',
    'cost.formula':
      'Formulas: push lanes down = N × 86,400 × rate × (payload + overhead); short polling requests = N × 86,400 ÷ interval, each with full request headers; long polling one request per message, or a 204 every {hold} s when idle.',
    'cost.csv': 'Export CSV',
    liveStatus: 'Race status',
    error: 'Error',
  },
};
