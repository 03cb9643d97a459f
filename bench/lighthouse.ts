// `npm run bench -- lighthouse [--locale en|zh-CN|both] [--only /path/] [--runs N]`: Lighthouse
// (its default mobile preset: a mid-range phone, simulated slow 4G and 4× CPU slowdown) on the home
// page, one text chapter and every demo page (each page that hydrates an island), against the built
// site served by the lab on a free loopback port. Prints performance and accessibility per page
// (median of --runs, default 1) next to the issue's targets: performance ≥ 95, accessibility 100.
// Needs `npm run build` first. Chromium: CHROME_PATH, else Debian's /usr/bin/chromium.
// Verify quickly with `--only /sse/ --locale en`; the full run takes a few minutes per locale.
// `--details` also prints, per run, where the main thread went during load: the scripts with the
// most CPU time (bootup-time), the work by kind (mainthread-work-breakdown) and each long task.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';
import { startLab } from '../server/app.ts';
import { parseConfig } from '../server/config.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const TEXT_CHAPTER = 'glossary';
const TARGET = { performance: 95, accessibility: 100 };

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const localeOption = option('locale') ?? 'both';
const only = option('only');
const runs = Math.max(1, Math.min(5, Number(option('runs') ?? 1)));
const details = process.argv.includes('--details');

if (!existsSync(path.join(dist, 'index.html'))) {
  console.error('lighthouse: dist/ has no built site; run `npm run build` first.');
  process.exit(2);
}
const chromePath =
  process.env['CHROME_PATH'] ?? (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);
if (!chromePath) {
  console.error('lighthouse: no Chromium found; set CHROME_PATH.');
  process.exit(2);
}

/** Site paths of the pages to audit in one locale: home, one text chapter, every demo page. */
function pagesOf(prefix: '' | '/en'): string[] {
  const base = path.join(dist, prefix);
  const demos = readdirSync(base)
    .filter((d) => d !== 'en' && d !== '_astro' && d !== 'pagefind')
    .filter((d) => statSync(path.join(base, d)).isDirectory())
    .filter((d) => {
      const html = path.join(base, d, 'index.html');
      return existsSync(html) && readFileSync(html, 'utf8').includes('<astro-island');
    })
    .sort()
    .map((d) => `${prefix}/${d}/`);
  return [`${prefix}/`, `${prefix}/${TEXT_CHAPTER}/`, ...demos];
}

const prefixes: ('' | '/en')[] =
  localeOption === 'en' ? ['/en'] : localeOption === 'zh-CN' ? [''] : ['', '/en'];
// The trainer desk on /workshop/ makes this machine the trainer (loopback is trusted), and for
// the next 30 minutes every page then loads workshop mode's attendee panel and its socket, as an
// attendee's would: audited before other pages it would weigh on all of them. So it goes last.
const isDesk = (page: string) => /\/workshop\/$/.test(page);
const all = only ? [only] : prefixes.flatMap(pagesOf);
const pages = [...all.filter((p) => !isDesk(p)), ...all.filter(isDesk)];

const config = parseConfig(['--port', '0', '--mqtt-port', '0', '--host', '127.0.0.1'], {});
if (config === 'help') throw new Error('unreachable');
const lab = await startLab({ ...config, distDir: dist });
const chrome = await chromeLauncher.launch({
  chromePath,
  // As in playwright.config.ts: headless, and no calls home (this network refuses them).
  chromeFlags: [
    '--headless=new',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-dev-shm-usage',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-quic',
  ],
  logLevel: 'silent',
});

type Audits = Record<string, { details?: unknown; numericValue?: number } | undefined>;
/** The table rows of one audit's details, or none. */
function items(audits: Audits, id: string): Record<string, unknown>[] {
  const d = audits[id]?.details as { items?: Record<string, unknown>[] } | undefined;
  return d?.items ?? [];
}
/** Where the main thread went while the page loaded (CPU times are after the 4× slowdown). */
function printDetails(page: string, audits: Audits): void {
  const ms = (v: unknown) => (typeof v === 'number' ? v.toFixed(0) : '-').padStart(6);
  const short = (u: unknown) => String(u).replace(/^https?:\/\/[^/]+/, '');
  const out = [`${page}: TBT ${ms(audits['total-blocking-time']?.numericValue)} ms`];
  out.push('  bootup-time (total / script eval / parse+compile ms):');
  for (const i of items(audits, 'bootup-time').slice(0, 8))
    out.push(
      `   ${ms(i['total'])} ${ms(i['scripting'])} ${ms(i['scriptParseCompile'])}  ${short(i['url'])}`,
    );
  out.push('  mainthread-work-breakdown (ms):');
  for (const i of items(audits, 'mainthread-work-breakdown'))
    out.push(`   ${ms(i['duration'])}  ${String(i['groupLabel'] ?? i['group'])}`);
  out.push('  long tasks (start / duration ms):');
  for (const i of items(audits, 'long-tasks'))
    out.push(`   ${ms(i['startTime'])} ${ms(i['duration'])}  ${short(i['url'])}`);
  process.stderr.write(out.join('\n') + '\n');
}

interface Row {
  page: string;
  performance: number;
  accessibility: number;
  fcp: number;
  lcp: number;
  tbt: number;
  cls: number;
  failing: string;
}
const med = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rows: Row[] = [];
try {
  for (const page of pages) {
    const all: Row[] = [];
    for (let i = 0; i < runs; i++) {
      const result = await lighthouse(`http://127.0.0.1:${lab.port}${page}`, {
        port: chrome.port,
        output: 'json',
        logLevel: 'error',
        onlyCategories: ['performance', 'accessibility'],
      });
      if (!result) throw new Error(`Lighthouse returned nothing for ${page}`);
      const { categories, audits, runtimeError } = result.lhr;
      if (runtimeError) throw new Error(`${page}: ${runtimeError.code} ${runtimeError.message}`);
      const score = (id: string) => Math.round((categories[id]?.score ?? 0) * 100);
      const value = (id: string) => audits[id]?.numericValue ?? NaN;
      // The accessibility audits that failed, so a score under 100 says why.
      if (details) printDetails(page, audits);
      const failing = (categories['accessibility']?.auditRefs ?? [])
        .filter((ref) => ref.weight > 0 && audits[ref.id]?.score === 0)
        .map((ref) => ref.id)
        .join(' ');
      all.push({
        page,
        performance: score('performance'),
        accessibility: score('accessibility'),
        fcp: value('first-contentful-paint'),
        lcp: value('largest-contentful-paint'),
        tbt: value('total-blocking-time'),
        cls: value('cumulative-layout-shift'),
        failing,
      });
    }
    const m = (k: 'performance' | 'accessibility' | 'fcp' | 'lcp' | 'tbt' | 'cls') =>
      med(all.map((r) => r[k]));
    const row: Row = {
      page,
      performance: m('performance'),
      accessibility: m('accessibility'),
      fcp: m('fcp'),
      lcp: m('lcp'),
      tbt: m('tbt'),
      cls: m('cls'),
      failing: [...new Set(all.flatMap((r) => (r.failing ? r.failing.split(' ') : [])))].join(' '),
    };
    rows.push(row);
    process.stderr.write(
      `${page}: performance ${row.performance}, accessibility ${row.accessibility}\n`,
    );
  }
} finally {
  chrome.kill();
  await lab.close();
}

const head = [
  'page',
  'perf',
  'a11y',
  'FCP ms',
  'LCP ms',
  'TBT ms',
  'CLS',
  'target',
  'failing a11y audits',
];
const body = rows.map((r) => [
  r.page,
  String(r.performance),
  String(r.accessibility),
  r.fcp.toFixed(0),
  r.lcp.toFixed(0),
  r.tbt.toFixed(0),
  r.cls.toFixed(3),
  r.performance >= TARGET.performance && r.accessibility >= TARGET.accessibility ? 'met' : 'MISSED',
  r.failing || '-',
]);
const w = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
const line = (c: string[]) =>
  c
    .map((x, i) => (i === 0 || i >= 7 ? x.padEnd(w[i]!) : x.padStart(w[i]!)))
    .join('  ')
    .trimEnd();
console.log(
  `Lighthouse ${runs > 1 ? `(median of ${runs} runs) ` : ''}mobile preset, ${chromePath}\n` +
    [line(head), line(w.map((n) => '-'.repeat(n))), ...body.map(line)].join('\n'),
);
