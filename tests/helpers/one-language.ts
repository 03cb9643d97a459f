/**
 * Lower-case Latin words a zh-CN page may show outside code: protocol, API and tool names that
 * Chinese technical writing keeps in English, and units. Capitalised words and acronyms (names,
 * HTTP, WebSocket, QoS) are allowed without being listed.
 */
export const ZH_PAGE_LATIN_ALLOWED = new Set<string>([
  // loanwords Chinese developers use as is
  'broker',
  'socket',
  'ping',
  'pong',
  'serverless',
  'keep-alive',
  'nginx',
  'gzip',
  'base64',
  'npm',
  'curl',
  'websocat',
  'retain',
  'id',
  'wss',
  'ws',
  'mqtt',
  'hb',
  'client',
  'key',
  'worker',
  // names of techniques and spec sections: MQTT over WebSocket, Server-sent events, event stream
  'over',
  'events',
  'stream',
  'since',
  // APIs, fields and identifiers named in the text
  // the WebSocket API as the frame inspector and its lesson name it: event types, CloseEvent
  // fields and the JavaScript values they hold
  'message',
  'close',
  'code',
  'reason',
  'true',
  'false',
  'object',
  // a library and a client id named in the MQTT delivery lesson
  'mqtt-packet',
  'sub-1',
  'setInterval',
  'setTimeout',
  'fetch',
  'resolve',
  'retry',
  'event',
  'data',
  'event-stream',
  'reconnectPeriod',
  'decodeSnapshot',
  'valibot',
  'f64',
  'u16',
  'v2',
  'p50',
  'p95',
  'p99',
  // the chat rooms the WebSocket diagram names
  'lobby',
  'ops',
  // a tool and an nginx directive the security chapter names
  'certbot',
  'location',
  // page lifecycle events and the cache they name (the real-browsers chapter)
  'pagehide',
  'pageshow',
  'persisted',
  'bfcache',
  // units
  'ms',
  'px',
]);
