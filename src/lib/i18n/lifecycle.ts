import type { Dictionary } from './index.ts';

type Key = 'paused.hidden' | 'paused.offline' | 'paused.frozen';

/** The notice every live demo shows while the page lifecycle has its connection resting. */
export const lifecycleStrings: Dictionary<Key> = {
  'zh-CN': {
    'paused.hidden': '已暂停：这个标签页在后台超过 2 秒，连接已关闭。回到本页时自动重连。',
    'paused.offline': '已暂停：浏览器报告已离线，连接已关闭。网络恢复后自动重连。',
    'paused.frozen': '已暂停：页面进入了往返缓存，连接已关闭。',
  },
  en: {
    'paused.hidden':
      'Paused: this tab has been in the background for over 2 s, so the connection is closed. It reconnects when you come back.',
    'paused.offline':
      'Paused: the browser reports that it is offline, so the connection is closed. It reconnects when the network is back.',
    'paused.frozen':
      'Paused: the page went into the back/forward cache with its connection closed.',
  },
};
