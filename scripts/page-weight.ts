// Prints, for every page in dist/, the gzip size of the JavaScript and CSS it loads up front:
// scripts and stylesheets it links, the islands it hydrates, and their static imports.
// Lazy `import()`s (mqtt, chart.js, Pagefind's search) are not counted: a page does not
// download them until they are used. Usage: node scripts/page-weight.ts [distDir]
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

const dist = path.resolve(process.argv[2] ?? 'dist');
const gz = new Map<string, number>();

function gzipSize(file: string): number {
  let n = gz.get(file);
  if (n === undefined) {
    n = gzipSync(readFileSync(file), { level: 9 }).length;
    gz.set(file, n);
  }
  return n;
}

function htmlPages(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory())
      return name === 'pagefind' || name === '_astro' ? [] : htmlPages(full);
    return name.endsWith('.html') ? [full] : [];
  });
}

/** A module and everything it imports statically, as files under dist. */
function moduleClosure(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file) || !existsSync(file)) return seen;
  seen.add(file);
  const code = readFileSync(file, 'utf8');
  // Static imports in minified output: `import"./a.js"`, `from"./b.js"` (not `import("./c.js")`).
  for (const m of code.matchAll(/(?:\bfrom\s*|\bimport\s*)["']([^"']+\.js)["']/g)) {
    const spec = m[1]!;
    const target = spec.startsWith('/')
      ? path.join(dist, spec)
      : path.resolve(path.dirname(file), spec);
    moduleClosure(target, seen);
  }
  return seen;
}

const rows: [string, number, number][] = [];
for (const page of htmlPages(dist).sort()) {
  const html = readFileSync(page, 'utf8');
  const js = new Set<string>();
  const css = new Set<string>();
  const urls = (re: RegExp) =>
    [...html.matchAll(re)].map((m) => m[1]!).filter((u) => u.startsWith('/'));
  for (const u of urls(/<script[^>]*\bsrc="([^"]+)"/g)) moduleClosure(path.join(dist, u), js);
  for (const u of urls(/\b(?:component-url|renderer-url)="([^"]+)"/g))
    moduleClosure(path.join(dist, u), js);
  for (const u of urls(/<link[^>]*rel="stylesheet"[^>]*href="([^"]+)"/g))
    css.add(path.join(dist, u));
  let inlineJs = 0;
  for (const m of html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)) {
    inlineJs += gzipSync(m[1]!).length;
  }
  let inlineCss = 0;
  for (const m of html.matchAll(/<style[^>]*>([\s\S]*?)<\/style>/g))
    inlineCss += gzipSync(m[1]!).length;
  const sum = (files: Set<string>) => [...files].reduce((n, f) => n + gzipSize(f), 0);
  rows.push([
    '/' + path.relative(dist, page).replace(/index\.html$/, ''),
    sum(js) + inlineJs,
    sum(css) + inlineCss,
  ]);
}

const kb = (n: number) => (n / 1024).toFixed(1);
const w = Math.max(...rows.map((r) => r[0].length), 4);
console.log(`${'page'.padEnd(w)}  JS gzip KiB  CSS gzip KiB`);
for (const [p, j, c] of rows)
  console.log(`${p.padEnd(w)}  ${kb(j).padStart(11)}  ${kb(c).padStart(12)}`);
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
console.log(
  `${'median'.padEnd(w)}  ${kb(med(rows.map((r) => r[1]))).padStart(11)}  ${kb(med(rows.map((r) => r[2]))).padStart(12)}`,
);
