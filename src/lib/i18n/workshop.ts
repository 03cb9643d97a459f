import type { Dictionary, Translate } from './index.ts';

type Key =
  | 'page.title'
  | 'page.description'
  | 'page.intro'
  | 'bar.label'
  | 'bar.announcement'
  | 'bar.dismiss'
  | 'bar.follow'
  | 'bar.followGo'
  | 'bar.followDecline'
  | 'bar.poll'
  | 'bar.pollClosed'
  | 'bar.voted'
  | 'bar.results'
  | 'bar.votes'
  | 'home'
  | 'desk.label'
  | 'login.title'
  | 'login.explain'
  | 'login.token'
  | 'login.submit'
  | 'login.wrong'
  | 'login.checking'
  | 'via.local'
  | 'via.session'
  | 'via.header'
  | 'logout'
  | 'join.title'
  | 'join.explain'
  | 'join.none'
  | 'join.qrAlt'
  | 'room.title'
  | 'room.attendees'
  | 'room.byChapter'
  | 'room.byDemo'
  | 'room.transports'
  | 'room.none'
  | 'room.chart'
  | 'room.chartSummary'
  | 'room.paused'
  | 'room.fleet'
  | 'room.time'
  | 'room.rate'
  | 't.sse'
  | 't.longPoll'
  | 't.wsChat'
  | 't.mqttWs'
  | 't.mqttTcp'
  | 't.mqtt'
  | 't.room'
  | 'announce.title'
  | 'announce.label'
  | 'announce.send'
  | 'announce.clear'
  | 'announce.current'
  | 'follow.title'
  | 'follow.label'
  | 'follow.send'
  | 'follow.current'
  | 'poll.title'
  | 'poll.kind'
  | 'poll.custom'
  | 'poll.quiz'
  | 'poll.question'
  | 'poll.choice'
  | 'poll.add'
  | 'poll.remove'
  | 'poll.quizQuestion'
  | 'poll.start'
  | 'poll.close'
  | 'poll.show'
  | 'poll.hide'
  | 'poll.voters'
  | 'poll.closed'
  | 'poll.none'
  | 'faults.title'
  | 'faults.explain'
  | 'fault.cut-sse'
  | 'fault.cut-sse.note'
  | 'fault.cut-long-polls'
  | 'fault.cut-long-polls.note'
  | 'fault.close-chat'
  | 'fault.close-chat.note'
  | 'fault.disconnect-mqtt'
  | 'fault.disconnect-mqtt.note'
  | 'fault.cut-vehicles'
  | 'fault.cut-vehicles.note'
  | 'fault.pause-ticker'
  | 'fault.pause-ticker.note'
  | 'fault.resume-ticker'
  | 'fault.resume-ticker.note'
  | 'fault.n'
  | 'fault.touched'
  | 'fault.back'
  | 'fault.waiting'
  | 'fault.reports'
  | 'log.title'
  | 'log.empty'
  | 'error';

/** A key of the workshop's strings. */
export type WorkshopKey = Key;

/** The lookup the workshop's components share. */
export type WorkshopT = Translate<Key>;

/** UI strings of the workshop: the attendees' banners and the trainer page. */
export const workshopStrings: Dictionary<Key> = {
  'zh-CN': {
    'page.title': '讲师页面',
    'page.description': '在局域网上带一场培训：学员加入、现场情况、通知、投票和故障演练。',
    'page.intro':
      '这一页给讲师用：把二维码投到屏幕上，看学员在哪一章、用什么连接，发通知、发起投票，再亲手制造故障，让全场看到每种传输方式如何恢复。',
    'bar.label': '培训现场',
    'bar.announcement': '讲师通知',
    'bar.dismiss': '关闭',
    'bar.follow': '讲师正在讲「{chapter}」，要打开这一章吗？',
    'bar.followGo': '打开',
    'bar.followDecline': '暂不',
    'bar.poll': '投票',
    'bar.pollClosed': '投票已结束',
    'bar.voted': '你的选择：{answer}',
    'bar.results': '结果',
    'bar.votes': '{n} 票',
    home: '首页',
    'desk.label': '讲师控制台',
    'login.title': '讲师登录',
    'login.explain':
      '这里的操作会影响每一位学员的页面。请输入启动横幅中打印的讲师令牌；运行实验室的这台电脑上的浏览器默认已被信任。',
    'login.token': '讲师令牌',
    'login.submit': '登录',
    'login.wrong': '令牌不正确。',
    'login.checking': '正在确认你的身份…',
    'via.local': '你是讲师：这个浏览器运行在实验室所在的电脑上。',
    'via.session': '你是讲师：已用令牌登录。',
    'via.header': '你是讲师：请求带有令牌头。',
    logout: '退出讲师身份',
    'join.title': '加入',
    'join.explain': '学员扫描二维码，或在浏览器中输入下面的地址。',
    'join.none': '没有局域网地址：实验室只监听本机。用 --host 0.0.0.0 启动后学员才能连接。',
    'join.qrAlt': '{url} 的二维码',
    'room.title': '教室现场',
    'room.attendees': '{n} 个学员页面在线',
    'room.byChapter': '按章节',
    'room.byDemo': '按演示',
    'room.transports': '按传输方式的连接数',
    'room.none': '暂无',
    'room.chart': '各传输方式每秒发送的消息数',
    'room.chartSummary': '最近一秒：{summary}',
    'room.paused': '事件发生器已暂停。',
    'room.fleet': '车队：{connected} / {vehicles} 辆在线',
    'room.time': '秒',
    'room.rate': '条/秒',
    't.sse': 'SSE 流',
    't.longPoll': '长轮询',
    't.wsChat': '聊天 WebSocket',
    't.mqttWs': 'MQTT over WebSocket',
    't.mqttTcp': 'MQTT/TCP',
    't.mqtt': 'MQTT（两种监听）',
    't.room': '培训通道',
    'announce.title': '通知',
    'announce.label': '一行通知（最多 200 字）',
    'announce.send': '发布',
    'announce.clear': '撤下',
    'announce.current': '当前通知：{text}',
    'follow.title': '跟我来',
    'follow.label': '请学员打开的章节',
    'follow.send': '请大家打开',
    'follow.current': '已请大家打开：{chapter}',
    'poll.title': '现场投票',
    'poll.kind': '题目来源',
    'poll.custom': '自己出题',
    'poll.quiz': '选型测验中的一题',
    'poll.question': '问题',
    'poll.choice': '选项 {n}',
    'poll.add': '加一个选项',
    'poll.remove': '删除选项 {n}',
    'poll.quizQuestion': '测验题目',
    'poll.start': '开始投票',
    'poll.close': '结束投票',
    'poll.show': '向学员展示结果',
    'poll.hide': '隐藏结果',
    'poll.voters': '{n} 人已投票',
    'poll.closed': '（已结束）',
    'poll.none': '还没有投票。',
    'faults.title': '制造故障',
    'faults.explain': '每个按钮会影响全场的连接。几秒钟后这里会显示有多少连接回来了。',
    'fault.cut-sse': '切断所有 SSE 流',
    'fault.cut-sse.note':
      '学员会看到 SSE 演示断开，几秒后 EventSource 自动重连，并凭 Last-Event-ID 补齐错过的事件。',
    'fault.cut-long-polls': '切断所有挂起的长轮询',
    'fault.cut-long-polls.note':
      '长轮询演示会报一次请求失败，随后带着游标重新请求，一个事件也不少。',
    'fault.close-chat': '关闭所有聊天连接',
    'fault.close-chat.note':
      '聊天显示“正在重连”，随后重新加入房间，并只补收一次断线期间错过的消息。',
    'fault.disconnect-mqtt': '断开所有 MQTT 客户端',
    'fault.disconnect-mqtt.note':
      '遗嘱消息发出（设备显示离线），客户端重连；持久会话会收到断线期间的 QoS 1/2 消息。',
    'fault.cut-vehicles': '一次切断 N 辆车',
    'fault.cut-vehicles.note': '车队地图上一批车辆同时变为离线（遗嘱风暴），约 5 秒后陆续回来。',
    'fault.pause-ticker': '暂停事件发生器',
    'fault.pause-ticker.note':
      '三个 HTTP 演示不再收到事件：短轮询空手而归，长轮询挂满超时时间后返回 204 再重发，SSE 连接保持打开但没有数据。',
    'fault.resume-ticker': '恢复事件发生器',
    'fault.resume-ticker.note': '事件重新开始流动，三个演示同时恢复。',
    'fault.n': '车辆数',
    'fault.touched': '{fault}：影响了 {touched} 个连接',
    'fault.back': '{s} 秒后回来 {back} / {touched}',
    'fault.waiting': '正在统计回来的连接…',
    'fault.reports': '最近的故障',
    'log.title': '讲师操作记录',
    'log.empty': '还没有操作。',
    error: '实验室拒绝了：{error}',
  },
  en: {
    'page.title': 'Trainer page',
    'page.description':
      'Run a workshop on a LAN: attendees join, the room live, announcements, polls and fault drills.',
    'page.intro':
      'This page is for the trainer: project the QR codes, see which chapter and which transports attendees use, announce, poll, and break connections on purpose so the room sees how each transport recovers.',
    'bar.label': 'Workshop',
    'bar.announcement': 'From the trainer',
    'bar.dismiss': 'Dismiss',
    'bar.follow': 'The trainer is on “{chapter}”. Open it?',
    'bar.followGo': 'Open',
    'bar.followDecline': 'Not now',
    'bar.poll': 'Poll',
    'bar.pollClosed': 'The poll is closed',
    'bar.voted': 'Your answer: {answer}',
    'bar.results': 'Results',
    'bar.votes': '{n, plural, one {# vote} other {# votes}}',
    home: 'Home page',
    'desk.label': 'Trainer desk',
    'login.title': 'Trainer sign-in',
    'login.explain':
      'The controls here change every attendee’s page. Enter the trainer token printed in the start-up banner; browsers on the machine that runs the lab are trusted by default.',
    'login.token': 'Trainer token',
    'login.submit': 'Sign in',
    'login.wrong': 'That token is not right.',
    'login.checking': 'Checking who you are…',
    'via.local': 'You are the trainer: this browser runs on the lab’s own machine.',
    'via.session': 'You are the trainer: signed in with the token.',
    'via.header': 'You are the trainer: the request carries the token header.',
    logout: 'Stop being the trainer',
    'join.title': 'Join',
    'join.explain': 'Attendees scan a code or type the address below into their browser.',
    'join.none':
      'No LAN address: the lab listens on this machine only. Start it with --host 0.0.0.0 for attendees to connect.',
    'join.qrAlt': 'QR code of {url}',
    'room.title': 'The room',
    'room.attendees': '{n, plural, one {# attendee page open} other {# attendee pages open}}',
    'room.byChapter': 'By chapter',
    'room.byDemo': 'By demo',
    'room.transports': 'Connections per transport',
    'room.none': 'none yet',
    'room.chart': 'Messages sent per second, per transport',
    'room.chartSummary': 'Last second: {summary}',
    'room.paused': 'The ticker is paused.',
    'room.fleet': 'Fleet: {connected} of {vehicles} vehicles connected',
    'room.time': 'seconds',
    'room.rate': 'messages/s',
    't.sse': 'SSE streams',
    't.longPoll': 'long polls',
    't.wsChat': 'chat sockets',
    't.mqttWs': 'MQTT over WebSocket',
    't.mqttTcp': 'MQTT/TCP',
    't.mqtt': 'MQTT (both listeners)',
    't.room': 'workshop channel',
    'announce.title': 'Announce',
    'announce.label': 'One line (at most 200 characters)',
    'announce.send': 'Announce',
    'announce.clear': 'Take down',
    'announce.current': 'Showing: {text}',
    'follow.title': 'Follow me',
    'follow.label': 'Chapter attendees should open',
    'follow.send': 'Ask everyone to open it',
    'follow.current': 'Asked everyone to open: {chapter}',
    'poll.title': 'Live poll',
    'poll.kind': 'Question from',
    'poll.custom': 'my own question',
    'poll.quiz': 'the selection quiz',
    'poll.question': 'Question',
    'poll.choice': 'Answer {n}',
    'poll.add': 'Add an answer',
    'poll.remove': 'Remove answer {n}',
    'poll.quizQuestion': 'Quiz question',
    'poll.start': 'Start the poll',
    'poll.close': 'Close the poll',
    'poll.show': 'Show the tally to attendees',
    'poll.hide': 'Hide the tally',
    'poll.voters': '{n} voted',
    'poll.closed': '(closed)',
    'poll.none': 'No poll yet.',
    'faults.title': 'Faults',
    'faults.explain':
      'Each button acts on the whole room. A few seconds later the report says how many connections came back.',
    'fault.cut-sse': 'Cut every SSE stream',
    'fault.cut-sse.note':
      'The SSE demo drops, EventSource reconnects on its own within seconds and catches up with Last-Event-ID.',
    'fault.cut-long-polls': 'Cut every held long poll',
    'fault.cut-long-polls.note':
      'The long-polling demo shows one failed request, then asks again from its cursor and misses nothing.',
    'fault.close-chat': 'Close every chat socket',
    'fault.close-chat.note':
      'Chats say “reconnecting”, rejoin their rooms and get what they missed exactly once.',
    'fault.disconnect-mqtt': 'Disconnect every MQTT client',
    'fault.disconnect-mqtt.note':
      'Wills fire (devices show offline), clients reconnect, and persistent sessions receive the QoS 1/2 messages sent meanwhile.',
    'fault.cut-vehicles': 'Cut N vehicles at once',
    'fault.cut-vehicles.note':
      'A block of vehicles goes offline on the fleet map at the same moment (a storm of wills) and returns after about 5 s.',
    'fault.pause-ticker': 'Pause the ticker',
    'fault.pause-ticker.note':
      'The three HTTP demos get no events: short polls come back empty, long polls are held until they time out (204) and ask again, SSE streams stay open and silent.',
    'fault.resume-ticker': 'Resume the ticker',
    'fault.resume-ticker.note': 'Events flow again and the three demos pick up at the same moment.',
    'fault.n': 'Vehicles',
    'fault.touched': '{fault}: touched {touched, plural, one {# connection} other {# connections}}',
    'fault.back': '{back} of {touched} back after {s} s',
    'fault.waiting': 'Counting who comes back…',
    'fault.reports': 'Recent faults',
    'log.title': 'Trainer action log',
    'log.empty': 'No actions yet.',
    error: 'The lab refused: {error}',
  },
};
