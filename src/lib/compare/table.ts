// The comparison table of the course: one typed source for the comparison chapter's table and the
// selection quiz's reasons, in both locales, so the two can never disagree.
//
// The guide's seven rows (model, routing, browser, reliability, scalability, reconnect, use cases)
// are kept and corrected as /work/shared/seed/README.md asks (its errors 1-9); the `corrects` field
// of a cell names the guide error it fixes. Byte counts come from the specs' framing rules, not from
// a benchmark; the `source` of each cell says which.

import type { ChapterSlug } from '../chapters.ts';
import type { ChapterLink } from '../chapter-links.ts';
import type { Locale } from '../i18n/index.ts';

/** A text in both of the site's locales. */
export type Localized = Record<Locale, string>;

/** The six columns: five techniques, MQTT in its two transports. */
export const TRANSPORTS = [
  'short-polling',
  'long-polling',
  'sse',
  'websocket',
  'mqtt',
  'mqtt-ws',
] as const;

/** One column of the table (and one candidate of the quiz). */
export type Transport = (typeof TRANSPORTS)[number];

/** How a cell rates the column on its row; shown as an icon plus a word, never colour alone. */
export type Level = 'good' | 'partial' | 'poor' | 'info';

/** One cell: a short verdict, the reason behind it, where the reason comes from, where to see it. */
export interface Cell {
  level: Level;
  verdict: Localized;
  why: Localized;
  /** The spec section or measurement behind the verdict. */
  source: string;
  /** The demo (or section) of the course that shows it. */
  link: ChapterLink;
  /** The guide error (numbered in the seed README) this cell corrects. */
  corrects?: number;
}

/** Row groups, in display order. */
export const GROUPS = ['model', 'wire', 'reliability', 'scale', 'deploy', 'fit'] as const;
/** A group of rows. */
export type Group = (typeof GROUPS)[number];

/** One row: what is compared, and one cell per column. */
export interface Row {
  id: string;
  group: Group;
  label: Localized;
  /** True for the rows of the guide's own table. */
  fromGuide: boolean;
  cells: Record<Transport, Cell>;
}

/** Display names of the columns. */
export const TRANSPORT_NAMES: Record<Transport, Localized> = {
  'short-polling': { 'zh-CN': '短轮询', en: 'Short polling' },
  'long-polling': { 'zh-CN': '长轮询', en: 'Long polling' },
  sse: { 'zh-CN': 'SSE', en: 'SSE' },
  websocket: { 'zh-CN': 'WebSocket', en: 'WebSocket' },
  mqtt: { 'zh-CN': 'MQTT over TCP', en: 'MQTT over TCP' },
  'mqtt-ws': { 'zh-CN': 'MQTT over WebSocket', en: 'MQTT over WebSocket' },
};

/** The chapter that teaches each column. */
export const TRANSPORT_CHAPTER: Record<Transport, ChapterSlug> = {
  'short-polling': 'short-polling',
  'long-polling': 'long-polling',
  sse: 'sse',
  websocket: 'websocket',
  mqtt: 'mqtt',
  'mqtt-ws': 'mqtt-over-websocket',
};

/** Display names of the row groups. */
export const GROUP_NAMES: Record<Group, Localized> = {
  model: { 'zh-CN': '通信模型', en: 'Communication model' },
  wire: { 'zh-CN': '线上格式与规范', en: 'On the wire' },
  reliability: { 'zh-CN': '可靠性与重连', en: 'Reliability and reconnects' },
  scale: { 'zh-CN': '规模与资源', en: 'Scale and resources' },
  deploy: { 'zh-CN': '部署与网络', en: 'Deployment and networks' },
  fit: { 'zh-CN': '适用场景', en: 'Where it fits' },
};

type Pair = readonly [zh: string, en: string];
type CellSpec = readonly [
  level: Level,
  verdict: Pair,
  why: Pair,
  source: string,
  anchor?: string,
  corrects?: number,
];

function loc([zh, en]: Pair): Localized {
  return { 'zh-CN': zh, en };
}

function row(
  id: string,
  group: Group,
  label: Pair,
  fromGuide: boolean,
  specs: Record<Transport, CellSpec>,
): Row {
  const cells = {} as Record<Transport, Cell>;
  for (const t of TRANSPORTS) {
    const [level, verdict, why, source, anchor = 'demo', corrects] = specs[t];
    cells[t] = {
      level,
      verdict: loc(verdict),
      why: loc(why),
      source,
      link: { chapter: TRANSPORT_CHAPTER[t], anchor },
      ...(corrects === undefined ? {} : { corrects }),
    };
  }
  return { id, group, label: loc(label), fromGuide, cells };
}

/** Every row of the comparison table, grouped by `group`, in display order. */
export const ROWS: readonly Row[] = [
  row('model', 'model', ['通信模式', 'Communication model'], true, {
    'short-polling': [
      'info',
      ['请求/响应，客户端定时发问', 'Request/response, client asks on a timer'],
      [
        '每次轮询都是一次普通的 HTTP 请求；客户端不问，服务器就没法开口。',
        'Each poll is an ordinary HTTP exchange; until the client asks, the server cannot speak.',
      ],
      'RFC 9110 §3 (request/response)',
      'how-it-works',
    ],
    'long-polling': [
      'info',
      ['请求挂起，有数据才响应', 'Request held open until there is data'],
      [
        '服务器把请求压住，直到有新消息或超时才回应；客户端收到后立刻再发下一个请求。',
        'The server holds the request until it has news or times out; the client then asks again at once.',
      ],
      'RFC 6202 §2.1',
      'how-it-works',
    ],
    sse: [
      'info',
      ['单向流：一个不结束的 HTTP 响应', 'One-way stream: an HTTP response that never ends'],
      [
        '服务器持续往一个 text/event-stream 响应里写事件；客户端不能沿这条连接回话。',
        'The server keeps writing events into one text/event-stream response; the client cannot answer on it.',
      ],
      'HTML §9.2 Server-sent events',
      'how-it-works',
    ],
    websocket: [
      'info',
      [
        '全双工，每条连接一端客户端一端服务器',
        'Full duplex, one client and one server per connection',
      ],
      [
        '“点对点”只是说一条连接有两端；服务器照样可以把消息写给成千上万条连接（广播），房间由应用或库实现。协议里缺的是主题。',
        '"Point-to-point" only means a connection has two ends: a server still broadcasts by writing to many connections, and libraries add rooms. What the protocol lacks is topics.',
      ],
      'RFC 6455 §1.1',
      'how-it-works',
      4,
    ],
    mqtt: [
      'info',
      ['经 broker 发布/订阅，多对多', 'Publish/subscribe through a broker, many-to-many'],
      [
        '客户端彼此不直接寻址：发布到主题，broker 转发给每个匹配的订阅者。',
        'Clients never address each other: they publish to a topic and the broker forwards to every matching subscriber.',
      ],
      'MQTT 3.1.1 §3.3 PUBLISH, §3.8 SUBSCRIBE',
      'how-it-works',
    ],
    'mqtt-ws': [
      'info',
      [
        '同样的发布/订阅，浏览器经 WebSocket 接入',
        'The same pub/sub, browsers reach the broker over WebSocket',
      ],
      [
        '它仍然是 MQTT：MQTT 报文装在 WebSocket 二进制消息里，子协议为 mqtt。',
        'It is still MQTT: MQTT packets ride in WebSocket binary messages, with the subprotocol "mqtt".',
      ],
      'MQTT 3.1.1 §6 (WebSocket transport)',
      'architecture',
      8,
    ],
  }),
  row('direction', 'model', ['数据方向', 'Direction of data'], false, {
    'short-polling': [
      'partial',
      ['客户端拉取，服务器无法主动推', 'Client pulls; the server cannot push'],
      [
        '新数据要等下一次轮询才被取走，延迟最长等于轮询间隔；写操作就是普通请求。',
        'News waits for the next poll, so delay is up to one interval; writes are ordinary requests.',
      ],
      'RFC 9110 §3',
    ],
    'long-polling': [
      'partial',
      ['服务器→客户端（有请求挂着时）', 'Server → client whenever a request is waiting'],
      [
        '有请求挂着时消息几乎即时送达；在两次请求之间到达的消息要等下一次请求。写操作另发请求。',
        'A message reaches a waiting request almost at once; one arriving between requests waits for the next. Writes are separate requests.',
      ],
      'RFC 6202 §2.2',
    ],
    sse: [
      'partial',
      ['只有服务器→客户端', 'Server → client only'],
      [
        'EventSource 只能接收；要写数据，另用 fetch 发 POST。',
        'EventSource only receives; to write, send a separate fetch POST.',
      ],
      'HTML §9.2 (EventSource interface)',
    ],
    websocket: [
      'good',
      ['双向，任一方随时可发', 'Both ways, either side at any time'],
      [
        '握手之后双方都可以在任意时刻发送数据帧，不必等对方。',
        'After the handshake either side may send a data frame at any time, without waiting for the other.',
      ],
      'RFC 6455 §5',
    ],
    mqtt: [
      'good',
      ['双向：任何客户端都能发布和订阅', 'Both ways: any client publishes and subscribes'],
      [
        '同一个客户端可以既发布又订阅；服务器端应用也只是另一个客户端。',
        'One client may both publish and subscribe; the server-side application is just another client.',
      ],
      'MQTT 3.1.1 §3.3, §3.8',
    ],
    'mqtt-ws': [
      'good',
      ['双向，与 MQTT/TCP 相同', 'Both ways, as over TCP'],
      [
        '浏览器里的 mqtt.js 客户端可以发布也可以订阅，与设备完全对等。',
        'The browser mqtt.js client publishes and subscribes exactly like a device.',
      ],
      'MQTT 3.1.1 §6',
    ],
  }),
  row('routing', 'model', ['消息路由 / 主题', 'Message routing / topics'], true, {
    'short-polling': [
      'partial',
      ['按 URL 和查询参数', 'By URL and query parameters'],
      [
        '客户端在每次请求里说清自己要什么（例如 ?room=3&since=42），路由全由应用定义。',
        'The client says what it wants in each request (say ?room=3&since=42); routing is entirely the application’s.',
      ],
      'RFC 9110 §4 (URIs)',
    ],
    'long-polling': [
      'partial',
      ['按 URL 和查询参数', 'By URL and query parameters'],
      [
        '每次挂起的请求带上自己关心的范围，服务器只在相关数据到达时回应。',
        'Each waiting request names what it cares about; the server answers only when matching data arrives.',
      ],
      'RFC 6202 §2.1',
    ],
    sse: [
      'partial',
      ['一个 URL 一条流，event: 区分类型', 'One stream per URL; event: names types'],
      [
        '要只拿一部分数据，就订阅不同的 URL 或让服务器过滤；event 字段只给事件分类，没有通配符。',
        'To get a subset, open a different URL or let the server filter; the event field only labels events, with no wildcards.',
      ],
      'HTML §9.2 (event field)',
      'on-the-wire',
    ],
    websocket: [
      'poor',
      ['无主题，靠自定义的消息信封', 'No topics: an envelope you design'],
      [
        '协议只管帧；谁该收到什么，由应用用 {type, room, payload} 这样的信封自己路由，或交给库的房间功能。',
        'The protocol only carries frames; who gets what is routed by the app with an envelope like {type, room, payload}, or by a library’s rooms.',
      ],
      'RFC 6455 §1.1, §1.9 (subprotocols)',
      'demo',
      4,
    ],
    mqtt: [
      'good',
      ['主题 + 通配符 + 和 #', 'Topics with + and # wildcards'],
      [
        '主题是分层的字符串；订阅过滤器可用 + 匹配一层，用 # 匹配其下所有层，broker 负责路由。',
        'Topics are levelled strings; a filter matches one level with + and everything below with #, and the broker routes.',
      ],
      'MQTT 3.1.1 §4.7',
    ],
    'mqtt-ws': [
      'good',
      [
        '主题 + 通配符，浏览器只订阅需要的',
        'Topics and wildcards: the browser subscribes to just what it shows',
      ],
      [
        '浏览器用同样的主题过滤器，只接收它正在显示的那部分数据。',
        'The browser uses the same topic filters and receives only the slice it is showing.',
      ],
      'MQTT 3.1.1 §4.7',
      'aggregate',
    ],
  }),
  row('transport', 'wire', ['传输与分帧', 'Transport and framing'], false, {
    'short-polling': [
      'info',
      ['每次轮询一次 HTTP 请求', 'One HTTP request per poll'],
      [
        'HTTP/1.1 可复用 keep-alive 连接，HTTP/2 可在一条连接上多路复用；每次轮询都带完整的请求头和响应头。',
        'HTTP/1.1 reuses a keep-alive connection and HTTP/2 multiplexes; every poll still carries full request and response headers.',
      ],
      'RFC 9112 §9.3, RFC 9113 §5',
      'on-the-wire',
    ],
    'long-polling': [
      'info',
      ['挂起的 HTTP 请求，一次响应一批', 'A held HTTP request, one body per batch'],
      [
        '响应体里可以装多条消息（例如 JSON 数组）：长轮询并不是“一次请求一条消息”。',
        'A response body can hold several messages (a JSON array, say): long polling is not "one message per request".',
      ],
      'RFC 6202 §2.1',
      'on-the-wire',
      6,
    ],
    sse: [
      'info',
      ['HTTP 响应中的 UTF-8 文本行', 'UTF-8 text lines in an HTTP response'],
      [
        '每个事件由 data:、id:、event:、retry: 行组成，空行结束一个事件；只能传文本。',
        'Each event is data:, id:, event: and retry: lines ended by a blank line; text only.',
      ],
      'HTML §9.2 (event stream format)',
      'on-the-wire',
    ],
    websocket: [
      'info',
      ['HTTP Upgrade 后的 TCP 帧', 'TCP frames after an HTTP Upgrade'],
      [
        '一次 HTTP/1.1 Upgrade 握手后，连接上传的是文本帧或二进制帧。',
        'After one HTTP/1.1 Upgrade handshake the connection carries text or binary frames.',
      ],
      'RFC 6455 §4, §5.2',
      'on-the-wire',
    ],
    mqtt: [
      'info',
      ['TCP 上的二进制报文（1883/8883）', 'Binary packets on TCP (1883, TLS 8883)'],
      [
        '每个报文以固定报头开头，长度用可变字节编码；IANA 为它分配了 1883 和 8883 端口。',
        'Every packet starts with a fixed header with a variable-byte length; IANA assigned ports 1883 and 8883.',
      ],
      'MQTT 3.1.1 §2.2, §4.2',
      'on-the-wire',
    ],
    'mqtt-ws': [
      'info',
      ['MQTT 报文装在 WebSocket 二进制帧里', 'MQTT packets inside WebSocket binary frames'],
      [
        '必须用二进制帧，子协议名为 mqtt；一个 WebSocket 消息可能装多个或半个 MQTT 报文。',
        'Binary frames are required and the subprotocol is "mqtt"; one WebSocket message may hold several MQTT packets or part of one.',
      ],
      'MQTT 3.1.1 §6 [MQTT-6.0.0-1], [MQTT-6.0.0-2], [MQTT-6.0.0-3]',
      'on-the-wire',
      8,
    ],
  }),
  row('overhead', 'wire', ['每条消息的额外字节', 'Per-message overhead (bytes)'], false, {
    'short-polling': [
      'poor',
      [
        '每次数百字节的请求头+响应头，空轮询也要付',
        'Hundreds of header bytes per poll, even empty ones',
      ],
      [
        '请求行、Cookie、User-Agent 和响应头加起来常有几百字节；没有新数据的轮询同样付这笔钱。演示里能看到实际字节数。',
        'Request line, cookies, user agent and response headers are commonly several hundred bytes, paid even when nothing changed. The demo shows the real count.',
      ],
      'RFC 9110 §6 (message fields); measured in the demo',
      'on-the-wire',
    ],
    'long-polling': [
      'partial',
      ['每次响应一套头，由一批消息分摊', 'One set of headers per response, shared by a batch'],
      [
        '没有空响应（超时除外），而且一次响应可以带多条消息，头部开销被分摊。',
        'No empty answers except on timeout, and one response can carry several messages, so header cost is shared.',
      ],
      'RFC 6202 §2.2',
      'on-the-wire',
      6,
    ],
    sse: [
      'good',
      [
        '约 8 字节（data: 与空行）+ 可选 id:',
        'About 8 bytes (data: and a blank line) plus an optional id:',
      ],
      [
        '头部只在建立流时发送一次；之后每个事件只多出字段名和换行。',
        'Headers are sent once when the stream opens; each event then adds only field names and newlines.',
      ],
      'HTML §9.2 (event stream format)',
      'on-the-wire',
    ],
    websocket: [
      'good',
      [
        '服务器发出的帧头 2–10 字节；客户端的帧含 4 字节掩码键，共 6–14 字节',
        '2–10 byte header server → client; 6–14 client → server (4-byte mask included)',
      ],
      [
        '125 字节以内的载荷，服务器的帧头只有 2 字节；浏览器发出的每一帧都必须再带 4 字节掩码键（即 6 字节）。',
        'A payload up to 125 bytes needs a 2-byte header from the server; every frame a browser sends also carries a 4-byte masking key (6 bytes).',
      ],
      'RFC 6455 §5.2, §5.3',
      'on-the-wire',
    ],
    mqtt: [
      'good',
      [
        '固定报头 + 2 字节主题长度 + 主题；QoS ≥ 1 再加 2 字节',
        'Fixed header + 2-byte topic length + topic; +2 packet id at QoS ≥ 1',
      ],
      [
        'PUBLISH 报文 = 固定报头（2–5 字节）+ 2 字节主题长度 + 主题 + QoS ≥ 1 时的 2 字节报文标识符。',
        'A PUBLISH is a 2–5 byte fixed header, a 2-byte topic length, the topic, and a 2-byte packet id at QoS ≥ 1.',
      ],
      'MQTT 3.1.1 §2.2, §3.3.2',
      'on-the-wire',
    ],
    'mqtt-ws': [
      'good',
      [
        'MQTT 的字节再加 2–14 字节 WebSocket 帧头',
        'MQTT’s bytes plus a 2–14 byte WebSocket header',
      ],
      [
        '同样的 PUBLISH 报文，外面再包一层 WebSocket 帧；浏览器发出的帧还要加掩码。',
        'The same PUBLISH packet, wrapped in a WebSocket frame; frames the browser sends are also masked.',
      ],
      'MQTT 3.1.1 §6; RFC 6455 §5.2',
      'on-the-wire',
    ],
  }),
  row('spec', 'wire', ['标准 / 规范', 'Standard / spec'], false, {
    'short-polling': [
      'info',
      ['HTTP 语义（RFC 9110）', 'HTTP semantics (RFC 9110)'],
      [
        '没有专门的规范：它就是按时发出的普通 HTTP 请求。',
        'No dedicated spec: it is plain HTTP requests sent on a timer.',
      ],
      'RFC 9110',
      'references',
    ],
    'long-polling': [
      'info',
      ['HTTP 上的约定，见 RFC 6202', 'A pattern on HTTP, described by RFC 6202'],
      [
        'RFC 6202 是信息性文档，描述了长轮询和流式响应的做法与已知问题。',
        'RFC 6202 is informational: it describes long polling and streaming and their known issues.',
      ],
      'RFC 6202 (informational)',
      'references',
    ],
    sse: [
      'info',
      ['WHATWG HTML 标准 §9.2', 'WHATWG HTML Living Standard §9.2'],
      [
        '格式、EventSource 接口、重连和 Last-Event-ID 都由 HTML 标准规定。',
        'The format, the EventSource interface, reconnection and Last-Event-ID are all defined by the HTML standard.',
      ],
      'HTML §9.2 Server-sent events',
      'references',
    ],
    websocket: [
      'info',
      ['IETF RFC 6455（HTTP/2 上见 RFC 8441）', 'IETF RFC 6455 (RFC 8441 for HTTP/2)'],
      [
        '协议由 RFC 6455 规定，浏览器 API 由 WHATWG WebSockets 标准规定。',
        'RFC 6455 defines the protocol; the WHATWG WebSockets standard defines the browser API.',
      ],
      'RFC 6455; RFC 8441; WHATWG WebSockets',
      'references',
    ],
    mqtt: [
      'info',
      [
        'OASIS MQTT 3.1.1（ISO/IEC 20922）与 MQTT 5.0',
        'OASIS MQTT 3.1.1 (ISO/IEC 20922) and MQTT 5.0',
      ],
      [
        '两个版本都是 OASIS 标准；本实验室内置的 Aedes 实现的是 3.1.1。',
        'Both versions are OASIS standards; the lab’s embedded broker (Aedes) speaks 3.1.1.',
      ],
      'OASIS MQTT 3.1.1; OASIS MQTT 5.0',
      'references',
    ],
    'mqtt-ws': [
      'info',
      ['MQTT 规范第 6 章 + RFC 6455', 'MQTT spec chapter 6 over RFC 6455'],
      [
        'MQTT 规范自己规定了如何用 WebSocket 作为传输层。',
        'The MQTT spec itself defines how to use WebSocket as its transport.',
      ],
      'MQTT 3.1.1 §6; MQTT 5.0 §6',
      'references',
    ],
  }),
  row(
    'reliability',
    'reliability',
    ['可靠性（连接存续期间）', 'Reliability (while connected)'],
    true,
    {
      'short-polling': [
        'partial',
        ['两次轮询之间的中间值可能被跳过', 'Values between two polls may be skipped'],
        [
          '每次只拿到“当前状态”；除非服务器保存历史、客户端带上 since，中间发生的变化就看不到。',
          'Each poll sees the current state; unless the server keeps history and the client sends since=, changes in between are never seen.',
        ],
        'RFC 9110 §3; shown in the demo',
      ],
      'long-polling': [
        'partial',
        ['带游标就不丢；不带则可能漏掉间隙', 'No gaps with a cursor; gaps without one'],
        [
          '在一个响应返回、下一个请求到达之间产生的消息，只有服务器按游标保存时才不会漏。',
          'Messages produced between one response and the next request are kept only if the server buffers them by cursor.',
        ],
        'RFC 6202 §2.2',
      ],
      sse: [
        'good',
        ['TCP：连接期间不丢不乱序', 'TCP: no loss or reordering while connected'],
        [
          '事件流跑在一条 TCP 连接上，连接存续期间事件按序完整到达；但服务器可能主动断开跟不上的慢客户端（本实验室在积压 1 MiB 时断开），之后就是下一行的问题。',
          'The stream runs on one TCP connection, so while it lives, events arrive complete and in order; a server may still cut a client too slow to keep up (the lab does at 1 MiB unsent), and then the next row applies.',
        ],
        'RFC 9293 (TCP); HTML §9.2',
      ],
      websocket: [
        'good',
        ['TCP：连接期间不丢不乱序', 'TCP: no loss or reordering while connected'],
        [
          '原指南说 WebSocket “无可靠性”是错的：连接存续期间帧既不会丢也不会乱序；问题在断线之后（见下一行），包括服务器主动断开跟不上的慢客户端（本实验室在积压 1 MiB 时断开）。',
          'The guide’s "no reliability" is wrong: a live connection neither loses nor reorders frames. The gap is after a disconnect (next row), including the one a server imposes on a client too slow to keep up (the lab cuts at 1 MiB unsent).',
        ],
        'RFC 6455 §1.5; RFC 9293 (TCP)',
        'demo',
        3,
      ],
      mqtt: [
        'good',
        ['TCP + 协议级 QoS 0/1/2 确认', 'TCP plus protocol QoS 0/1/2 acknowledgements'],
        [
          'QoS 0 最多一次，QoS 1 至少一次（PUBACK），QoS 2 恰好一次（四次握手），每一跳各自确认。broker 的队列是有上限的：订阅者太慢、超过上限时，broker 会丢弃消息或断开它。',
          'QoS 0 is at most once, QoS 1 at least once (PUBACK), QoS 2 exactly once (a four-packet exchange), each hop acknowledged on its own. Broker queues are bounded: past the limit a slow subscriber loses messages or its connection.',
        ],
        'MQTT 3.1.1 §4.3',
        'demo',
        3,
      ],
      'mqtt-ws': [
        'good',
        ['与 MQTT/TCP 相同的 QoS', 'The same QoS as over TCP'],
        [
          'QoS 是 MQTT 报文层的规则，换成 WebSocket 传输不影响。',
          'QoS lives in the MQTT packets, so the WebSocket transport does not change it.',
        ],
        'MQTT 3.1.1 §4.3, §6',
      ],
    },
  ),
  row('delivery', 'reliability', ['断线重连后消息是否还在', 'Delivery across a reconnect'], false, {
    'short-polling': [
      'partial',
      [
        '服务器保存历史 + 客户端带 since 才不丢',
        'Kept only if the server stores history and the client sends since=',
      ],
      [
        '协议本身无状态；断线期间的消息能否补回，全看服务器是否按 id 保存。',
        'The protocol is stateless; whether messages sent while offline come back depends on the server storing them by id.',
      ],
      'RFC 9110 §3',
    ],
    'long-polling': [
      'partial',
      ['靠游标 + 服务器缓冲', 'With a cursor and a server-side buffer'],
      [
        '客户端下一次请求带上最后一个 id，服务器把之后的消息一次性返回。',
        'The next request carries the last id seen and the server returns everything after it in one response.',
      ],
      'RFC 6202 §2.2',
    ],
    sse: [
      'partial',
      [
        '协议给出 Last-Event-ID，服务器负责重放',
        'The protocol sends Last-Event-ID; the server must replay',
      ],
      [
        '浏览器重连时自动带上最后收到的 id；服务器要有缓冲区才能补发。',
        'On reconnect the browser sends the last id it saw; the server needs a buffer to replay from.',
      ],
      'HTML §9.2 (Last-Event-ID)',
      'demo',
      7,
    ],
    websocket: [
      'poor',
      [
        '什么都不保留，除非应用自己加 id、确认与重放',
        'Nothing survives unless the app adds ids, acks and replay',
      ],
      [
        '连接一断，在途和断线期间的消息都没了；要补发，应用得自己编号、确认并重放。',
        'When the connection drops, messages in flight and sent meanwhile are gone; the app must number, acknowledge and replay.',
      ],
      'RFC 6455 §7 (closing)',
      'demo',
      3,
    ],
    mqtt: [
      'good',
      [
        '持久会话 + 固定 client id + QoS ≥ 1 才保留',
        'Kept with a persistent session, a fixed client id and QoS ≥ 1',
      ],
      [
        '只有同时满足这些条件，broker 才必须为离线客户端排队：持久会话（3.1.1 的 Clean Session = 0；MQTT 5 要 Session Expiry Interval > 0，并且重连时 Clean Start = 0）、重连用同一个 client id、订阅和发布都是 QoS ≥ 1。clean session 下，离线期间的消息直接丢弃。',
        'The broker must queue for an offline client only when all of these hold: a persistent session (3.1.1: Clean Session = 0; MQTT 5: Session Expiry Interval > 0, and Clean Start = 0 on the reconnect), the same client id on the reconnect, and QoS ≥ 1 on both the subscription and the publish. With a clean session, messages sent while offline are gone.',
      ],
      'MQTT 3.1.1 §3.1.2.4, §4.4; MQTT 5.0 §3.1.2.4, §3.1.2.11.2',
      'demo',
      1,
    ],
    'mqtt-ws': [
      'good',
      ['同上；浏览器要保存 client id', 'As over TCP; the browser must keep its client id'],
      [
        '页面刷新后，这个标签页要用同一个 client id 重连（例如存在 sessionStorage），持久会话才能接上。不要放在 localStorage：同源的所有标签页共用它，第二个标签页用同一个 id 连接时会把第一个的会话接管过去。',
        'After a page reload the tab must reconnect with the same client id (kept in sessionStorage, say) for its persistent session to resume. Not in localStorage: every tab of the origin shares it, and a second tab connecting with the same id takes the first one’s session over.',
      ],
      'MQTT 3.1.1 §3.1.3.1, §3.1.2.4, §3.1.4 [MQTT-3.1.4-2]',
      'demo',
      1,
    ],
  }),
  row('reconnect', 'reliability', ['断线重连', 'Reconnect'], true, {
    'short-polling': [
      'good',
      ['无需重连：下一次轮询照常发出', 'Nothing to reconnect: the next poll just happens'],
      [
        '每次轮询都是独立请求；网络恢复后下一次轮询自然成功。',
        'Each poll is independent; once the network is back, the next poll simply succeeds.',
      ],
      'RFC 9110 §3',
    ],
    'long-polling': [
      'partial',
      ['由你的循环重试（加退避）', 'Your loop retries (add backoff)'],
      [
        '失败后立即重试会在服务器出问题时形成请求风暴，应当加随机退避。',
        'Retrying at once after a failure stampedes a struggling server; add randomised backoff.',
      ],
      'RFC 6202 §5',
    ],
    sse: [
      'good',
      [
        'EventSource 自动重连，retry: 设定间隔',
        'EventSource reconnects by itself; retry: sets the delay',
      ],
      [
        '连接断开后浏览器自动重新连接，并带上 Last-Event-ID；服务器可以用 retry: 字段调整等待时间。',
        'The browser reconnects on its own and sends Last-Event-ID; the server can tune the wait with the retry: field.',
      ],
      'HTML §9.2 (reestablish the connection)',
      'demo',
      7,
    ],
    websocket: [
      'poor',
      ['手动：应用或库重新打开', 'Manual: the app or a library reopens it'],
      [
        '浏览器不会自动重连；RFC 建议异常断开后用随机延迟再连，避免所有客户端同时涌回。',
        'Browsers do not reconnect for you; the RFC advises a randomised delay after an abnormal close so clients do not all rush back.',
      ],
      'RFC 6455 §7.2.3',
    ],
    mqtt: [
      'partial',
      [
        '客户端库的功能（mqtt.js reconnectPeriod），不是协议的',
        'A client-library feature (mqtt.js reconnectPeriod), not the protocol',
      ],
      [
        '协议提供的是 keep-alive（发现死连接）、会话、遗嘱和保留消息；自动重连由 mqtt.js 这类库实现。',
        'The protocol provides keep-alive (to find dead links), sessions, last will and retained messages; reconnecting is done by libraries such as mqtt.js.',
      ],
      'MQTT 3.1.1 §3.1.2.10 (Keep Alive), §3.1.2.5 (Will)',
      'demo',
      2,
    ],
    'mqtt-ws': [
      'partial',
      ['同样由 mqtt.js 重连', 'Also reconnected by mqtt.js'],
      [
        '浏览器里的 mqtt.js 按 reconnectPeriod 重连；keep-alive 依然在 MQTT 层。',
        'In the browser mqtt.js reconnects every reconnectPeriod; keep-alive still runs at the MQTT level.',
      ],
      'MQTT 3.1.1 §3.1.2.10',
      'demo',
      2,
    ],
  }),
  row('resume', 'reliability', ['重连后从断点续传', 'Resume after reconnect'], false, {
    'short-polling': [
      'partial',
      ['客户端带上最后的 id 或 ETag', 'The client sends its last id or ETag'],
      [
        '条件请求（If-None-Match）能在没变化时回 304；续传则要应用自己的 since 参数。',
        'Conditional requests (If-None-Match) answer 304 when nothing changed; resuming needs the app’s own since parameter.',
      ],
      'RFC 9110 §13.1.2',
    ],
    'long-polling': [
      'partial',
      ['带游标的下一次请求', 'The next request carries a cursor'],
      [
        '续传是应用约定：游标放在查询参数里，服务器从那里开始返回。',
        'Resuming is an application convention: a cursor in the query, and the server answers from there.',
      ],
      'RFC 6202 §2.2',
    ],
    sse: [
      'good',
      ['内建：重连时发送 Last-Event-ID', 'Built in: Last-Event-ID on reconnect'],
      [
        '服务器给每个事件写 id:，浏览器重连时在请求头里带回最后一个。',
        'The server writes id: on each event and the browser sends the last one back in a request header when it reconnects.',
      ],
      'HTML §9.2 (Last-Event-ID)',
      'demo',
      7,
    ],
    websocket: [
      'poor',
      ['协议里没有，需应用设计', 'Not in the protocol; the app designs it'],
      [
        '新连接就是全新的开始；要续传得在应用消息里自己带序号。',
        'A new connection starts from nothing; resuming needs sequence numbers in your own messages.',
      ],
      'RFC 6455 §4',
    ],
    mqtt: [
      'good',
      [
        '会话恢复：订阅与未确认消息都还在',
        'The session resumes: subscriptions and unacknowledged messages',
      ],
      [
        'CONNACK 的 Session Present 标志告诉客户端会话还在；未完成的 QoS 1/2 消息会重发。',
        'CONNACK’s Session Present flag tells the client its session survived; unfinished QoS 1/2 messages are resent.',
      ],
      'MQTT 3.1.1 §3.2.2.2, §4.4',
      'demo',
      1,
    ],
    'mqtt-ws': [
      'good',
      ['同 MQTT/TCP', 'As over TCP'],
      [
        '会话属于 client id，与走哪种传输无关；设备和浏览器的规则一样。',
        'A session belongs to the client id, not the transport; devices and browsers follow the same rules.',
      ],
      'MQTT 3.1.1 §3.2.2.2',
      'demo',
      1,
    ],
  }),
  row('scalability', 'scale', ['扩展性', 'Scalability'], true, {
    'short-polling': [
      'partial',
      [
        '无状态、易横向扩展；开销 = 客户端数 × 频率',
        'Stateless and easy to scale out; cost = clients × rate',
      ],
      [
        '任何一台服务器都能回答任何一次轮询，但请求量随客户端数和轮询频率线性增长。',
        'Any server can answer any poll, but the request rate grows with clients times poll frequency.',
      ],
      'RFC 9110 §3; measured in the demo',
    ],
    'long-polling': [
      'partial',
      [
        '每个客户端挂一个请求；靠共享消息存储横向扩展',
        'One held request per client; scale out with a shared message store',
      ],
      [
        '挂起的请求分布在多台服务器上时，需要一个共享的发布/订阅后端唤醒它们。',
        'When waiting requests are spread over servers, a shared pub/sub backend must wake them.',
      ],
      'RFC 6202 §5',
    ],
    sse: [
      'partial',
      [
        '每个客户端一个长连接；靠发布/订阅后端横向扩展',
        'One long-lived connection per client; scale out with a pub/sub backplane',
      ],
      [
        '与 WebSocket 一样，瓶颈是同时打开的连接数和广播成本，而不是协议本身。',
        'As with WebSocket, the limits are open connections and broadcast cost, not the protocol.',
      ],
      'HTML §9.2; RFC 9293',
    ],
    websocket: [
      'partial',
      [
        '和 MQTT 一样每个客户端一个 TCP 连接；靠共享后端横向扩展',
        'One TCP connection per client, as with MQTT; scale out with a shared backplane',
      ],
      [
        '“服务端连接压力大”不是协议的性质：两者都为每个客户端保持一条长连接。多台 WebSocket 服务器之间需要共享的发布/订阅层。',
        '"Servers struggle with many connections" is not a protocol property: both keep one long-lived connection per client. Several WebSocket servers need a shared pub/sub layer.',
      ],
      'RFC 6455 §1.5',
      'demo',
      5,
    ],
    mqtt: [
      'good',
      [
        'broker 为海量连接而设计；能否集群取决于所选的 broker 产品',
        'Brokers are built for many connections; clustering depends on the broker product',
      ],
      [
        '集群不是协议规定的，而是部分 broker 产品的功能：EMQX、VerneMQ 和 HiveMQ 企业版能组成集群，Aedes 要靠 Redis 或 MongoDB 共享状态；Mosquitto 没有集群，只有桥接（在独立的 broker 之间转发主题，会话不跟着走）。集群也有代价：节点之间要同步订阅表和会话，跨节点的消息多一跳，有的产品还要付费版本。',
        'Clustering is not in the protocol but in some broker products: EMQX, VerneMQ and HiveMQ’s enterprise edition cluster, and Aedes shares its state through Redis or MongoDB; Mosquitto has no clustering, only bridges (which forward topics between independent brokers and do not move sessions). A cluster has costs too: nodes keep subscription tables and sessions in step, a message between nodes takes an extra hop, and some products need a paid edition.',
      ],
      'broker documentation (EMQX, VerneMQ, HiveMQ, Aedes, mosquitto.conf(5) bridges); not a protocol rule',
      'demo',
      5,
    ],
    'mqtt-ws': [
      'good',
      ['与设备共用同一个 broker（或集群）', 'Shares the broker (or cluster) with the devices'],
      [
        '浏览器连接只是 broker 的另一个监听端口，扩展方式与 MQTT/TCP 相同，集群也好、单机也好，都一样。',
        'Browser connections are just another broker listener and scale the same way as MQTT over TCP, clustered or not.',
      ],
      'broker documentation; MQTT 3.1.1 §6',
      'architecture',
      5,
    ],
  }),
  row('fanout', 'scale', ['一对多分发', 'Fan-out'], false, {
    'short-polling': [
      'partial',
      ['每个客户端各自来取；可借 HTTP 缓存', 'Each client fetches on its own; HTTP caches help'],
      [
        '同一份数据被每个客户端各取一次；可缓存的响应可以由 CDN 分担。',
        'The same data is fetched once per client; cacheable responses can be served by a CDN.',
      ],
      'RFC 9111 (HTTP caching)',
    ],
    'long-polling': [
      'partial',
      ['服务器唤醒所有等待的请求（应用代码）', 'The server wakes every waiting request (app code)'],
      [
        '一条新消息要逐个回应所有挂起的请求，之后它们又同时发回新请求。',
        'One new message answers every waiting request, which then all come back at once.',
      ],
      'RFC 6202 §2.2',
    ],
    sse: [
      'partial',
      [
        '服务器把事件写进每条流（应用代码）',
        'The server writes each event to every stream (app code)',
      ],
      [
        '广播就是一个循环；按主题过滤要自己写。',
        'Broadcasting is a loop over open streams; filtering by topic is yours to write.',
      ],
      'HTML §9.2',
    ],
    websocket: [
      'partial',
      [
        '服务器遍历连接发送；房间来自库',
        'The server loops over sockets; rooms come from libraries',
      ],
      [
        '服务器完全可以广播；协议不提供的是按主题挑选接收者。',
        'A server can broadcast just fine; what the protocol lacks is choosing receivers by topic.',
      ],
      'RFC 6455 §1.1',
      'demo',
      4,
    ],
    mqtt: [
      'good',
      [
        'broker 把一次发布送给所有匹配的订阅者',
        'The broker delivers one publish to every matching subscriber',
      ],
      [
        '发布者只发一次，broker 负责复制给每个订阅过滤器匹配的客户端。',
        'The publisher sends once; the broker copies it to every client whose filter matches.',
      ],
      'MQTT 3.1.1 §3.3.5',
    ],
    'mqtt-ws': [
      'good',
      [
        '同一个 broker 分发，设备与浏览器一视同仁',
        'The same broker fan-out, devices and browsers alike',
      ],
      [
        '设备用 TCP 发布一次，浏览器经 WebSocket 订阅也能收到。',
        'A device publishes once over TCP and browsers subscribed over WebSocket receive it too.',
      ],
      'MQTT 3.1.1 §3.3.5, §6',
      'architecture',
    ],
  }),
  row(
    'resources',
    'scale',
    ['服务器上每个客户端占用的资源', 'Server resources per client'],
    false,
    {
      'short-polling': [
        'good',
        [
          '两次轮询之间什么都不占；每次请求都要处理',
          'Nothing held between polls; work on every request',
        ],
        [
          '内存占用低，但 CPU 和带宽花在大量（多半为空的）请求上。',
          'Little memory is held, but CPU and bandwidth go into many requests, most of them empty.',
        ],
        'RFC 9110 §3; measured in the demo',
      ],
      'long-polling': [
        'partial',
        [
          '每个客户端一个挂起的请求（套接字 + 定时器）',
          'One parked request per client (socket and timer)',
        ],
        [
          '服务器要为每个等待的请求保留连接和超时定时器。',
          'The server keeps a connection and a timeout timer for each waiting request.',
        ],
        'RFC 6202 §5',
      ],
      sse: [
        'partial',
        ['每个客户端一个打开的响应', 'One open response per client'],
        [
          '每个客户端占一个套接字和一个未结束的响应；此外几乎没有状态。',
          'Each client holds a socket and an unfinished response; little other state.',
        ],
        'HTML §9.2',
      ],
      websocket: [
        'partial',
        ['每个客户端一个套接字和缓冲区', 'One socket and its buffers per client'],
        [
          '和 SSE、MQTT 一样是一条长连接；另有心跳（ping/pong）的开销。',
          'A long-lived connection like SSE or MQTT, plus heartbeat (ping/pong) traffic.',
        ],
        'RFC 6455 §5.5.2',
      ],
      mqtt: [
        'partial',
        ['每个客户端一个套接字 + broker 上的会话', 'One socket plus session state at the broker'],
        [
          '持久会话还要为离线客户端保存订阅和排队的消息。',
          'Persistent sessions also keep subscriptions and queued messages for offline clients.',
        ],
        'MQTT 3.1.1 §3.1.2.4',
      ],
      'mqtt-ws': [
        'partial',
        ['同上，再加 WebSocket 分帧', 'As over TCP, plus WebSocket framing'],
        [
          'broker 为每个浏览器保持一条 WebSocket 连接和一个 MQTT 会话。',
          'The broker keeps one WebSocket connection and one MQTT session per browser.',
        ],
        'MQTT 3.1.1 §6',
      ],
    },
  ),
  row('typical-scale', 'scale', ['典型规模', 'Typical scale'], false, {
    'short-polling': [
      'info',
      ['几十到几千个客户端、间隔较长', 'Tens to thousands of clients at long intervals'],
      [
        '数量级估计，不是基准测试；真正的上限取决于轮询间隔和硬件。',
        'An order of magnitude, not a benchmark; the real limit depends on the interval and the hardware.',
      ],
      'order of magnitude, not measured',
    ],
    'long-polling': [
      'info',
      ['几百到几万个客户端', 'Hundreds to tens of thousands of clients'],
      [
        '数量级估计；受制于同时挂起的请求数和每条消息引发的请求潮。',
        'An order of magnitude; bounded by waiting requests and the request wave each message triggers.',
      ],
      'order of magnitude, not measured',
    ],
    sse: [
      'info',
      ['单进程数千到数万条流', 'Thousands to tens of thousands of streams per process'],
      [
        '数量级估计；瓶颈通常是文件描述符和广播循环。',
        'An order of magnitude; the usual limits are file descriptors and the broadcast loop.',
      ],
      'order of magnitude, not measured',
    ],
    websocket: [
      'info',
      ['单进程数千到数万条连接', 'Thousands to tens of thousands of connections per process'],
      [
        '数量级估计；与 SSE 同一量级，因为两者都是一客户端一连接。',
        'An order of magnitude, the same as SSE, since both hold one connection per client.',
      ],
      'order of magnitude, not measured',
    ],
    mqtt: [
      'info',
      ['broker 集群可达百万级连接', 'Up to millions of connections per broker cluster'],
      [
        '这是 broker 厂商公布的集群数字，不是协议保证；单个 Aedes 进程远达不到。',
        'Figures published by broker vendors for clusters, not a protocol guarantee; a single Aedes process is far below that.',
      ],
      'broker vendors’ published figures',
    ],
    'mqtt-ws': [
      'info',
      ['与设备共用 broker 的容量', 'Shares the broker’s capacity with the devices'],
      [
        '浏览器通常远少于设备，但每条 WebSocket 连接的开销略高。',
        'Browsers are usually far fewer than devices, though each WebSocket connection costs a little more.',
      ],
      'broker vendors’ published figures',
      'architecture',
    ],
  }),
  row('browser', 'deploy', ['浏览器支持', 'Browser support'], true, {
    'short-polling': [
      'good',
      ['所有浏览器：fetch', 'Every browser: fetch'],
      ['不需要任何库。', 'No library needed.'],
      'WHATWG Fetch',
    ],
    'long-polling': [
      'good',
      ['所有浏览器：fetch', 'Every browser: fetch'],
      ['不需要任何库，只是请求会等得久一点。', 'No library needed; the request just waits longer.'],
      'WHATWG Fetch',
    ],
    sse: [
      'good',
      [
        '所有现代浏览器原生 EventSource；不能自定义请求头',
        'Native EventSource in current browsers; no custom headers',
      ],
      [
        'EventSource 只能选择是否带 Cookie（withCredentials），不能加 Authorization 头。',
        'EventSource can only choose whether to send cookies (withCredentials); it cannot add an Authorization header.',
      ],
      'HTML §9.2 (EventSource constructor)',
      'code',
    ],
    websocket: [
      'good',
      ['原生 WebSocket API', 'Native WebSocket API'],
      [
        '所有现代浏览器都内置；同样不能自定义握手请求头。',
        'Built into every current browser; it cannot set custom handshake headers either.',
      ],
      'WHATWG WebSockets',
      'code',
    ],
    mqtt: [
      'poor',
      ['浏览器无法直连：网页不能打开裸 TCP', 'Not from a browser: pages cannot open raw TCP'],
      [
        '这正是需要 MQTT over WebSocket 的原因；设备、服务器和原生应用可以直接用。',
        'That is why MQTT over WebSocket exists; devices, servers and native apps use TCP directly.',
      ],
      'MQTT 3.1.1 §4.2 (network connections)',
      'how-it-works',
    ],
    'mqtt-ws': [
      'partial',
      ['需要 JS 客户端（mqtt.js）', 'Needs a JS client (mqtt.js)'],
      [
        '浏览器没有内置 MQTT；mqtt.js 用原生 WebSocket 承载 MQTT，按需懒加载即可。',
        'Browsers have no built-in MQTT; mqtt.js carries it over the native WebSocket and can be loaded lazily.',
      ],
      'MQTT 3.1.1 §6',
      'why-websocket',
    ],
  }),
  row('proxies', 'deploy', ['HTTP/2 与代理友好度', 'HTTP/2 and proxy friendliness'], false, {
    'short-polling': [
      'good',
      [
        '普通请求：所有代理、CDN、HTTP/2 都没问题',
        'Plain requests: every proxy, CDN and HTTP/2 works',
      ],
      [
        '对中间设备来说它和普通网页请求没有区别，也适合无服务器（serverless）函数。',
        'To middleboxes it looks like any page request, and it suits serverless functions.',
      ],
      'RFC 9110; RFC 9113',
      'when-to-use',
    ],
    'long-polling': [
      'partial',
      [
        '代理可能掐断久挂的请求；等待宜短于约 30 秒',
        'Proxies may cut long waits; keep them under ~30 s',
      ],
      [
        '一些代理和负载均衡器会关闭空闲太久的请求；把等待时间设得比它们的超时短就能正常工作。',
        'Some proxies and load balancers close requests idle too long; a wait shorter than their timeout works everywhere.',
      ],
      'RFC 6202 §5.5 (timeouts)',
      'when-to-use',
    ],
    sse: [
      'partial',
      [
        '缓冲代理会卡住；HTTP/1.1 每源约 6 个连接，HTTP/2 解除',
        'Buffering proxies stall it; ~6 connections per origin on HTTP/1.1, lifted by HTTP/2',
      ],
      [
        '会缓冲响应的代理会让事件迟迟不到；HTTP/1.1 下浏览器对同一源只开约 6 个连接，多开几个标签页就耗尽，HTTP/2 多路复用解决了这个问题。',
        'A proxy that buffers responses delays events; on HTTP/1.1 a browser opens about 6 connections per origin, which a few SSE tabs exhaust, and HTTP/2 multiplexing removes the limit.',
      ],
      'RFC 6202 §5.1, §5.3; RFC 9113 §5; HTML §9.2',
      'misconceptions',
      7,
    ],
    websocket: [
      'partial',
      [
        '需要代理放行 Upgrade；HTTP/2 上靠 RFC 8441',
        'Proxies must pass the Upgrade; on HTTP/2 only via RFC 8441',
      ],
      [
        '反向代理要显式转发 Upgrade 和 Connection 头；在 HTTP/2 上要用扩展 CONNECT，服务器和代理都得支持。无服务器函数一般不能持有它。',
        'Reverse proxies must forward the Upgrade and Connection headers; on HTTP/2 it needs extended CONNECT, which server and proxy must both support. Serverless functions usually cannot hold it.',
      ],
      'RFC 6455 §4.1; RFC 8441',
      'when-to-use',
    ],
    mqtt: [
      'poor',
      [
        '独立的 TCP 端口 1883/8883，常被企业防火墙拦',
        'Its own TCP port, 1883/8883, often blocked by company firewalls',
      ],
      [
        'HTTP 代理和 CDN 都不转发它；要穿过受限网络通常改走 443 端口上的 WebSocket。',
        'HTTP proxies and CDNs do not carry it; through restricted networks it usually moves to WebSocket on port 443.',
      ],
      'MQTT 3.1.1 §4.2; IANA port registry',
      'when-to-use',
    ],
    'mqtt-ws': [
      'partial',
      [
        '走 HTTP(S) 端口，与 WebSocket 要求相同',
        'Rides HTTP(S) ports, with WebSocket’s proxy needs',
      ],
      [
        '在 443 端口上能穿过多数防火墙；代理仍需放行 Upgrade，并保留子协议 mqtt。',
        'On port 443 it passes most firewalls; proxies must still pass the Upgrade and keep the "mqtt" subprotocol.',
      ],
      'MQTT 3.1.1 §6; RFC 6455 §4.1',
      'why-websocket',
    ],
  }),
  row('low-bandwidth', 'deploy', ['离线与弱网表现', 'Offline and low-bandwidth behaviour'], false, {
    'short-polling': [
      'poor',
      ['每次都付完整的头部，哪怕没有数据', 'Pays full headers every time, even for nothing'],
      [
        '在按流量计费或很慢的链路上，空轮询是纯浪费；离线时请求只是失败。',
        'On metered or slow links, empty polls are pure waste; offline, requests simply fail.',
      ],
      'RFC 9110 §6; measured in the demo',
      'on-the-wire',
    ],
    'long-polling': [
      'partial',
      [
        '空响应少；挂起的请求在抖动网络上易断',
        'Few empty answers; held requests die on flaky links',
      ],
      [
        '每次断线都要重新发起请求并重复头部；带游标可以补回数据。',
        'Every drop costs a new request with full headers again; a cursor recovers the data.',
      ],
      'RFC 6202 §2.2',
    ],
    sse: [
      'partial',
      [
        '分帧开销小；短暂断线靠自动重连和续传',
        'Small framing; short drops covered by auto-reconnect and resume',
      ],
      [
        '断线后浏览器自动重连并用 Last-Event-ID 续传，前提是服务器还保留着那些事件。',
        'The browser reconnects and resumes with Last-Event-ID, provided the server still has the events.',
      ],
      'HTML §9.2',
    ],
    websocket: [
      'partial',
      ['分帧开销小；死连接要靠心跳发现', 'Small framing; dead links found only by heartbeats'],
      [
        '移动网络切换时连接可能“静默死亡”，要用 ping/pong 发现，再由应用重连并补数据。',
        'A connection can die silently when a phone changes networks; ping/pong finds it, then the app reconnects and catches up.',
      ],
      'RFC 6455 §5.5.2',
    ],
    mqtt: [
      'good',
      [
        '为此而生：小报头、keep-alive、QoS、持久会话、遗嘱',
        'Built for it: small headers, keep-alive, QoS, sessions, last will',
      ],
      [
        'keep-alive 发现死连接，遗嘱消息通知他人“设备掉线了”，持久会话在重连后补发。',
        'Keep-alive finds dead links, the will message tells others a device vanished, and persistent sessions deliver after reconnect.',
      ],
      'MQTT 3.1.1 §3.1.2.5, §3.1.2.10, §4.3',
    ],
    'mqtt-ws': [
      'good',
      [
        '同样的 MQTT 机制，多一点 WebSocket 开销',
        'The same MQTT features, with a little WebSocket overhead',
      ],
      [
        '浏览器标签页休眠时连接可能被挂起；重新激活后 mqtt.js 会重连，但只有用 clean: false 和固定的 client id 时会话才会恢复、离线期间的消息才会补发。clean: true 的页面（如案例中的看板）只能重新订阅，靠保留消息拿回最新状态。',
        'A sleeping browser tab may lose its connection; when it wakes, mqtt.js reconnects, but the session resumes, with the messages sent meanwhile, only with clean: false and a stable client id. A page on clean: true (like the case study’s dashboard) subscribes again and gets back only the retained last values.',
      ],
      'MQTT 3.1.1 §3.1.2.4, §3.1.2.10, §6',
    ],
  }),
  row('tooling', 'deploy', ['调试工具', 'Tooling'], false, {
    'short-polling': [
      'good',
      ['开发者工具“网络”面板、curl', 'Devtools Network panel, curl'],
      ['每次请求都能单独查看和重放。', 'Every request can be inspected and replayed on its own.'],
      'everyday HTTP tooling',
      'on-the-wire',
    ],
    'long-polling': [
      'good',
      ['开发者工具、curl', 'Devtools, curl'],
      [
        '和普通请求一样调试，只是响应来得慢。',
        'Debugged like any request; the response just arrives late.',
      ],
      'everyday HTTP tooling',
      'on-the-wire',
    ],
    sse: [
      'good',
      ['开发者工具 EventStream 标签、curl -N', 'Devtools EventStream tab, curl -N'],
      ['文本格式，肉眼可读。', 'A text format, readable by eye.'],
      'everyday HTTP tooling',
      'on-the-wire',
    ],
    websocket: [
      'partial',
      ['开发者工具“消息”标签、websocat', 'Devtools Messages tab, websocat'],
      [
        '能看到每一帧，但消息含义取决于你自定义的信封格式。',
        'Every frame is visible, but what it means depends on your own envelope format.',
      ],
      'browser devtools',
      'on-the-wire',
    ],
    mqtt: [
      'good',
      [
        'mosquitto_pub/sub、MQTT Explorer、broker 管理台',
        'mosquitto_pub/sub, MQTT Explorer, broker dashboards',
      ],
      [
        '标准协议意味着任何客户端工具都能订阅同样的主题来观察流量。',
        'A standard protocol means any client tool can subscribe to the same topics and watch the traffic.',
      ],
      'Eclipse Mosquitto clients',
      'on-the-wire',
    ],
    'mqtt-ws': [
      'good',
      [
        '开发者工具看二进制帧 + 同样的 MQTT 工具',
        'Devtools shows binary frames; the same MQTT tools',
      ],
      [
        '开发者工具里是二进制帧，要解码才能读；用 mosquitto_sub 订阅同一主题更直观。',
        'Devtools shows binary frames that need decoding; mosquitto_sub on the same topic is easier to read.',
      ],
      'browser devtools; Eclipse Mosquitto clients',
      'on-the-wire',
    ],
  }),
  row('use-cases', 'fit', ['适用场景', 'Use cases'], true, {
    'short-polling': [
      'info',
      ['很少变化的数据：构建状态、日报', 'Rarely changing data: build status, daily figures'],
      [
        '更新以分钟计、又追求最简单实现时，它完全够用。',
        'When updates come every few minutes and simplicity matters most, it is enough.',
      ],
      'measured in the demo',
      'when-to-use',
    ],
    'long-polling': [
      'info',
      ['流被拦截时的通知', 'Notifications where streams are blocked'],
      [
        '当代理不让流式响应或 WebSocket 通过时，它是可靠的退路。',
        'When proxies block streaming responses and WebSocket, it is the dependable fallback.',
      ],
      'RFC 6202 §2',
      'when-to-use',
    ],
    sse: [
      'info',
      ['信息流、日志、行情、进度、AI 逐字输出', 'Feeds, logs, prices, progress, AI token streams'],
      [
        '只读的实时数据加上偶尔用 POST 写，是 SSE 的最佳场景。',
        'Read-mostly live data, with the occasional POST for writes, is SSE’s sweet spot.',
      ],
      'HTML §9.2',
      'when-to-use',
    ],
    websocket: [
      'info',
      [
        '聊天、游戏、协同编辑等人与人的互动',
        'Chat, games, collaborative editing: people interacting',
      ],
      [
        '双方都频繁发送小消息、要求低延迟时，全双工连接最合适。',
        'When both sides send small messages often and latency matters, a full-duplex connection fits best.',
      ],
      'RFC 6455 §1.1',
      'when-to-use',
      9,
    ],
    mqtt: [
      'info',
      ['设备、遥测、车队、不稳定链路', 'Devices, telemetry, fleets, unreliable links'],
      [
        '大量设备上报、按主题分发、网络时好时坏的场景。',
        'Many devices reporting, delivery by topic, and networks that come and go.',
      ],
      'MQTT 3.1.1 §1 (introduction)',
      'when-to-use',
    ],
    'mqtt-ws': [
      'info',
      ['设备数据的浏览器看板', 'Browser dashboards of device data'],
      [
        '设备走 MQTT/TCP，浏览器经 WebSocket 连到同一个 broker，只订阅要显示的主题。',
        'Devices on MQTT over TCP, browsers on WebSocket to the same broker, subscribing only to what they show.',
      ],
      'MQTT 3.1.1 §6',
      'demo',
    ],
  }),
];

/** Finds a row by id. */
export function rowById(id: string): Row | undefined {
  return ROWS.find((r) => r.id === id);
}
