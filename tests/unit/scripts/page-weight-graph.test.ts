import { describe, expect, it } from 'vitest';
import { pageEntries, pageScripts, staticClosure } from '../../../scripts/page-weight-graph.ts';

// A tiny build: a page with one entry script and one island; the island imports a shared module
// statically and two heavy libraries lazily, one of which shares a module with the page.
const FILES: Record<string, string> = {
  '/_astro/page.js': 'import"./shared.js";console.log(1)',
  '/_astro/Island.js':
    'import{a as b}from"./shared.js";export*from"../_astro/util.js";const l=()=>import(`./lib.js`);const c=()=>import("./chart.js")',
  '/_astro/client.js': 'export const r=1',
  '/_astro/shared.js': 'export const a=1',
  '/_astro/util.js': 'export const u="import(\\"./not-a-file.js\\")"',
  '/_astro/lib.js': 'import"./shared.js";import"./lib-dep.js";export default 1',
  '/_astro/lib-dep.js': 'export const d=1',
  '/_astro/chart.js': 'import"./lib-dep.js";const p=()=>import(`./chart-extra.js`)',
  '/_astro/chart-extra.js': 'export const e=1',
};
const read = (f: string) => FILES[f];
const HTML = `<html><head><script type="module" src="/_astro/page.js"></script>
<script>(()=>{var a=1})()</script><script type="application/ld+json">{"a":1}</script></head>
<body><astro-island component-url="/_astro/Island.js" renderer-url="/_astro/client.js"></astro-island>
<img src="/x.png"><script src="https://cdn.example/x.js"></script></body></html>`;

describe('page-weight graph walk', () => {
  it('finds the entry scripts, island modules and inline scripts of a page', () => {
    const { entries, inline, islands } = pageEntries(HTML);
    expect(entries.sort()).toEqual(['/_astro/Island.js', '/_astro/client.js', '/_astro/page.js']);
    // Data blocks are not scripts; the inline loader is.
    expect(inline).toEqual(['(()=>{var a=1})()']);
    expect(islands).toBe(1);
  });

  it('counts static imports as eager and import() as lazy, each lazy chunk with what it adds', () => {
    const scripts = pageScripts(HTML, read);
    expect([...scripts.eager].sort()).toEqual([
      '/_astro/Island.js',
      '/_astro/client.js',
      '/_astro/page.js',
      '/_astro/shared.js',
      '/_astro/util.js',
    ]);
    expect(scripts.hasIslands).toBe(true);
    // lib.js brings lib-dep.js; shared.js is on the page already. chart.js, found lazily, has
    // its own lazy chunk, and lib-dep.js is counted for each chunk that needs it.
    expect(Object.fromEntries([...scripts.lazy].map(([k, v]) => [k, [...v].sort()]))).toEqual({
      '/_astro/lib.js': ['/_astro/lib-dep.js', '/_astro/lib.js'],
      '/_astro/chart.js': ['/_astro/chart.js', '/_astro/lib-dep.js'],
      '/_astro/chart-extra.js': ['/_astro/chart-extra.js'],
    });
  });

  it('stops at files already loaded and at files that do not exist', () => {
    expect(
      [...staticClosure(['/_astro/lib.js'], read, new Set(['/_astro/shared.js']))].sort(),
    ).toEqual(['/_astro/lib-dep.js', '/_astro/lib.js']);
    expect(staticClosure(['/_astro/missing.js'], read).size).toBe(0);
  });

  it('sees a text page with no island as loading its scripts only', () => {
    const scripts = pageScripts('<script type="module" src="/_astro/page.js"></script>', read);
    expect(scripts.hasIslands).toBe(false);
    expect([...scripts.eager].sort()).toEqual(['/_astro/page.js', '/_astro/shared.js']);
    expect(scripts.lazy.size).toBe(0);
  });
});
