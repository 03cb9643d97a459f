import type { Dictionary } from './index.ts';

/** Keys of the MQTT lab's strings. */
export type MqttKey =
  | 'title'
  | 'connection'
  | 'preset'
  | 'preset.this-server'
  | 'preset.mosquitto'
  | 'preset.emqx'
  | 'preset.custom'
  | 'customUrl'
  | 'protocol'
  | 'clientId'
  | 'clean'
  | 'sessionExpiry'
  | 'keepalive'
  | 'username'
  | 'password'
  | 'reconnect'
  | 'will'
  | 'willTopic'
  | 'willPayload'
  | 'willQos'
  | 'willRetain'
  | 'share'
  | 'shareHint'
  | 'v311only'
  | 'err.url'
  | 'err.clientId'
  | 'err.keepalive'
  | 'err.sessionExpiry'
  | 'err.reconnect'
  | 'err.willTopic'
  | 'publisher'
  | 'subscriber'
  | 'connect'
  | 'disconnect'
  | 'kill'
  | 'status.idle'
  | 'status.connecting'
  | 'status.connected'
  | 'status.closed'
  | 'status.failed'
  | 'filter'
  | 'qos'
  | 'subscribe'
  | 'unsubscribe'
  | 'granted'
  | 'refused'
  | 'refusal.acl'
  | 'refusal.race'
  | 'refusal.v311'
  | 'refusal.v5'
  | 'notSent'
  | 'noAnswer'
  | 'diagram.refused'
  | 'topic'
  | 'payload'
  | 'retain'
  | 'publish'
  | 'received'
  | 'doctor'
  | 'dx.mixed-content'
  | 'dx.bad-url'
  | 'dx.refused'
  | 'dx.tls'
  | 'dx.timeout'
  | 'dx.v5-unsupported'
  | 'dx.connack-1'
  | 'dx.connack-2'
  | 'dx.connack-3'
  | 'dx.connack-4'
  | 'dx.connack-5'
  | 'dx.closed'
  | 'dx.unknown'
  | 'diagram'
  | 'showPings'
  | 'clear'
  | 'col.time'
  | 'col.client'
  | 'col.dir'
  | 'col.type'
  | 'col.bytes'
  | 'dir.out'
  | 'dir.in'
  | 'fields'
  | 'experiments'
  | 'running'
  | 'exp.qos'
  | 'exp.qos.help'
  | 'exp.qos.run'
  | 'exp.qos.report'
  | 'exp.retained'
  | 'exp.retained.run'
  | 'exp.retained.report'
  | 'exp.retained.none'
  | 'exp.will'
  | 'exp.will.run'
  | 'exp.will.report'
  | 'exp.will.missing'
  | 'exp.session'
  | 'exp.session.run'
  | 'exp.session.report'
  | 'exp.wild'
  | 'exp.wild.topics'
  | 'exp.wild.match'
  | 'exp.wild.nomatch'
  | 'exp.wild.ask'
  | 'exp.wild.answer'
  | 'exp.wild.closed'
  | 'exp.wild.refused'
  | 'exp.wild.sys'
  | 'exp.takeover'
  | 'exp.takeover.help'
  | 'exp.takeover.run'
  | 'exp.takeover.report'
  | 'exp.takeover.silent'
  | 'exp.takeover.code'
  | 'exp.takeover.will'
  | 'exp.takeover.nowill'
  | 'exp.takeover.kept'
  | 'twin.a'
  | 'twin.b'
  | 'member.b'
  | 'watcher'
  | 'diagram.closed'
  | 'rule.empty'
  | 'rule.too-long'
  | 'rule.null-char'
  | 'rule.hash-not-last'
  | 'rule.hash-not-alone'
  | 'rule.plus-not-alone'
  | 'rule.wildcard-in-name'
  | 'stats'
  | 'error'
  | 'v5.title'
  | 'v5.help'
  | 'v5.unsupported'
  | 'v5.none'
  | 'v5.yes'
  | 'v5.no'
  | 'rc.0x00'
  | 'rc.0x10'
  | 'rc.0x86'
  | 'rc.0x87'
  | 'v5.sessionExpiry'
  | 'v5.sessionExpiry.help'
  | 'v5.sessionExpiry.run'
  | 'v5.sessionExpiry.report'
  | 'v5.messageExpiry'
  | 'v5.messageExpiry.help'
  | 'v5.messageExpiry.run'
  | 'v5.messageExpiry.item'
  | 'v5.messageExpiry.report'
  | 'v5.reasonCodes'
  | 'v5.reasonCodes.help'
  | 'v5.reasonCodes.run'
  | 'v5.reasonCodes.badLogin'
  | 'v5.reasonCodes.subscribeAll'
  | 'v5.reasonCodes.publishVehicle'
  | 'v5.reasonCodes.publishNobody'
  | 'v5.reasonCodes.will'
  | 'v5.userProperties'
  | 'v5.userProperties.help'
  | 'v5.userProperties.run'
  | 'v5.userProperties.report'
  | 'v5.topicAlias'
  | 'v5.topicAlias.help'
  | 'v5.topicAlias.run'
  | 'v5.topicAlias.report'
  | 'v5.topicAlias.none'
  | 'v5.shared'
  | 'v5.shared.help'
  | 'v5.shared.run'
  | 'v5.shared.report'
  | 'v5.requestResponse'
  | 'v5.requestResponse.help'
  | 'v5.requestResponse.run'
  | 'v5.requestResponse.report'
  | 'v5.requestResponse.none'
  | 'v5.retainOptions'
  | 'v5.retainOptions.help'
  | 'v5.retainOptions.run'
  | 'v5.retainOptions.rh0'
  | 'v5.retainOptions.rh1New'
  | 'v5.retainOptions.rh1Again'
  | 'v5.retainOptions.rh2'
  | 'v5.retainOptions.noLocal';

/** UI strings of the MQTT lab (src/components/demos/MqttLabDemo.svelte). */
export const mqttStrings: Dictionary<MqttKey> = {
  'zh-CN': {
    title: 'MQTT 实验室',
    connection: '连接',
    preset: 'Broker',
    'preset.this-server': '本服务器（内置 broker）',
    'preset.mosquitto': '本机 Mosquitto（ws://localhost:9001）',
    'preset.emqx': 'EMQX 公共 broker（wss://broker.emqx.io:8084/mqtt）',
    'preset.custom': '自定义 URL',
    customUrl: 'Broker 地址（ws:// 或 wss://）',
    protocol: '协议版本',
    clientId: '客户端 ID',
    clean: '清除会话（5.0：clean start）',
    sessionExpiry: '会话过期时间（秒，5.0）',
    keepalive: '保活间隔（秒）',
    username: '用户名',
    password: '密码',
    reconnect: '重连间隔（毫秒，0 = 不重连；这是客户端库的功能，不是协议的）',
    will: '遗嘱',
    willTopic: '遗嘱主题',
    willPayload: '遗嘱内容',
    willQos: '遗嘱 QoS',
    willRetain: '遗嘱设为保留消息',
    share: '分享这些设置',
    shareHint: '用这个链接打开实验室即可带上这些设置（不含密码）：',
    v311only:
      '内置 broker（Aedes）只支持 MQTT 3.1.1，5.0 的 CONNECT 会被拒绝。请选 3.1.1，或换一个支持 5.0 的 broker：用 npm start -- --broker mosquitto 启动本实验室，或选 EMQX 预设、本机 Mosquitto。',
    'err.url': 'Broker 地址必须以 ws:// 或 wss:// 开头。',
    'err.clientId':
      '关闭“清除会话”时客户端 ID 不能为空：broker 要用这个 ID 保存会话 [MQTT-3.1.3-8]。',
    'err.keepalive': '保活间隔必须是 0 到 65535 之间的整数秒。',
    'err.sessionExpiry': '会话过期时间必须是不小于 0 的整数秒。',
    'err.reconnect': '重连间隔必须是 0 到 600000 之间的整数毫秒。',
    'err.willTopic': '遗嘱主题不是合法的主题名（不能为空，不能含 + 或 #）[MQTT-3.3.2-2]。',
    publisher: '发布者',
    subscriber: '订阅者',
    connect: '连接',
    disconnect: '断开（发送 DISCONNECT）',
    kill: '强行掐断（不发 DISCONNECT，遗嘱会触发）',
    'status.idle': '未连接',
    'status.connecting': '正在连接…',
    'status.connected': '已连接',
    'status.closed': '已关闭',
    'status.failed': '连接失败',
    filter: '主题过滤器',
    qos: 'QoS',
    subscribe: '订阅',
    unsubscribe: '取消订阅',
    granted: 'SUBACK：{filter} → {qos}',
    refused: 'SUBACK：{filter} → {code}，被拒绝：发布到这个过滤器的消息不会送到这个客户端。',
    'refusal.acl':
      '原因：本实验室的 broker 不允许匿名客户端订阅整个 broker，也就是只由通配符组成、以 # 结尾的过滤器（如 #、+/#）。MQTT 3.1.1 只有一个失败返回码 0x80（§3.9.3），SUBACK 本身说不出原因。可以改订 lab/#。',
    'refusal.race':
      '原因：race/ 下的主题是每场协议赛跑私有的消息流，本实验室的 broker 只让那场赛跑自己的通道（用赛跑接口签发的凭据）订阅。MQTT 3.1.1 只有一个失败返回码 0x80（§3.9.3），SUBACK 本身说不出原因。',
    'refusal.v311':
      '原因：MQTT 3.1.1 只有一个失败返回码 0x80（§3.9.3），SUBACK 说不出原因；通常是 broker 的访问规则不允许。',
    'refusal.v5': '原因：MQTT 5.0 原因码 {code}（各原因码的含义见 MQTT 5.0 §3.9.3）。',
    notSent:
      '{filter} 没有 SUBACK：这个客户端已经以 QoS {qos} 或更高订阅过它，mqtt.js 没有再发 SUBSCRIBE。',
    noAnswer: '{filter} 没有收到 SUBACK：{message}',
    'diagram.refused': '{code} 被拒绝',
    topic: '主题',
    payload: '内容',
    retain: '保留消息',
    publish: '发布',
    received: '收到的消息',
    doctor: '连接诊断',
    'dx.mixed-content':
      '本页是 https://，而 broker 地址是 ws://：浏览器会把它当作混合内容拦截。请改用 wss://。',
    'dx.bad-url': 'Broker 地址不是 ws:// 或 wss:// 地址。',
    'dx.refused':
      '这个地址没有回应：broker 没在运行、端口不对、路径不对（EMQX 和本实验室用 /mqtt，Mosquitto 不需要路径），或者 TLS 证书被拒绝。',
    'dx.tls': 'TLS 握手失败：证书对这个主机名不受信任。',
    'dx.timeout': 'Broker 没有及时回应 CONNECT。',
    'dx.v5-unsupported': 'Broker 回复“不支持的协议版本”：它不支持 MQTT 5.0，请选 3.1.1。',
    'dx.connack-1': 'CONNACK 0x01：broker 不接受这个协议版本。',
    'dx.connack-2': 'CONNACK 0x02：客户端 ID 被拒绝（例如关闭清除会话时 ID 为空）。',
    'dx.connack-3': 'CONNACK 0x03：服务不可用。',
    'dx.connack-4': 'CONNACK 0x04：用户名或密码错误。',
    'dx.connack-5': 'CONNACK 0x05：未授权。请检查用户名和密码。',
    'dx.closed': '连接建立后又被关闭：broker 主动断开（例如发布到了不允许的主题，或保活超时）。',
    'dx.unknown': '连接失败，诊断无法识别原因。',
    diagram: '线上的报文',
    showPings: '显示 PINGREQ/PINGRESP',
    clear: '清空',
    'col.time': '时间（毫秒）',
    'col.client': '客户端',
    'col.dir': '方向',
    'col.type': '报文',
    'col.bytes': '字节',
    'dir.out': '客户端 → broker',
    'dir.in': 'broker → 客户端',
    fields: '第 {seq} 个报文的字段',
    experiments: '引导实验',
    running: '运行中…',
    'exp.qos': '1. 连接中断时的 QoS 0/1/2',
    'exp.qos.help':
      '发布 100 条编号消息；订阅者（持久会话）在收到 50 条后被掐断，其余消息发布完后再回来。',
    'exp.qos.run': '以 QoS {qos} 运行',
    'exp.qos.report':
      'QoS {qos}：收到 {received}/{published}，丢失 {lost}，重复 {duplicates}；发布者连接上每条消息 {packets} 个报文。',
    'exp.retained': '2. 保留消息',
    'exp.retained.run': '运行',
    'exp.retained.report':
      '后来的订阅者立刻收到“{value}”（retain 标志 {flag}）。清除之后：{after}。',
    'exp.retained.none': '什么也没收到',
    'exp.will': '3. 遗嘱',
    'exp.will.run': '运行（保活 2 秒）',
    'exp.will.report':
      '掐断后 {after} 毫秒收到遗嘱（上限 1.5 × 保活 = {limit} 毫秒）：“{payload}”。',
    'exp.will.missing': '{limit} 毫秒内没有收到遗嘱。',
    'exp.session': '4. 持久会话与清除会话',
    'exp.session.run': '两种都运行',
    'exp.session.report':
      '清除会话 {clean}：离线期间发布的 {published} 条中回来后收到 {received} 条（session present：{present}）。',
    'exp.wild': '5. 通配符练习场',
    'exp.wild.topics': '主题名，每行一个',
    'exp.wild.match': '匹配',
    'exp.wild.nomatch': '不匹配',
    'exp.wild.ask': '问问 broker',
    'exp.wild.answer': 'Broker：SUBACK {granted}；投递了：{delivered}。',
    'exp.wild.closed': 'Broker：连接被关闭（过滤器不合法）。',
    'exp.wild.refused': 'Broker：SUBACK {code}，被拒绝；什么也没有投递。',
    'exp.wild.sys': '以 $ 开头的主题不会被以通配符开头的过滤器匹配 [MQTT-4.7.2-1]。',
    'exp.takeover': '6. 一个客户端 ID，两个客户端（会话接管）',
    'exp.takeover.help':
      '客户端 A 以持久会话连接，并登记一份遗嘱；随后客户端 B 用同一个 ID 连接。看上面的报文图：broker 会关闭 A 的连接 [MQTT-3.1.4-2]。',
    'exp.takeover.run': '用同一个 ID 连接两个客户端',
    'exp.takeover.report':
      '客户端 B 发出 CONNECT 后 {after} 毫秒，broker 关闭了客户端 A 的连接；B 收到的 CONNACK 中 Session Present 为 {present}。',
    'exp.takeover.silent':
      'A 事先没有收到任何报文，连接直接被关闭（3.1.1 没有说明原因的报文；5.0 规定先发 DISCONNECT 0x8E）。',
    'exp.takeover.code': 'A 先收到了 DISCONNECT {code}（0x8E 表示会话被接管）。',
    'exp.takeover.will': 'A 的遗嘱发布了：订阅者收到了它。',
    'exp.takeover.nowill': '订阅者在 1 秒内没有收到 A 的遗嘱。',
    'exp.takeover.kept': 'broker 没有关闭客户端 A 的连接，这违反了 [MQTT-3.1.4-2]。',
    'twin.a': '客户端 A',
    'twin.b': '客户端 B',
    'member.b': '成员 B',
    watcher: '普通订阅者',
    'diagram.closed': 'broker 关闭了连接，没有报文',
    'rule.empty': '主题过滤器至少要有一个字符 [MQTT-4.7.3-1]。',
    'rule.too-long': '超过 65535 字节 [MQTT-4.7.3-3]。',
    'rule.null-char': '含有空字符 U+0000 [MQTT-4.7.3-2]。',
    'rule.hash-not-last': '# 必须是过滤器的最后一层 [MQTT-4.7.1-2]，所以“a/#/b”不合法。',
    'rule.hash-not-alone': '# 必须独占一层 [MQTT-4.7.1-2]，所以“sport#”不合法。',
    'rule.plus-not-alone': '+ 必须独占一层 [MQTT-4.7.1-3]，所以“sport+”不合法。',
    'rule.wildcard-in-name': '主题名不能含 + 或 # [MQTT-3.3.2-2]。',
    stats: 'Broker 当前：{clients} 个客户端，每秒收 {inPerS} 条、发 {outPerS} 条',
    error: '错误：{message}',
    'v5.title': 'MQTT 5.0 实验',
    'v5.help':
      '每个实验都自己开 MQTT 5.0 客户端，不管上面选的是哪个协议版本。在报文图里展开一行，就能看到 mqtt.js 解出的属性和原因码。',
    'v5.unsupported':
      '本服务器的 broker（Aedes）只支持 MQTT 3.1.1，这些实验无法运行。用 npm start -- --broker mosquitto 启动本实验室即可离线运行，或在上面选一个支持 5.0 的 broker。',
    'v5.none': '无',
    'v5.yes': '是',
    'v5.no': '否',
    'rc.0x00': '成功',
    'rc.0x10': '没有匹配的订阅者',
    'rc.0x86': '用户名或密码错误',
    'rc.0x87': '未授权',
    'v5.sessionExpiry': '会话过期',
    'v5.sessionExpiry.help':
      '订阅者以 2 秒的 Session Expiry Interval 连接、订阅后断开。发布一条消息；它立即回来，再断开，再发布一条，3 秒后才回来。',
    'v5.sessionExpiry.run': '运行（过期时间 2 秒）',
    'v5.sessionExpiry.report':
      '立即回来：Session Present {within}，收到排队消息：{withinGot}。{away} 毫秒后回来（过期时间 {expiry} 秒）：Session Present {after}，收到排队消息：{afterGot}。',
    'v5.messageExpiry': '消息过期',
    'v5.messageExpiry.help':
      '给离线的订阅者排队两条 QoS 1 消息：一条 1 秒后过期，一条 60 秒后过期。订阅者 2 秒后回来。',
    'v5.messageExpiry.run': '排队两条消息',
    'v5.messageExpiry.item': '“{payload}”（过期时间 {expiryS} 秒）',
    'v5.messageExpiry.report': '排队：{sent}。{away} 毫秒后回来，订阅者收到：{got}。',
    'v5.reasonCodes': '原因码',
    'v5.reasonCodes.help':
      '先用一个不存在的账号登录；再用匿名客户端订阅 #、在 vehicle/ 下发布、向没人订阅的主题发布，最后用 DISCONNECT 0x04 断开。',
    'v5.reasonCodes.run': '试试被拒绝',
    'v5.reasonCodes.badLogin': '不存在的用户名和密码，CONNACK：{code}',
    'v5.reasonCodes.subscribeAll': '匿名订阅 #，SUBACK：{code}',
    'v5.reasonCodes.publishVehicle': '匿名以 QoS 1 在 vehicle/ 下发布，PUBACK：{code}',
    'v5.reasonCodes.publishNobody': '以 QoS 1 向没人订阅的主题发布，PUBACK：{code}',
    'v5.reasonCodes.will': '发送 DISCONNECT 0x04（断开并发送遗嘱）后，订阅者收到了遗嘱：{sent}',
    'v5.userProperties': '用户属性',
    'v5.userProperties.help': '一条 PUBLISH 带三个用户属性；订阅者从收到的消息里读出它们。',
    'v5.userProperties.run': '带用户属性发送',
    'v5.userProperties.report': '发送：{sent}。订阅者收到：{got}。',
    'v5.topicAlias': '主题别名',
    'v5.topicAlias.help':
      '向一个很长的主题发 5 条写全主题的 QoS 0 PUBLISH，再发 5 条带 Topic Alias 1 的：第一条建立别名，其余的主题为空。大小就是报文图里那些报文的大小。',
    'v5.topicAlias.run': '比较报文大小',
    'v5.topicAlias.report':
      'Broker 的 CONNACK 允许 {max} 个别名。写全主题的 PUBLISH 为 {plain} 字节；第一条带别名的 {first} 字节；之后每条 {aliased} 字节：每条消息省下 {saved} 字节。订阅者收到 {delivered} 条消息，主题都是完整的。',
    'v5.topicAlias.none': 'Broker 的 CONNACK 不允许主题别名（Topic Alias Maximum 为 0）。',
    'v5.shared': '共享订阅',
    'v5.shared.help':
      '两个客户端订阅同一个 $share/… 过滤器，第三个订阅普通主题；然后发布 10 条消息。',
    'v5.shared.run': '发布 10 个任务',
    'v5.shared.report':
      '共 {published} 条：{filter} 的两个成员分别收到 {a} 条和 {b} 条；普通订阅者收到 {ordinary} 条。',
    'v5.requestResponse': '请求/响应',
    'v5.requestResponse.help':
      '请求方订阅自己的回复主题，然后发布一条带 Response Topic 和 Correlation Data 的请求；响应方在这个主题上回复，并原样带回关联数据。',
    'v5.requestResponse.run': '发送请求',
    'v5.requestResponse.report':
      '{ms} 毫秒后在 {topic} 上收到回复“{reply}”，关联数据“{got}”（发送的是“{sent}”）。',
    'v5.requestResponse.none': '没有收到回复。',
    'v5.retainOptions': '保留消息处理与 No Local',
    'v5.retainOptions.help':
      '先有一条保留消息；新订阅者分别以 Retain Handling 0、1、2 订阅，另有一个以 1 订阅两次。然后一个以 No Local 订阅的客户端向自己订阅的主题发布。',
    'v5.retainOptions.run': '试试订阅选项',
    'v5.retainOptions.rh0': 'Retain Handling 0，新订阅：收到保留消息：{got}',
    'v5.retainOptions.rh1New': 'Retain Handling 1，新订阅：收到保留消息：{got}',
    'v5.retainOptions.rh1Again': 'Retain Handling 1，同一订阅再订一次：收到保留消息：{got}',
    'v5.retainOptions.rh2': 'Retain Handling 2，新订阅：收到保留消息：{got}',
    'v5.retainOptions.noLocal': 'No Local：发布者收到自己的消息：{own}；另一个订阅者收到：{other}',
  },
  en: {
    title: 'MQTT lab',
    connection: 'Connection',
    preset: 'Broker',
    'preset.this-server': 'this server (embedded broker)',
    'preset.mosquitto': 'local Mosquitto (ws://localhost:9001)',
    'preset.emqx': 'EMQX public broker (wss://broker.emqx.io:8084/mqtt)',
    'preset.custom': 'custom URL',
    customUrl: 'Broker URL (ws:// or wss://)',
    protocol: 'Protocol',
    clientId: 'Client id',
    clean: 'Clean session (5.0: clean start)',
    sessionExpiry: 'Session expiry (s, 5.0)',
    keepalive: 'Keep-alive (s)',
    username: 'Username',
    password: 'Password',
    reconnect: 'Reconnect period (ms, 0 = never; a client-library feature, not the protocol’s)',
    will: 'Last will',
    willTopic: 'Will topic',
    willPayload: 'Will payload',
    willQos: 'Will QoS',
    willRetain: 'Retain the will',
    share: 'Share these settings',
    shareHint: 'This link opens the lab with these settings (never the password):',
    v311only:
      'The embedded broker (Aedes) speaks MQTT 3.1.1 only: a 5.0 CONNECT is refused. Choose 3.1.1, or a 5.0 broker: start the lab with npm start -- --broker mosquitto, or pick the EMQX preset or a local Mosquitto.',
    'err.url': 'The broker URL must start with ws:// or wss://.',
    'err.clientId':
      'With clean session off the client id must not be empty: the broker keeps the session under that id [MQTT-3.1.3-8].',
    'err.keepalive': 'Keep-alive is a whole number of seconds from 0 to 65535.',
    'err.sessionExpiry': 'Session expiry is a whole number of seconds (0 or more).',
    'err.reconnect': 'The reconnect period is a whole number of milliseconds from 0 to 600000.',
    'err.willTopic':
      'The will topic is not a valid topic name (no + or #, not empty) [MQTT-3.3.2-2].',
    publisher: 'Publisher',
    subscriber: 'Subscriber',
    connect: 'Connect',
    disconnect: 'Disconnect (sends DISCONNECT)',
    kill: 'Kill (no DISCONNECT: the will fires)',
    'status.idle': 'not connected',
    'status.connecting': 'connecting…',
    'status.connected': 'connected',
    'status.closed': 'closed',
    'status.failed': 'failed',
    filter: 'Topic filter',
    qos: 'QoS',
    subscribe: 'Subscribe',
    unsubscribe: 'Unsubscribe',
    granted: 'SUBACK: {filter} → {qos}',
    refused:
      'SUBACK: {filter} → {code}, refused: nothing published to this filter will reach this client.',
    'refusal.acl':
      'Why: this lab’s broker does not let anonymous clients subscribe to the whole broker, that is to a filter made only of wildcards and ending in # (such as # or +/#). MQTT 3.1.1 has a single failure code, 0x80 (§3.9.3), so the SUBACK itself cannot say why. Subscribe to lab/# instead.',
    'refusal.race':
      'Why: topics under race/ are each protocol race’s private stream, and this lab’s broker lets only that race’s own lanes (with the credentials the race API issued) subscribe to them. MQTT 3.1.1 has a single failure code, 0x80 (§3.9.3), so the SUBACK itself cannot say why.',
    'refusal.v311':
      'Why: MQTT 3.1.1 has a single failure code, 0x80 (§3.9.3), so the SUBACK cannot say; usually the broker’s access rules forbid the filter.',
    'refusal.v5': 'Why: MQTT 5.0 reason code {code} (MQTT 5.0 §3.9.3 lists what each code means).',
    notSent:
      'No SUBACK for {filter}: this client already asked for it at QoS {qos} or higher, so mqtt.js sent no new SUBSCRIBE.',
    noAnswer: 'No SUBACK for {filter}: {message}',
    'diagram.refused': '{code} refused',
    topic: 'Topic',
    payload: 'Payload',
    retain: 'Retain',
    publish: 'Publish',
    received: 'Messages received',
    doctor: 'Connection doctor',
    'dx.mixed-content':
      'This page is https:// but the broker URL is ws://: browsers block it as mixed content. Use wss://.',
    'dx.bad-url': 'The broker URL is not a ws:// or wss:// URL.',
    'dx.refused':
      'Nothing answered at that address: the broker is not running there, the port is wrong, the path is wrong (EMQX and this lab use /mqtt; Mosquitto none), or a TLS certificate was refused.',
    'dx.tls': 'The TLS handshake failed: the certificate is not trusted for this host name.',
    'dx.timeout': 'The broker did not answer CONNECT in time.',
    'dx.v5-unsupported':
      'The broker answered “unacceptable protocol version”: it does not speak MQTT 5.0. Choose 3.1.1.',
    'dx.connack-1': 'CONNACK 0x01: the broker does not accept this protocol version.',
    'dx.connack-2':
      'CONNACK 0x02: identifier rejected (for example an empty client id with clean session off).',
    'dx.connack-3': 'CONNACK 0x03: the server is unavailable.',
    'dx.connack-4': 'CONNACK 0x04: bad user name or password.',
    'dx.connack-5': 'CONNACK 0x05: not authorized. Check the user name and password.',
    'dx.closed':
      'The connection opened and then closed: the broker hung up (for example after a publish it does not allow, or a keep-alive timeout).',
    'dx.unknown': 'The connection failed for a reason the doctor does not recognise.',
    diagram: 'Packets on the wire',
    showPings: 'Show PINGREQ/PINGRESP',
    clear: 'Clear',
    'col.time': 'Time (ms)',
    'col.client': 'Client',
    'col.dir': 'Direction',
    'col.type': 'Packet',
    'col.bytes': 'Bytes',
    'dir.out': 'client → broker',
    'dir.in': 'broker → client',
    fields: 'Fields of packet #{seq}',
    experiments: 'Guided experiments',
    running: 'Running…',
    'exp.qos': '1. QoS 0/1/2 across a cut connection',
    'exp.qos.help':
      '100 numbered messages; the subscriber (persistent session) is cut off after 50 and comes back after the rest were published.',
    'exp.qos.run': 'Run at QoS {qos}',
    'exp.qos.report':
      'QoS {qos}: received {received} of {published}, lost {lost}, duplicates {duplicates}; {packets} packets per message on the publisher’s connection.',
    'exp.retained': '2. Retained message',
    'exp.retained.run': 'Run',
    'exp.retained.report':
      'The late subscriber got “{value}” at once (retain flag {flag}). After clearing: {after}.',
    'exp.retained.none': 'nothing',
    'exp.will': '3. Last will',
    'exp.will.run': 'Run (keep-alive 2 s)',
    'exp.will.report':
      'Will received {after} ms after the kill (limit 1.5 × keep-alive = {limit} ms): “{payload}”.',
    'exp.will.missing': 'No will arrived within {limit} ms.',
    'exp.session': '4. Persistent session vs clean session',
    'exp.session.run': 'Run both',
    'exp.session.report':
      'Clean session {clean}: {received} of {published} messages published while away came back (session present: {present}).',
    'exp.wild': '5. Wildcard playground',
    'exp.wild.topics': 'Topic names, one per line',
    'exp.wild.match': 'matches',
    'exp.wild.nomatch': 'does not match',
    'exp.wild.ask': 'Ask the broker',
    'exp.wild.answer': 'Broker: SUBACK {granted}; delivered: {delivered}.',
    'exp.wild.closed': 'Broker: the connection was closed (the filter is invalid).',
    'exp.wild.refused': 'Broker: SUBACK {code}, refused; nothing delivered.',
    'exp.wild.sys':
      'Topics starting with $ are not matched by a filter that starts with a wildcard [MQTT-4.7.2-1].',
    'exp.takeover': '6. One client id, two clients (session takeover)',
    'exp.takeover.help':
      'Client A connects with a persistent session and a will; then client B connects with the same id. Watch the diagram above: the broker closes A’s connection [MQTT-3.1.4-2].',
    'exp.takeover.run': 'Connect two clients with one id',
    'exp.takeover.report':
      'The broker closed client A’s connection {after} ms after client B’s CONNECT; the CONNACK B got says Session Present {present}.',
    'exp.takeover.silent':
      'A got no packet first: its connection was just closed (3.1.1 has no packet to say why; 5.0 prescribes DISCONNECT 0x8E first).',
    'exp.takeover.code': 'A first got DISCONNECT {code} (0x8E: session taken over).',
    'exp.takeover.will': 'A’s will was published: the subscriber got it.',
    'exp.takeover.nowill': 'A’s will did not reach the subscriber within 1 s.',
    'exp.takeover.kept':
      'The broker did not close client A’s connection, contrary to [MQTT-3.1.4-2].',
    'twin.a': 'client A',
    'twin.b': 'client B',
    'member.b': 'member B',
    watcher: 'ordinary subscriber',
    'diagram.closed': 'connection closed by the broker, no packet',
    'rule.empty': 'A topic filter must be at least one character long [MQTT-4.7.3-1].',
    'rule.too-long': 'Longer than 65,535 bytes [MQTT-4.7.3-3].',
    'rule.null-char': 'Contains the null character U+0000 [MQTT-4.7.3-2].',
    'rule.hash-not-last':
      '# must be the last level of a filter [MQTT-4.7.1-2], so “a/#/b” is invalid.',
    'rule.hash-not-alone':
      '# must stand alone in its level [MQTT-4.7.1-2], so “sport#” is invalid.',
    'rule.plus-not-alone': '+ must fill a whole level [MQTT-4.7.1-3], so “sport+” is invalid.',
    'rule.wildcard-in-name': 'A topic name cannot contain + or # [MQTT-3.3.2-2].',
    stats:
      'Broker now: {clients, plural, one {# client} other {# clients}}, {inPerS} msg/s in, {outPerS} msg/s out',
    error: 'Error: {message}',
    'v5.title': 'MQTT 5.0 experiments',
    'v5.help':
      'Each experiment opens its own MQTT 5.0 clients, whatever protocol is chosen above. Open a row of the packet diagram to read the properties and reason codes mqtt.js decoded.',
    'v5.unsupported':
      'This server’s broker (Aedes) speaks MQTT 3.1.1 only, so these experiments are off. Start the lab with npm start -- --broker mosquitto to run them offline, or choose another broker that speaks 5.0 above.',
    'v5.none': 'nothing',
    'v5.yes': 'yes',
    'v5.no': 'no',
    'rc.0x00': 'Success',
    'rc.0x10': 'No matching subscribers',
    'rc.0x86': 'Bad User Name or Password',
    'rc.0x87': 'Not authorized',
    'v5.sessionExpiry': 'Session expiry',
    'v5.sessionExpiry.help':
      'A subscriber connects with Session Expiry Interval 2 s, subscribes and disconnects. A message is published; it returns at once, disconnects again, another message is published, and it returns after 3 s.',
    'v5.sessionExpiry.run': 'Run (expiry 2 s)',
    'v5.sessionExpiry.report':
      'Back at once: Session Present {within}, queued: {withinGot}. Back after {away} ms (expiry {expiry} s): Session Present {after}, queued: {afterGot}.',
    'v5.messageExpiry': 'Message expiry',
    'v5.messageExpiry.help':
      'Two QoS 1 messages are queued for an offline subscriber: one that expires after 1 s, one after 60 s. The subscriber returns 2 s later.',
    'v5.messageExpiry.run': 'Queue two messages',
    'v5.messageExpiry.item': '“{payload}” (expiry {expiryS} s)',
    'v5.messageExpiry.report': 'Queued: {sent}. Back after {away} ms, the subscriber got: {got}.',
    'v5.reasonCodes': 'Reason codes',
    'v5.reasonCodes.help':
      'An unknown login, then an anonymous client that subscribes to #, publishes under vehicle/ and to a topic nobody subscribed to, and leaves with DISCONNECT 0x04.',
    'v5.reasonCodes.run': 'Provoke the refusals',
    'v5.reasonCodes.badLogin': 'CONNACK to an unknown user name and password: {code}',
    'v5.reasonCodes.subscribeAll': 'SUBACK to an anonymous SUBSCRIBE to #: {code}',
    'v5.reasonCodes.publishVehicle': 'PUBACK to an anonymous QoS 1 PUBLISH under vehicle/: {code}',
    'v5.reasonCodes.publishNobody': 'PUBACK to a QoS 1 PUBLISH nobody subscribed to: {code}',
    'v5.reasonCodes.will':
      'After DISCONNECT 0x04 (Disconnect with Will Message), the will reached the subscriber: {sent}',
    'v5.userProperties': 'User properties',
    'v5.userProperties.help':
      'A PUBLISH carries three user properties; the subscriber reads them from the message it gets.',
    'v5.userProperties.run': 'Send with user properties',
    'v5.userProperties.report': 'Sent: {sent}. The subscriber got: {got}.',
    'v5.topicAlias': 'Topic aliases',
    'v5.topicAlias.help':
      'Five QoS 0 PUBLISH packets to a long topic with the topic in full, then five with Topic Alias 1: the first sets the alias, the others send an empty topic. The sizes are those of the packets in the diagram.',
    'v5.topicAlias.run': 'Compare packet sizes',
    'v5.topicAlias.report':
      'The broker’s CONNACK allows {max} aliases. With the full topic a PUBLISH is {plain} bytes; the first with the alias {first} bytes; each later one {aliased} bytes: {saved} bytes saved per message. The subscriber got {delivered} messages, each with the full topic.',
    'v5.topicAlias.none': 'The broker’s CONNACK allows no topic aliases (Topic Alias Maximum 0).',
    'v5.shared': 'Shared subscriptions',
    'v5.shared.help':
      'Two clients subscribe to one $share/… filter, a third to the plain topic; ten messages are published.',
    'v5.shared.run': 'Publish ten jobs',
    'v5.shared.report':
      '{published} messages: the members of {filter} got {a} and {b}; the ordinary subscriber got {ordinary}.',
    'v5.requestResponse': 'Request/response',
    'v5.requestResponse.help':
      'The requester subscribes to its reply topic and publishes a request with Response Topic and Correlation Data; the responder answers on that topic and copies the correlation data.',
    'v5.requestResponse.run': 'Send a request',
    'v5.requestResponse.report':
      'Reply “{reply}” on {topic} after {ms} ms, correlation data “{got}” (sent “{sent}”).',
    'v5.requestResponse.none': 'No reply arrived.',
    'v5.retainOptions': 'Retain handling and no local',
    'v5.retainOptions.help':
      'One retained message; new subscribers subscribe with Retain Handling 0, 1 and 2, and one subscribes twice with 1. Then a client subscribed with No Local publishes on its own topic.',
    'v5.retainOptions.run': 'Try the subscription options',
    'v5.retainOptions.rh0': 'Retain Handling 0, new subscription: retained message sent: {got}',
    'v5.retainOptions.rh1New': 'Retain Handling 1, new subscription: retained message sent: {got}',
    'v5.retainOptions.rh1Again':
      'Retain Handling 1, same subscription again: retained message sent: {got}',
    'v5.retainOptions.rh2': 'Retain Handling 2, new subscription: retained message sent: {got}',
    'v5.retainOptions.noLocal':
      'No Local: the publisher got its own message back: {own}; the other subscriber got it: {other}',
  },
};
