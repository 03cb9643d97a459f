import type { Dictionary } from './index.ts';

type Key =
  | 'label'
  | 'checking'
  | 'connected'
  | 'unreachable'
  | 'version'
  | 'uptime'
  | 'brokerEmbedded'
  | 'brokerExternal'
  | 'brokerMosquitto'
  | 'connections'
  | 'retry'
  | 'redisUp'
  | 'redisDown'
  | 'conn.mqttTcp'
  | 'conn.mqttWs'
  | 'conn.wsChat'
  | 'conn.sse'
  | 'conn.longPoll'
  | 'conn.race'
  | 'conn.wsRoom';

/** UI strings of the server status badge. */
export const statusStrings: Dictionary<Key> = {
  'zh-CN': {
    label: '服务器状态',
    checking: '正在检查…',
    connected: '已连接',
    unreachable: '无法连接到服务器',
    version: '版本 {version}',
    uptime: '已运行 {uptime}',
    brokerEmbedded: '内置 MQTT broker',
    brokerExternal: '外部 MQTT broker',
    brokerMosquitto: '由实验室启动的 Mosquitto',
    connections: '当前连接',
    retry: '重试',
    redisUp: '多实例共享（Redis）',
    redisDown: '共享存储 Redis 没有响应：MQTT 消息、聊天和 ticker 暂停，Redis 恢复后自动继续。',
    'conn.mqttTcp': 'MQTT/TCP',
    'conn.mqttWs': 'MQTT/WebSocket',
    'conn.wsChat': 'WebSocket 聊天',
    'conn.sse': 'SSE',
    'conn.longPoll': '长轮询',
    'conn.race': '进行中的比赛',
    'conn.wsRoom': '培训通道',
  },
  en: {
    label: 'Server status',
    checking: 'Checking…',
    connected: 'Connected',
    unreachable: 'Server unreachable',
    version: 'version {version}',
    uptime: 'up {uptime}',
    brokerEmbedded: 'embedded MQTT broker',
    brokerExternal: 'external MQTT broker',
    brokerMosquitto: 'Mosquitto run by the lab',
    connections: 'Connections now',
    retry: 'Retry',
    redisUp: 'shared by several instances (Redis)',
    redisDown:
      'The shared store (Redis) is not answering: MQTT messages, the chat and the ticker pause until it is back, then resume by themselves.',
    'conn.mqttTcp': 'MQTT/TCP',
    'conn.mqttWs': 'MQTT/WebSocket',
    'conn.wsChat': 'WebSocket chat',
    'conn.sse': 'SSE',
    'conn.longPoll': 'long polling',
    'conn.race': 'races running',
    'conn.wsRoom': 'workshop channel',
  },
};
