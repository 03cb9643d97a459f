// The shape of the course's comparison table: its columns, row groups and cell ratings. The rows
// themselves are data next to the chapters (content/compare/<row id>.yaml, the `compare` content
// collection, checked by ./row-schema.ts), read at build time by the comparison chapter's table and
// by the selection quiz's reasons, so the two can never disagree. Nothing here carries prose of
// one locale only but the short column and group names, which pages pick by their own locale.

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

/** The ratings a cell can give, in the order the table's key lists them. */
export const LEVELS = ['good', 'partial', 'poor', 'info'] as const;

/** How a cell rates the column on its row; shown as an icon plus a word, never colour alone. */
export type Level = (typeof LEVELS)[number];

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
