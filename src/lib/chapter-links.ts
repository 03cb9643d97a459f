import type { ChapterSlug } from './chapters.ts';
import type { Locale } from './i18n/index.ts';

/** A place in the course: a chapter and one of its fixed `{/* #anchor *\/}` heading ids. */
export interface ChapterLink {
  chapter: ChapterSlug;
  anchor: string;
}

/** The site path of a chapter section: `/sse/#demo` in zh-CN, `/en/sse/#demo` in English. */
export function chapterHref(link: ChapterLink, locale: Locale): string {
  const prefix = locale === 'en' ? '/en' : '';
  return `${prefix}/${link.chapter}/${link.anchor ? `#${link.anchor}` : ''}`;
}
