import type { Dictionary } from './index.ts';

type Key =
  | 'title'
  | 'run'
  | 'running'
  | 'originHeading'
  | 'originSent'
  | 'hostSent'
  | 'status'
  | 'originNote'
  | 'aclHeading'
  | 'granted'
  | 'refused'
  | 'aclNote'
  | 'failedOrigin'
  | 'failedAcl';

/** UI strings of the security chapter's live checks. */
export const securityStrings: Dictionary<Key> = {
  'zh-CN': {
    title: '现场检查这个实验室的两道门',
    run: '运行检查',
    running: '检查中…',
    originHeading: '聊天握手（/ws/chat）',
    originSent: '浏览器发出的 Origin：{origin}',
    hostSent: '服务器收到的 Host：{host}',
    status: '服务器的回答：{status}',
    originNote: 'Origin 与 Host 的主机和端口一致，所以放行；别的网站的页面会收到 403。',
    aclHeading: '匿名订阅（/mqtt）',
    granted: 'SUBACK：{filter} → QoS {qos}，允许',
    refused: 'SUBACK：{filter} → 0x80，拒绝',
    aclNote: '匿名客户端能订阅具体的主题，但不能用 # 一次收下整个 broker。',
    failedOrigin: '聊天服务没有接受这次连接，或没有回 welcome。',
    failedAcl: 'broker 没有回答：它没在运行，或这页配置了一个连不上的外部 broker。',
  },
  en: {
    title: 'Check two of the lab’s doors, live',
    run: 'Run the checks',
    running: 'Checking…',
    originHeading: 'Chat handshake (/ws/chat)',
    originSent: 'Origin your browser sent: {origin}',
    hostSent: 'Host the server received: {host}',
    status: 'The server answered: {status}',
    originNote:
      'The Origin names the same host and port as Host, so the lab let it in; a page from another site gets 403.',
    aclHeading: 'Anonymous subscriptions (/mqtt)',
    granted: 'SUBACK: {filter} → QoS {qos}, granted',
    refused: 'SUBACK: {filter} → 0x80, refused',
    aclNote:
      'An anonymous client may subscribe to real topics, but not to # (the whole broker at once).',
    failedOrigin: 'The chat did not accept the connection, or sent no welcome.',
    failedAcl:
      'The broker did not answer: it is not running, or this page is set up for an external broker it cannot reach.',
  },
};
