// Page-weight budgets, run by `npm test` after the build: for every page in dist/, the gzip size
// of the JavaScript it loads before any lazy chunk (its scripts, the islands it hydrates, their
// static imports and its inline scripts), and of each lazy `import()` chunk with whatever that
// chunk adds to the page. Prints a table and exits 1 when a budget is exceeded.
// Usage: node scripts/page-weight.ts [distDir]
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { pageScripts } from './page-weight-graph.ts';

const KIB = 1024;
/** Text pages (no island) and demo pages (at least one island), JS before lazy chunks. */
const PAGE_BUDGET = { text: 10 * KIB, demo: 40 * KIB } as const;
/**
 * Lazy chunks, by the chunk's name without its hash; the first matching pattern wins. The heavy
 * libraries (mqtt.js, the registered Chart.js parts) are meant to be lazy; so are the workshop
 * attendee panel (only once a visitor joins) and Starlight's search UI (only once search opens).
 * Any other lazy chunk gets the small default, so a new one shows up here with a name.
 */
const LAZY_BUDGETS: readonly [name: string, pattern: RegExp, budget: number][] = [
  ['mqtt.js', /^mqtt\.esm$/, 100 * KIB],
  // The registered parts come to ~53 KiB; all of Chart.js (~68 KiB) would not fit.
  ['Chart.js parts', /^(bar-)?chart(-parts)?$/, 56 * KIB],
  ['workshop panel', /^mount-attendee$/, 32 * KIB],
  ['search UI', /^ui-core$/, 30 * KIB],
  ['other', /./, 10 * KIB],
];

const dist = path.resolve(process.argv[2] ?? 'dist');
if (!existsSync(dist)) {
  console.error(`page-weight: ${dist} does not exist; run \`npm run build\` first.`);
  process.exit(2);
}

const files = new Map<string, string | undefined>();
/** Reads `/_astro/x.js` from dist, once. */
function read(file: string): string | undefined {
  if (!files.has(file)) {
    const full = path.join(dist, file);
    files.set(file, existsSync(full) ? readFileSync(full, 'utf8') : undefined);
  }
  return files.get(file);
}
const gzCache = new Map<string, number>();
function gz(text: string): number {
  return gzipSync(text, { level: 9 }).length;
}
function gzFile(file: string): number {
  let n = gzCache.get(file);
  if (n === undefined) gzCache.set(file, (n = gz(read(file) ?? '')));
  return n;
}
const sum = (set: Iterable<string>) => [...set].reduce((n, f) => n + gzFile(f), 0);

function htmlPages(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory())
      return name === 'pagefind' || name === '_astro' ? [] : htmlPages(full);
    return name.endsWith('.html') ? [full] : [];
  });
}

/** `mqtt.esm.QzmTTts4.js` → `mqtt.esm`. */
function chunkName(file: string): string {
  return path.basename(file).replace(/\.[\w-]{8}\.js$|\.js$/, '');
}

interface PageRow {
  page: string;
  kind: keyof typeof PAGE_BUDGET;
  js: number;
  css: number;
}
const pages: PageRow[] = [];
const lazy = new Map<string, { size: number; pages: Set<string> }>();
for (const file of htmlPages(dist).sort()) {
  const html = readFileSync(file, 'utf8');
  const page = '/' + path.relative(dist, file).replace(/index\.html$/, '');
  const scripts = pageScripts(html, read);
  const css = [...html.matchAll(/<link[^>]*rel="stylesheet"[^>]*href="(\/[^"]+)"/g)].reduce(
    (n, m) => n + gzFile(m[1]!),
    0,
  );
  const inlineCss = [...html.matchAll(/<style[^>]*>([\s\S]*?)<\/style>/g)].reduce(
    (n, m) => n + gz(m[1]!),
    0,
  );
  pages.push({
    page,
    kind: scripts.hasIslands ? 'demo' : 'text',
    js: sum(scripts.eager) + scripts.inline.reduce((n, s) => n + gz(s), 0),
    css: css + inlineCss,
  });
  // Pagefind's own search bundle lives outside _astro and loads only when search is opened.
  for (const [chunk, added] of scripts.lazy) {
    if (!chunk.startsWith('/_astro/')) continue;
    const name = chunkName(chunk);
    const entry = lazy.get(name) ?? { size: 0, pages: new Set<string>() };
    entry.size = Math.max(entry.size, sum(added));
    entry.pages.add(page);
    lazy.set(name, entry);
  }
}

const kib = (n: number) => (n / KIB).toFixed(1);
const failures: string[] = [];
const w = Math.max(...pages.map((r) => r.page.length), 'page'.length);
console.log(`${'page'.padEnd(w)}  kind  JS gzip KiB  budget  CSS gzip KiB\n${'-'.repeat(w + 41)}`);
for (const r of pages) {
  const budget = PAGE_BUDGET[r.kind];
  const over = r.js > budget;
  const mark = over ? '  OVER' : '';
  if (over)
    failures.push(`${r.page} (${r.kind}) loads ${kib(r.js)} KiB of JS, budget ${kib(budget)}`);
  console.log(
    `${r.page.padEnd(w)}  ${r.kind}  ${kib(r.js).padStart(11)}  ${kib(budget).padStart(6)}  ${kib(r.css).padStart(12)}${mark}`,
  );
}

const lw = Math.max(...[...lazy.keys()].map((n) => n.length), 'lazy chunk'.length);
console.log(
  `\n${'lazy chunk'.padEnd(lw)}  gzip KiB  budget  budgeted as     pages\n${'-'.repeat(lw + 50)}`,
);
for (const [name, { size, pages: on }] of [...lazy].sort((a, b) => b[1].size - a[1].size)) {
  const [label, , budget] = LAZY_BUDGETS.find(([, re]) => re.test(name))!;
  const over = size > budget;
  if (over)
    failures.push(`lazy chunk ${name} adds ${kib(size)} KiB, budget ${kib(budget)} (${label})`);
  console.log(
    `${name.padEnd(lw)}  ${kib(size).padStart(8)}  ${kib(budget).padStart(6)}  ${label.padEnd(14)}  ${on.size}${over ? '  OVER' : ''}`,
  );
}

if (failures.length > 0) {
  console.error(
    `\npage-weight: ${failures.length} budget(s) exceeded:\n  ${failures.join('\n  ')}`,
  );
  process.exit(1);
}
console.log(`\npage-weight: ${pages.length} pages and ${lazy.size} lazy chunks within budget.`);
