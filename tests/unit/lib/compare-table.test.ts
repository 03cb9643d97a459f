import { readdirSync, readFileSync } from 'node:fs';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { CHAPTERS } from '../../../src/lib/chapters.ts';
import { chapterHref, type ChapterLink } from '../../../src/lib/chapter-links.ts';
import { GROUPS, TRANSPORT_CHAPTER, TRANSPORTS } from '../../../src/lib/compare/table.ts';
import {
  defaultView,
  parseView,
  rowDiffers,
  rowShape,
  serializeView,
  visibleGroups,
} from '../../../src/lib/compare/view.ts';
import { rowSchema } from '../../../src/lib/compare/row-schema.ts';
import { ROWS } from '../../helpers/compare-rows.ts';
import { QUESTION_IDS, QUESTIONS, SCORING } from '../../../src/lib/quiz/questions.ts';
import { compareStrings } from '../../../src/lib/i18n/compare.ts';
import { quizStrings } from '../../../src/lib/i18n/quiz.ts';

const LOCALES = ['zh-CN', 'en'] as const;
const HAN = /[\u4e00-\u9fff]/;

/** The `{/* #id *\/}` heading anchors of a chapter's MDX source in one locale. */
function anchorsOf(chapter: string, locale: 'zh-CN' | 'en'): Set<string> {
  const file = new URL(
    `../../../content/docs/${locale === 'en' ? 'en/' : ''}${chapter}.mdx`,
    import.meta.url,
  );
  const source = readFileSync(file, 'utf8');
  return new Set(
    [...source.matchAll(/^#{2,6} .*\{\/\*\s*#([a-z0-9-]+)\s*\*\/\}\s*$/gm)].map((m) => m[1]!),
  );
}

/** Resolves a site path like `/en/sse/#demo` to a chapter MDX file and checks the anchor. */
function resolves(href: string): boolean {
  const m = /^(\/en)?\/([a-z-]+)\/(?:#([a-z0-9-]+))?$/.exec(href);
  if (!m) return false;
  const [, en, chapter, anchor] = m;
  if (!(CHAPTERS as readonly string[]).includes(chapter!)) return false;
  const anchors = anchorsOf(chapter!, en ? 'en' : 'zh-CN');
  return anchor === undefined || anchors.has(anchor);
}

describe('comparison table data', () => {
  it('has the six columns and at least the guide’s seven rows plus the issue’s extra rows', () => {
    expect(TRANSPORTS).toEqual([
      'short-polling',
      'long-polling',
      'sse',
      'websocket',
      'mqtt',
      'mqtt-ws',
    ]);
    const ids = ROWS.map((r) => r.id);
    const guide = [
      'model',
      'routing',
      'browser',
      'reliability',
      'scalability',
      'reconnect',
      'use-cases',
    ];
    const extra = [
      'direction',
      'transport',
      'overhead',
      'delivery',
      'resume',
      'fanout',
      'proxies',
      'resources',
      'low-bandwidth',
      'spec',
      'typical-scale',
      'tooling',
    ];
    expect(ids).toEqual(expect.arrayContaining([...guide, ...extra]));
    expect(
      ROWS.filter((r) => r.fromGuide)
        .map((r) => r.id)
        .sort(),
    ).toEqual([...guide].sort());
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of ROWS) expect(GROUPS).toContain(r.group);
  });

  it('reads one file per row, in a stable order, and rejects a malformed row', () => {
    const files = readdirSync(new URL('../../../content/compare/', import.meta.url));
    expect(
      files
        .filter((f) => f.endsWith('.yaml'))
        .map((f) => f.slice(0, -5))
        .sort(),
    ).toEqual(ROWS.map((r) => r.id).sort());
    const good = yaml.load(
      readFileSync(new URL('../../../content/compare/model.yaml', import.meta.url), 'utf8'),
    ) as { order: number; cells: Record<string, Record<string, unknown>> };
    expect(rowSchema.safeParse(good).success).toBe(true);
    const orders = readdirSync(new URL('../../../content/compare/', import.meta.url)).map(
      (f) =>
        (
          yaml.load(
            readFileSync(new URL(`../../../content/compare/${f}`, import.meta.url), 'utf8'),
          ) as { order: number }
        ).order,
    );
    expect(new Set(orders).size).toBe(orders.length);
    const fiveCells = { ...good.cells };
    delete fiveCells['sse'];
    expect(rowSchema.safeParse({ ...good, cells: fiveCells }).success).toBe(false);
    const badLevel = { ...good.cells['sse'], level: 'great' };
    expect(rowSchema.safeParse({ ...good, cells: { ...good.cells, sse: badLevel } }).success).toBe(
      false,
    );
    const untranslated = { ...good.cells['sse'], why: { en: 'only English' } };
    expect(
      rowSchema.safeParse({ ...good, cells: { ...good.cells, sse: untranslated } }).success,
    ).toBe(false);
  });

  it('fills every cell in both locales: verdict, why, source and a link', () => {
    for (const row of ROWS) {
      for (const locale of LOCALES) expect(row.label[locale].trim(), row.id).not.toBe('');
      expect(HAN.test(row.label['zh-CN']), `${row.id} zh label`).toBe(true);
      for (const t of TRANSPORTS) {
        const cell = row.cells[t];
        const where = `${row.id}/${t}`;
        expect(cell, where).toBeDefined();
        for (const locale of LOCALES) {
          expect(cell.verdict[locale].trim(), `${where} verdict ${locale}`).not.toBe('');
          expect(cell.why[locale].trim(), `${where} why ${locale}`).not.toBe('');
        }
        // The two locales really are two languages, not a copy left untranslated.
        expect(HAN.test(cell.why['zh-CN']), `${where} zh why`).toBe(true);
        expect(HAN.test(cell.why.en), `${where} en why`).toBe(false);
        expect(cell.source.trim(), `${where} source`).not.toBe('');
        expect(cell.link.chapter, `${where} link`).toBe(TRANSPORT_CHAPTER[t]);
      }
    }
  });

  it('carries the guide’s corrections instead of its errors', () => {
    const cell = (row: string, t: (typeof TRANSPORTS)[number]) =>
      ROWS.find((r) => r.id === row)!.cells[t];
    // Error 3: a live WebSocket connection neither loses nor reorders frames.
    expect(cell('reliability', 'websocket').level).toBe('good');
    expect(cell('delivery', 'websocket').level).toBe('poor');
    // Error 1: QoS 1 across a disconnect needs a persistent session and a stable client id.
    expect(cell('delivery', 'mqtt').verdict.en).toMatch(/persistent session/);
    expect(cell('delivery', 'mqtt').verdict.en).toMatch(/client id/);
    // Error 2: reconnecting is the client library's job.
    expect(cell('reconnect', 'mqtt').verdict.en).toMatch(/library/);
    // Error 5: both hold one connection per client.
    expect(cell('scalability', 'websocket').verdict.en).toMatch(/one TCP connection per client/i);
    // Error 6 and 7.
    expect(cell('transport', 'long-polling').why.en).toMatch(/several messages/);
    expect(cell('reconnect', 'sse').level).toBe('good');
    expect(cell('proxies', 'sse').verdict.en).toMatch(/HTTP\/2/);
    // Error 8: MQTT over WebSocket uses the subprotocol "mqtt".
    expect(cell('transport', 'mqtt-ws').why.en).toMatch(/subprotocol is "mqtt"/);
    const corrected = new Set(ROWS.flatMap((r) => Object.values(r.cells).map((c) => c.corrects)));
    for (const n of [1, 2, 3, 4, 5, 6, 7, 8, 9]) expect(corrected, `error ${n}`).toContain(n);
  });

  it('links every cell to a page and anchor that exist, in both locales', () => {
    for (const row of ROWS) {
      for (const t of TRANSPORTS) {
        for (const locale of LOCALES) {
          const href = chapterHref(row.cells[t].link, locale);
          expect(resolves(href), `${row.id}/${t}: ${href}`).toBe(true);
        }
      }
    }
  });

  it('links the quiz reasons and chapter headers to pages that exist', () => {
    const links: ChapterLink[] = [
      { chapter: 'comparison', anchor: 'table' },
      { chapter: 'choosing', anchor: 'quiz' },
      ...TRANSPORTS.map((t) => ({ chapter: TRANSPORT_CHAPTER[t], anchor: '' })),
    ];
    for (const link of links)
      for (const locale of LOCALES) expect(resolves(chapterHref(link, locale))).toBe(true);
  });

  it('builds locale-prefixed links and rejects a missing anchor', () => {
    expect(chapterHref({ chapter: 'sse', anchor: 'demo' }, 'en')).toBe('/en/sse/#demo');
    expect(chapterHref({ chapter: 'sse', anchor: 'demo' }, 'zh-CN')).toBe('/sse/#demo');
    expect(resolves('/sse/#no-such-section')).toBe(false);
    expect(resolves('/en/no-such-chapter/#demo')).toBe(false);
  });
});

describe('comparison table view', () => {
  it('round-trips the chosen columns and the differences switch through the URL', () => {
    const view = { columns: ['sse', 'websocket'] as const, onlyDifferences: true };
    const search = serializeView({ ...view, columns: [...view.columns] });
    expect(search).toBe('cols=sse,websocket&diff=1');
    expect(parseView(`?${search}`)).toEqual({
      columns: ['sse', 'websocket'],
      onlyDifferences: true,
    });
    expect(serializeView(defaultView())).toBe('');
  });

  it('falls back to all columns for an empty or bogus list and keeps table order', () => {
    expect(parseView('?cols=nope').columns).toEqual([...TRANSPORTS]);
    expect(parseView('?cols=mqtt,sse').columns).toEqual(['sse', 'mqtt']);
  });

  it('gives two cells the same mark exactly when they agree, on every row and pair', () => {
    for (const row of ROWS) {
      const shape = rowShape(row);
      for (const a of TRANSPORTS)
        for (const b of TRANSPORTS) {
          const ca = row.cells[a];
          const cb = row.cells[b];
          const agree =
            ca.level === cb.level && (ca.level !== 'info' || ca.verdict.en === cb.verdict.en);
          expect(shape.marks[a] === shape.marks[b], `${row.id} ${a}/${b}`).toBe(agree);
          // The marks carry ratings only, never a verdict's text.
          expect(shape.marks[a]).toMatch(/^(good|partial|poor|info:\d+)$/);
        }
    }
  });

  it('hides rows on which the chosen columns agree, and only those', () => {
    const columns = ['mqtt', 'mqtt-ws'] as ('mqtt' | 'mqtt-ws')[];
    const shapes = ROWS.map(rowShape);
    const all = visibleGroups(shapes, { columns, onlyDifferences: false }).flatMap((g) => g.rows);
    const diff = visibleGroups(shapes, { columns, onlyDifferences: true }).flatMap((g) => g.rows);
    expect(all).toHaveLength(ROWS.length);
    expect(diff.length).toBeGreaterThan(0);
    expect(diff.length).toBeLessThan(ROWS.length);
    for (const row of diff) expect(rowDiffers(row, columns)).toBe(true);
    // MQTT over TCP and over WebSocket differ on browser support but share QoS.
    expect(diff.map((r) => r.id)).toContain('browser');
    expect(diff.map((r) => r.id)).not.toContain('reliability');
  });
});

describe('quiz and table dictionaries', () => {
  it('have the same keys, all non-empty, in both locales', () => {
    const dicts: Record<'zh-CN' | 'en', Record<string, string>>[] = [compareStrings, quizStrings];
    for (const dict of dicts) {
      expect(Object.keys(dict.en).sort()).toEqual(Object.keys(dict['zh-CN']).sort());
      for (const locale of LOCALES)
        for (const value of Object.values(dict[locale])) expect(value.trim()).not.toBe('');
    }
  });

  it('label every question and answer of the scoring table', () => {
    for (const q of QUESTION_IDS) {
      for (const locale of LOCALES) {
        expect(quizStrings[locale][`q.${q}`]).toBeTruthy();
        for (const a of QUESTIONS[q]) {
          const key = `a.${q}.${a}` as keyof (typeof quizStrings)['en'];
          expect(quizStrings[locale][key], `${locale} ${key}`).toBeTruthy();
          expect(`${q}.${a}` in SCORING).toBe(true);
        }
      }
    }
  });
});
