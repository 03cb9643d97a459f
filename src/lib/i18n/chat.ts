import type { Dictionary } from './index.ts';

/** The keys of the chat dictionary. */
export type ChatKey =
  | 'label'
  | 'intro'
  | 'nick'
  | 'nickHint'
  | 'room'
  | 'roomHint'
  | 'connect'
  | 'disconnect'
  | 'state.idle'
  | 'state.connecting'
  | 'state.open'
  | 'state.reconnecting'
  | 'state.closed'
  | 'state.offline'
  | 'rooms'
  | 'joinRoom'
  | 'join'
  | 'leave'
  | 'members'
  | 'joining'
  | 'waiting'
  | 'messages'
  | 'noMessages'
  | 'message'
  | 'send'
  | 'chars'
  | 'sending'
  | 'failed'
  | 'typing'
  | 'joinedNote'
  | 'resumedNote'
  | 'truncatedNote'
  | 'presenceJoin'
  | 'presenceLeave'
  | 'controls'
  | 'drop'
  | 'dropHint'
  | 'offline'
  | 'offlineHint'
  | 'burst'
  | 'burstHint'
  | 'buffered'
  | 'bufferedPeak'
  | 'inspector'
  | 'inspectorHint'
  | 'col.time'
  | 'col.dir'
  | 'col.type'
  | 'col.size'
  | 'col.data'
  | 'dir.in'
  | 'dir.out'
  | 'dir.note'
  | 'noFrames'
  | 'bytes'
  | 'clear'
  | 'handshake'
  | 'handshakeHint'
  | 'request'
  | 'response'
  | 'lastClose'
  | 'closeLine'
  | 'noReason'
  | 'close.1000'
  | 'close.1001'
  | 'close.1006'
  | 'close.1009'
  | 'close.4000'
  | 'close.other'
  | 'close.1005'
  | 'close.1011'
  | 'close.1012'
  | 'close.registered'
  | 'close.private'
  | 'wasClean'
  | 'closeRefused'
  | 'op.text'
  | 'op.binary'
  | 'api.legend'
  | 'api.binary'
  | 'api.oversized'
  | 'api.close1000'
  | 'api.close4001'
  | 'api.close1001'
  | 'api.hint'
  | 'err.badRoom'
  | 'err.bad_json'
  | 'err.unknown_type'
  | 'err.invalid'
  | 'err.bad_room'
  | 'err.bad_nick'
  | 'err.text_too_long'
  | 'err.rate_limited'
  | 'err.nick_taken'
  | 'err.no_nick'
  | 'err.not_joined'
  | 'err.too_many_rooms'
  | 'err.unavailable';

/** UI strings of the WebSocket chat demo. */
export const chatStrings: Dictionary<ChatKey> = {
  'zh-CN': {
    label: 'WebSocket 聊天演示',
    intro: '取一个昵称，加入房间聊天。再开一个标签页，就能看到只有加入了同一房间的人才会收到消息。',
    nick: '昵称',
    nickHint: '1-24 个可打印字符，同一房间内不能重复',
    room: '房间',
    roomHint: '小写字母、数字和连字符，最多 32 个',
    connect: '连接',
    disconnect: '断开',
    'state.idle': '未连接',
    'state.connecting': '正在连接…',
    'state.open': '已连接',
    'state.reconnecting': '{s} 秒后重连（第 {n} 次）',
    'state.closed': '已关闭',
    'state.offline': '已离线（模拟断网）',
    rooms: '房间',
    joinRoom: '加入另一个房间',
    join: '加入',
    leave: '离开 {room}',
    members: '房间里的人：{list}',
    joining: '正在加入 #{room}，等服务器应答…',
    waiting:
      '还有 {n} 帧排队，约 {s} 秒后发完：本页把发送速度压在服务器每秒 {max} 帧的上限之下，刚才的发送已经用完了这几秒的额度。',
    messages: '#{room} 的消息',
    noMessages: '还没有消息。',
    message: '消息',
    send: '发送',
    chars: '{n} / {max} 字符',
    sending: '发送中…',
    failed: '未发送：{reason}',
    typing: '{nick} 正在输入…',
    joinedNote: '已加入 #{room}',
    resumedNote: '已重新连接：补发了 {n} 条错过的消息',
    truncatedNote: '离开太久，部分更早的消息已不在服务器的历史记录里',
    presenceJoin: '{nick} 加入了房间',
    presenceLeave: '{nick} 离开了房间',
    controls: '连接实验',
    drop: '切断连接',
    dropHint: '让服务器直接销毁这个 TCP 连接（不发关闭帧），就像网络断了一样',
    offline: '模拟离线',
    offlineHint: '客户端停止收发；恢复在线后重连并补发错过的消息',
    burst: '一次发 50 条',
    burstHint: '不经节流直接写入 50 条消息，观察 bufferedAmount；超出速率限制的会被退回并重发',
    buffered: 'bufferedAmount：{n} 字节',
    bufferedPeak: '（峰值 {n} 字节）',
    inspector: '帧检查器',
    inspectorHint: '这个连接上收发的每一帧，最新的在最上面',
    'col.time': '时间',
    'col.dir': '方向',
    'col.type': '类型',
    'col.size': '大小',
    'col.data': '内容',
    'dir.in': '↓ 收',
    'dir.out': '↑ 发',
    'dir.note': '• 事件',
    noFrames: '还没有帧。',
    bytes: '{n} 字节',
    clear: '清空',
    handshake: '握手（HTTP 升级）',
    handshakeHint: '浏览器不让页面读取握手头，这里显示的是服务器收到并回显的内容',
    request: '请求',
    response: '响应',
    lastClose: '上次关闭',
    closeLine: '关闭码 {code}（{meaning}），原因：{reason}',
    noReason: '（无）',
    'close.1000': '正常关闭',
    'close.1001': '一方离开，例如服务器关闭',
    'close.1006': '异常断开，没有收到关闭帧',
    'close.1009': '消息太大',
    'close.4000': '应用自定义：客户端离线',
    'close.other': '见 RFC 6455 §7.4',
    'close.1005': '关闭帧里没有状态码',
    'close.1011': '服务器内部错误',
    'close.1012': '服务重启，稍后再连',
    'close.registered': '3000–3999：向 IANA 登记的库与框架用码',
    'close.private': '4000–4999：应用私用码',
    wasClean: 'wasClean：{value}',
    closeRefused: '浏览器拒绝了 close({code})，抛出 {error}：什么也没发出，连接保持打开。',
    'op.text': '文本',
    'op.binary': '二进制',
    'api.legend': 'WebSocket API 实验',
    'api.binary': '发一个二进制帧',
    'api.oversized': '发 17 KiB',
    'api.close1000': '以 1000 关闭',
    'api.close4001': '以 4001 关闭',
    'api.close1001': '试试 close(1001)',
    'api.hint':
      '二进制帧用操作码 0x2 发出 3 个字节；17 KiB 超过服务器 16 KiB 的上限，服务器以 1009 关闭；页面只能用 1000 和 3000–4999 关闭，1001 会被浏览器拒绝。每次关闭后客户端都会重连。',
    'err.badRoom': '房间名只能用小写字母、数字和连字符，1-32 个',
    'err.bad_json': '服务器收到的不是合法 JSON',
    'err.unknown_type': '服务器不认识这种消息类型',
    'err.invalid': '消息格式不对',
    'err.bad_room': '房间名只能用小写字母、数字和连字符，1-32 个',
    'err.bad_nick': '昵称须为 1-24 个可打印字符',
    'err.text_too_long': '消息超过 2000 个字符',
    'err.rate_limited': '发送太快（每秒最多 10 条），稍后会自动重发',
    'err.nick_taken': '这个昵称在该房间里已被占用',
    'err.no_nick': '请先设置昵称',
    'err.not_joined': '你不在这个房间里',
    'err.too_many_rooms': '房间太多了',
    'err.unavailable': '服务器暂时无法保存消息（共享存储没有响应），请稍后再发',
  },
  en: {
    label: 'WebSocket chat demo',
    intro:
      'Pick a nick and join a room. Open a second tab to see the routing: only people in the same room get a message.',
    nick: 'Nick',
    nickHint: '1-24 printable characters, unique within a room',
    room: 'Room',
    roomHint: 'lower-case letters, digits and dashes, up to 32',
    connect: 'Connect',
    disconnect: 'Disconnect',
    'state.idle': 'Not connected',
    'state.connecting': 'Connecting…',
    'state.open': 'Open',
    'state.reconnecting': 'Reconnecting in {s} s (attempt {n})',
    'state.closed': 'Closed',
    'state.offline': 'Offline (simulated)',
    rooms: 'Rooms',
    joinRoom: 'Join another room',
    join: 'Join',
    leave: 'Leave {room}',
    members: 'In this room: {list}',
    joining: 'Joining #{room}, waiting for the server…',
    waiting:
      '{n, plural, one {# frame waits} other {# frames wait}} to be sent, about {s} s: this page stays under the server’s limit of {max} frames a second, and recent sends used up the allowance for these seconds.',
    messages: 'Messages in #{room}',
    noMessages: 'No messages yet.',
    message: 'Message',
    send: 'Send',
    chars: '{n} / {max} characters',
    sending: 'sending…',
    failed: 'not sent: {reason}',
    typing: '{nick} is typing…',
    joinedNote: 'Joined #{room}',
    resumedNote:
      'Reconnected: {n, plural, one {# missed message} other {# missed messages}} replayed',
    truncatedNote: 'Away too long: some older messages are no longer in the server’s history',
    presenceJoin: '{nick} joined',
    presenceLeave: '{nick} left',
    controls: 'Connection experiments',
    drop: 'Drop connection',
    dropHint:
      'The server destroys this TCP connection without a close frame, as a network cut would',
    offline: 'Go offline',
    offlineHint:
      'The client stops sending and receiving; back online, it reconnects and replays what it missed',
    burst: 'Send a burst of 50',
    burstHint:
      'Writes 50 messages at once, unpaced, to show bufferedAmount; those over the rate limit come back and are resent',
    buffered: 'bufferedAmount: {n, plural, one {# byte} other {# bytes}}',
    bufferedPeak: '(peak {n, plural, one {# byte} other {# bytes}})',
    inspector: 'Frame inspector',
    inspectorHint: 'Every frame sent and received on this connection, newest first',
    'col.time': 'Time',
    'col.dir': 'Direction',
    'col.type': 'Type',
    'col.size': 'Size',
    'col.data': 'Data',
    'dir.in': '↓ in',
    'dir.out': '↑ out',
    'dir.note': '• event',
    noFrames: 'No frames yet.',
    bytes: '{n} B',
    clear: 'Clear',
    handshake: 'Handshake (HTTP upgrade)',
    handshakeHint:
      'A page cannot read its own handshake headers; these are what the server received and echoed',
    request: 'Request',
    response: 'Response',
    lastClose: 'Last close',
    closeLine: 'code {code} ({meaning}), reason: {reason}',
    noReason: '(none)',
    'close.1000': 'normal closure',
    'close.1001': 'going away, e.g. the server shutting down',
    'close.1006': 'abnormal: no close frame arrived',
    'close.1009': 'message too big',
    'close.4000': 'application-defined: client offline',
    'close.other': 'see RFC 6455 §7.4',
    'close.1005': 'the close frame carried no code',
    'close.1011': 'internal error on the server',
    'close.1012': 'service restart: come back soon',
    'close.registered': '3000–3999: registered with IANA for libraries and frameworks',
    'close.private': '4000–4999: private to the application',
    wasClean: 'wasClean: {value}',
    closeRefused:
      'The browser refused close({code}) with {error}: nothing was sent, and the connection stays open.',
    'op.text': 'text',
    'op.binary': 'binary',
    'api.legend': 'WebSocket API experiments',
    'api.binary': 'Send a binary frame',
    'api.oversized': 'Send 17 KiB',
    'api.close1000': 'Close with 1000',
    'api.close4001': 'Close with 4001',
    'api.close1001': 'Try close(1001)',
    'api.hint':
      'The binary frame carries 3 bytes with opcode 0x2; 17 KiB is over the server’s 16 KiB limit, so it closes with 1009; a page may close only with 1000 or 3000–4999, and the browser refuses 1001. After each close the client reconnects.',
    'err.badRoom': 'Room names use lower-case letters, digits and dashes, 1-32 of them',
    'err.bad_json': 'The server did not receive valid JSON',
    'err.unknown_type': 'The server does not know that message type',
    'err.invalid': 'The message is malformed',
    'err.bad_room': 'Room names use lower-case letters, digits and dashes, 1-32 of them',
    'err.bad_nick': 'A nick is 1-24 printable characters',
    'err.text_too_long': 'The message is longer than 2,000 characters',
    'err.rate_limited': 'Too fast (at most 10 messages a second); it will be resent shortly',
    'err.nick_taken': 'That nick is taken in this room',
    'err.no_nick': 'Set a nick first',
    'err.not_joined': 'You are not in that room',
    'err.too_many_rooms': 'Too many rooms',
    'err.unavailable':
      'The server cannot store messages right now (its shared store is not answering); send again shortly',
  },
};
