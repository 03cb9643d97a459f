/** Chapter slugs in reading order; the sidebar and the parity tests both read this list. */
export const CHAPTERS = [
  'overview',
  'short-polling',
  'long-polling',
  'sse',
  'websocket',
  'mqtt',
  'mqtt-over-websocket',
  'security',
  'real-browsers',
  'comparison',
  'race',
  'choosing',
  'references',
  'summary',
  'glossary',
] as const;

/** A chapter's slug. */
export type ChapterSlug = (typeof CHAPTERS)[number];
