import type { Locale } from '../i18n/index.ts';

// Starlight finds a chapter's language from its path under src/content/docs/, but our chapters live
// in the top-level content/docs/ (see content.config.ts), so its asides, heading anchors and code
// copy buttons would all take the root locale. These helpers give the language back to them.

/** The locale of a chapter file from its path: English under content/docs/en/, else zh-CN. */
export function contentLocale(path: string | undefined): Locale {
  return /[\\/]content[\\/]docs[\\/]en[\\/]/.test(path ?? '') ? 'en' : 'zh-CN';
}

/** Starlight's default aside titles, per locale (a `:::note[Own title]` keeps its own). */
export const ASIDE_TITLES: Record<Locale, Record<'note' | 'tip' | 'caution' | 'danger', string>> = {
  'zh-CN': { note: '注意', tip: '提示', caution: '警告', danger: '危险' },
  en: { note: 'Note', tip: 'Tip', caution: 'Caution', danger: 'Danger' },
};

/** The screen-reader label of a heading's anchor link. */
export function anchorLabel(locale: Locale, title: string): string {
  return locale === 'en' ? `Section titled “${title}”` : `本节：“${title}”`;
}
