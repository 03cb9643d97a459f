import type { Dictionary, Translate } from './index.ts';

type Key =
  | 'region'
  | 'conn.idle'
  | 'conn.connecting'
  | 'conn.connected'
  | 'conn.reconnecting'
  | 'conn.error'
  | 'mode.label'
  | 'mode.overview'
  | 'mode.naive'
  | 'mode.naiveWarning'
  | 'rates.title'
  | 'rates.now'
  | 'rates.measured'
  | 'rates.msgs'
  | 'rates.bytes'
  | 'rates.pending'
  | 'rates.ratio'
  | 'rates.chart'
  | 'map.label'
  | 'legend.title'
  | 'state.driving'
  | 'state.idle'
  | 'state.charging'
  | 'state.returning'
  | 'legend.offline'
  | 'list.title'
  | 'list.search'
  | 'list.more'
  | 'list.none'
  | 'list.empty'
  | 'list.item'
  | 'online'
  | 'offline'
  | 'unknown'
  | 'detail.title'
  | 'detail.none'
  | 'detail.waiting'
  | 'detail.state'
  | 'detail.speed'
  | 'detail.battery'
  | 'detail.odometer'
  | 'detail.position'
  | 'detail.link'
  | 'detail.alerts'
  | 'detail.noAlerts'
  | 'detail.cut'
  | 'detail.brake'
  | 'detail.deselect'
  | 'detail.chart'
  | 'chart.speed'
  | 'chart.battery'
  | 'chart.bytes'
  | 'chart.msgs'
  | 'alerts.title'
  | 'alerts.none'
  | 'alert.low-battery'
  | 'alert.harsh-braking'
  | 'alert.geofence-exit'
  | 'alerts.vehicle'
  | 'stats.title'
  | 'stats.waiting'
  | 'stats.online'
  | 'stats.avgBattery'
  | 'stats.avgSpeed'
  | 'stats.statusPerS'
  | 'stats.alerts'
  | 'stats.snapshot'
  | 'trainer.title'
  | 'trainer.size'
  | 'trainer.rate'
  | 'trainer.apply'
  | 'trainer.pause'
  | 'trainer.resume'
  | 'trainer.status'
  | 'trainer.paused'
  | 'trainer.slowed'
  | 'trainer.error'
  | 'trainer.only';

/** The fleet dashboard's lookup, as its components receive it. */
export type FleetT = Translate<Key>;

/** UI strings of the vehicle-fleet dashboard (case-study chapter). */
export const fleetStrings: Dictionary<Key> = {
  'zh-CN': {
    region: '车队监控面板',
    'conn.idle': '未连接',
    'conn.connecting': '正在连接 broker…',
    'conn.connected': '已通过 MQTT over WebSocket 连接',
    'conn.reconnecting': '连接中断，正在重连…',
    'conn.error': '连接失败',
    'mode.label': '订阅方式',
    'mode.overview': '聚合快照 + 选中车辆（推荐）',
    'mode.naive': '朴素通配符 vehicle/+/status',
    'mode.naiveWarning':
      '注意：通配符订阅会把每辆车的每条状态都推给这个浏览器。车队一大、浏览器一多，broker 和网络都会吃不消。',
    'rates.title': '本浏览器收到的数据',
    'rates.now': '当前',
    'rates.measured': '已测得',
    'rates.msgs': '{n} 条/秒',
    'rates.bytes': '{n}',
    'rates.pending': '测量中…',
    'rates.ratio': '通配符订阅收到的字节数是聚合方式的 {ratio} 倍',
    'rates.chart': '最近 60 秒每秒收到的字节数和消息数',
    'map.label': '城市网格地图：{online} 辆在线，{offline} 辆离线',
    'legend.title': '图例',
    'state.driving': '行驶中',
    'state.idle': '停靠',
    'state.charging': '充电中',
    'state.returning': '低电量返回',
    'legend.offline': '离线（最后位置）',
    'list.title': '车辆列表',
    'list.search': '按编号搜索车辆',
    'list.more': '显示 {shown} / {total} 辆，输入编号缩小范围',
    'list.none': '没有编号包含“{query}”的车辆',
    'list.empty': '还没有收到任何车辆',
    'list.item': '车辆 {id}',
    online: '在线',
    offline: '离线',
    unknown: '状态未知',
    'detail.title': '车辆 {id}',
    'detail.none': '在地图或列表中选择一辆车，查看它的详细数据。',
    'detail.waiting': '正在等待这辆车的下一条状态…',
    'detail.state': '状态',
    'detail.speed': '速度',
    'detail.battery': '电量',
    'detail.odometer': '里程',
    'detail.position': '位置',
    'detail.link': '连接',
    'detail.alerts': '这辆车的告警',
    'detail.noAlerts': '暂无告警',
    'detail.cut': '切断连接（触发遗嘱）',
    'detail.brake': '急刹车',
    'detail.deselect': '取消选择',
    'detail.chart': '车辆 {id} 的速度与电量',
    'chart.speed': '速度 (km/h)',
    'chart.battery': '电量 (%)',
    'chart.bytes': '字节/秒',
    'chart.msgs': '消息/秒',
    'alerts.title': '告警（QoS 1，最新在前）',
    'alerts.none': '还没有告警',
    'alert.low-battery': '电量低：{value}%',
    'alert.harsh-braking': '急刹车：{value} m/s²',
    'alert.geofence-exit': '驶出服务区',
    'alerts.vehicle': '车辆 {id}',
    'stats.title': '车队总览（fleet/stats）',
    'stats.waiting': '等待 fleet/stats…',
    'stats.online': '在线 {online} / {known}',
    'stats.avgBattery': '平均电量 {n}%',
    'stats.avgSpeed': '平均速度 {n} km/h',
    'stats.statusPerS': '聚合器每秒收到 {n} 条状态',
    'stats.alerts': '累计告警 {n}',
    'stats.snapshot': '快照大小 {n} 字节',
    'trainer.title': '讲师控制',
    'trainer.size': '车辆数',
    'trainer.rate': '每车每秒状态数 (Hz)',
    'trainer.apply': '应用',
    'trainer.pause': '暂停车队',
    'trainer.resume': '继续',
    'trainer.status': '模拟器：{connected} / {vehicles} 辆已连接，{rate} Hz',
    'trainer.paused': '已暂停',
    'trainer.slowed': '本机负载过高，车辆的发布速度暂时降为 1/{factor}',
    'trainer.error': '服务器拒绝了这个操作：{message}',
    'trainer.only': '这些控制属于讲师：它们会改变所有人看到的车队。',
  },
  en: {
    region: 'Fleet dashboard',
    'conn.idle': 'Not connected',
    'conn.connecting': 'Connecting to the broker…',
    'conn.connected': 'Connected over MQTT over WebSocket',
    'conn.reconnecting': 'Connection lost, reconnecting…',
    'conn.error': 'Could not connect',
    'mode.label': 'Subscription',
    'mode.overview': 'Aggregated snapshot + selected vehicle (recommended)',
    'mode.naive': 'Naive wildcard vehicle/+/status',
    'mode.naiveWarning':
      'Careful: the wildcard pushes every status of every vehicle to this browser. With a large fleet and many browsers, the broker and the network cannot keep up.',
    'rates.title': 'Received by this browser',
    'rates.now': 'now',
    'rates.measured': 'measured',
    'rates.msgs': '{n} msg/s',
    'rates.bytes': '{n}',
    'rates.pending': 'measuring…',
    'rates.ratio': 'The wildcard brings {ratio}× the bytes of the aggregated overview',
    'rates.chart': 'Bytes and messages received per second over the last 60 seconds',
    'map.label':
      'City grid map: {online, plural, one {# vehicle} other {# vehicles}} online, {offline} offline',
    'legend.title': 'Legend',
    'state.driving': 'driving',
    'state.idle': 'stopped',
    'state.charging': 'charging',
    'state.returning': 'low battery, returning',
    'legend.offline': 'offline (last position)',
    'list.title': 'Vehicles',
    'list.search': 'Search vehicles by number',
    'list.more': 'Showing {shown} of {total}; type a number to narrow',
    'list.none': 'No vehicle number contains “{query}”',
    'list.empty': 'No vehicles yet',
    'list.item': 'Vehicle {id}',
    online: 'online',
    offline: 'offline',
    unknown: 'unknown',
    'detail.title': 'Vehicle {id}',
    'detail.none': 'Select a vehicle on the map or in the list to see its details.',
    'detail.waiting': 'Waiting for this vehicle’s next status…',
    'detail.state': 'State',
    'detail.speed': 'Speed',
    'detail.battery': 'Battery',
    'detail.odometer': 'Odometer',
    'detail.position': 'Position',
    'detail.link': 'Link',
    'detail.alerts': 'Alerts of this vehicle',
    'detail.noAlerts': 'No alerts yet',
    'detail.cut': 'Cut its connection (fires the will)',
    'detail.brake': 'Brake hard',
    'detail.deselect': 'Deselect',
    'detail.chart': 'Speed and battery of vehicle {id}',
    'chart.speed': 'speed (km/h)',
    'chart.battery': 'battery (%)',
    'chart.bytes': 'bytes/s',
    'chart.msgs': 'messages/s',
    'alerts.title': 'Alerts (QoS 1, newest first)',
    'alerts.none': 'No alerts yet',
    'alert.low-battery': 'Low battery: {value}%',
    'alert.harsh-braking': 'Harsh braking: {value} m/s²',
    'alert.geofence-exit': 'Left the service area',
    'alerts.vehicle': 'Vehicle {id}',
    'stats.title': 'Fleet totals (fleet/stats)',
    'stats.waiting': 'Waiting for fleet/stats…',
    'stats.online': '{online} of {known} online',
    'stats.avgBattery': 'average battery {n}%',
    'stats.avgSpeed': 'average speed {n} km/h',
    'stats.statusPerS': 'the aggregator receives {n, plural, one {# status} other {# statuses}}/s',
    'stats.alerts': '{n, plural, one {# alert} other {# alerts}} so far',
    'stats.snapshot': 'snapshot size {n, plural, one {# byte} other {# bytes}}',
    'trainer.title': 'Trainer controls',
    'trainer.size': 'Vehicles',
    'trainer.rate': 'Statuses per vehicle per second (Hz)',
    'trainer.apply': 'Apply',
    'trainer.pause': 'Pause the fleet',
    'trainer.resume': 'Resume',
    'trainer.status': 'Simulator: {connected} of {vehicles} connected, {rate} Hz',
    'trainer.paused': 'paused',
    'trainer.slowed': 'this machine is overloaded: vehicles publish {factor}× more slowly for now',
    'trainer.error': 'The server refused: {message}',
    'trainer.only': 'These controls are the trainer’s: they change the fleet everyone sees.',
  },
};
