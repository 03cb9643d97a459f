// Reads chapter MDX sources as text, without an MDX compiler, for the parity, link and
// word-count checks. Only the conventions this project uses are understood: ATX headings with a
// `{/* #id */}` marker, Markdown links, `href="…"` attributes, fenced code blocks.

/** A heading found in an MDX source. */
export interface Heading {
  depth: number;
  text: string;
  /** The fixed anchor from the `{/* #id *\/}` marker, or null when the heading has none. */
  id: string | null;
  line: number;
}

/** An internal link found in an MDX source. */
export interface Link {
  href: string;
  line: number;
}

/** Where an internal link points. */
export interface LinkTarget {
  locale: 'zh-CN' | 'en';
  /** Page slug without slashes; '' for the home page. */
  slug: string;
  fragment: string | null;
}

const FENCE = /^\s*(```|~~~)/;
const HEADING = /^(#{1,6})\s+(.*?)\s*$/;
const MARKER = /\{\/\*\s*#([a-z0-9][a-z0-9-]*)\s*\*\/\}\s*$/;

/** Removes the leading `---` frontmatter block, keeping line numbers (blank lines). */
export function stripFrontmatter(src: string): string {
  const m = /^---\r?\n[\s\S]*?\r?\n---\r?\n/.exec(src);
  if (!m) return src;
  return '\n'.repeat(m[0].split('\n').length - 1) + src.slice(m[0].length);
}

/** Blanks fenced code blocks (keeping line numbers), so their content is not read as prose. */
export function stripFences(src: string): string {
  let fence: string | null = null;
  return src
    .split('\n')
    .map((line) => {
      const m = FENCE.exec(line);
      if (fence) {
        if (m?.[1] === fence && line.trim() === fence) fence = null;
        return '';
      }
      if (m?.[1]) {
        fence = m[1];
        return '';
      }
      return line;
    })
    .join('\n');
}

/** The frontmatter fields as raw strings (quotes removed); enough for title and description. */
export function frontmatter(src: string): Record<string, string> {
  const m = /^---\r?\n([\s\S]*?)\r?\n---/.exec(src);
  const out: Record<string, string> = {};
  for (const line of m?.[1]?.split('\n') ?? []) {
    const kv = /^([A-Za-z][\w-]*):\s*(.*)$/.exec(line);
    if (kv?.[1] && kv[2] !== undefined) out[kv[1]] = kv[2].replace(/^(["'])(.*)\1$/, '$2');
  }
  return out;
}

/** Every ATX heading outside code blocks, with its fixed anchor if it has one. */
export function headings(src: string): Heading[] {
  const out: Heading[] = [];
  stripFences(stripFrontmatter(src))
    .split('\n')
    .forEach((line, i) => {
      const m = HEADING.exec(line);
      if (!m?.[1] || m[2] === undefined) return;
      const marker = MARKER.exec(m[2]);
      out.push({
        depth: m[1].length,
        text: m[2].replace(MARKER, '').trim(),
        id: marker?.[1] ?? null,
        line: i + 1,
      });
    });
  return out;
}

/** Every anchor a page defines: heading markers and explicit `id="…"` attributes. */
export function anchors(src: string): string[] {
  const body = stripFences(stripFrontmatter(src));
  const ids = headings(src).flatMap((h) => (h.id ? [h.id] : []));
  for (const m of body.matchAll(/\sid=["']([^"']+)["']/g)) if (m[1]) ids.push(m[1]);
  return ids;
}

/** Internal links (starting with `/` or `#`) in Markdown link syntax or `href` attributes. */
export function internalLinks(src: string): Link[] {
  const out: Link[] = [];
  stripFences(stripFrontmatter(src))
    .split('\n')
    .forEach((raw, i) => {
      const line = raw.replace(/`[^`]*`/g, '');
      const found = [
        ...line.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g),
        ...line.matchAll(/\bhref=["']([^"']+)["']/g),
      ];
      for (const m of found) {
        const href = m[1];
        if (href && (href.startsWith('/') || href.startsWith('#'))) out.push({ href, line: i + 1 });
      }
    });
  return out;
}

/** Resolves an internal link as seen from a page in `fromLocale` with slug `fromSlug`. */
export function resolveLink(
  href: string,
  fromLocale: 'zh-CN' | 'en',
  fromSlug: string,
): LinkTarget {
  const hash = href.indexOf('#');
  // A query (the race's scenario links) picks what the page shows, not which page it is.
  const path = (hash === -1 ? href : href.slice(0, hash)).replace(/\?.*$/, '');
  const fragment = hash === -1 ? null : decodeURIComponent(href.slice(hash + 1));
  if (path === '') return { locale: fromLocale, slug: fromSlug, fragment };
  const parts = path.split('/').filter(Boolean);
  const locale = parts[0] === 'en' ? 'en' : 'zh-CN';
  if (locale === 'en') parts.shift();
  return { locale, slug: parts.join('/'), fragment };
}

const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
const CJK_ALL = new RegExp(CJK.source, 'gu');

/** The reader-visible prose of an MDX page: no frontmatter, imports, code, comments, SVG or tags. */
export function proseText(src: string): string {
  return stripFences(stripFrontmatter(src))
    .replace(/^(import|export)\s.*$/gm, '')
    .replace(/\{\/\*[\s\S]*?\*\/\}/g, '')
    .replace(/<Figure[\s\S]*?<\/Figure>/g, '')
    .replace(/<svg[\s\S]*?<\/svg>/g, '')
    .replace(/<\/?[A-Za-z][^>]*>/g, ' ')
    .replace(/`[^`]*`/g, ' ')
    .replace(/\]\([^)]*\)/g, ']');
}

/**
 * Counts words: for `zh-CN` each CJK character is a word and each run of Latin letters or
 * digits is one more (so “WebSocket 连接” is 3); for `en` each run of letters or digits is one.
 */
export function countWords(text: string, locale: 'zh-CN' | 'en'): number {
  let n = 0;
  for (const m of text.matchAll(/[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*/gu)) {
    const run = m[0];
    if (locale === 'zh-CN' && CJK.test(run)) {
      // A run can mix scripts ("3秒"): CJK characters count singly, other pieces once each.
      const pieces = run.split(CJK_ALL);
      n += [...run].filter((c) => CJK.test(c)).length + pieces.filter((p) => p !== '').length;
    } else {
      n += 1;
    }
  }
  return n;
}
