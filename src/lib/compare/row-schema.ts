// The schema of one row of the comparison table, as written in content/compare/<row id>.yaml. The
// `compare` content collection validates every file with it at build time, and the unit tests read
// the same files through it, so the table, the quiz and the tests all see one set of rows.
//
// The guide's seven rows (model, routing, browser, reliability, scalability, reconnect, use cases)
// are kept and corrected as /work/shared/seed/README.md asks (its errors 1-9); the `corrects` field
// of a cell names the guide error it fixes. Byte counts come from the specs' framing rules, not from
// a benchmark; the `source` of each cell says which.

import { z } from 'astro/zod';
import { GROUPS, LEVELS, TRANSPORT_CHAPTER, TRANSPORTS, type Cell, type Row } from './table.ts';

const text = z.string().trim().min(1);
const localized = z.strictObject({ 'zh-CN': text, en: text });

const cellSchema = z.strictObject({
  level: z.enum(LEVELS),
  verdict: localized,
  why: localized,
  /** The spec section or measurement behind the verdict. */
  source: text,
  /** A `{/* #anchor *\/}` heading of the column's chapter, where the course shows it. */
  anchor: z.string().regex(/^[a-z0-9-]+$/),
  /** The guide error (numbered in the seed README) this cell corrects. */
  corrects: z.number().int().min(1).max(9).optional(),
});

/** One row file: its place in the table, its group, its label and one cell per column. */
export const rowSchema = z.strictObject({
  /** Display order across the whole table (rows of a group are shown together, in this order). */
  order: z.number().int().nonnegative(),
  group: z.enum(GROUPS),
  /** True for the rows of the guide's own table. */
  fromGuide: z.boolean(),
  label: localized,
  cells: z.strictObject(
    Object.fromEntries(TRANSPORTS.map((t) => [t, cellSchema])) as Record<
      (typeof TRANSPORTS)[number],
      typeof cellSchema
    >,
  ),
});

/** A row file's contents, after validation. */
export type RowData = z.infer<typeof rowSchema>;

/** Turns a validated row file into a table row; the cells link into their column's chapter. */
export function toRow(id: string, data: RowData): Row {
  const cells = {} as Record<(typeof TRANSPORTS)[number], Cell>;
  for (const t of TRANSPORTS) {
    const { anchor, corrects, ...rest } = data.cells[t];
    cells[t] = {
      ...rest,
      link: { chapter: TRANSPORT_CHAPTER[t], anchor },
      ...(corrects === undefined ? {} : { corrects }),
    };
  }
  return { id, group: data.group, label: data.label, fromGuide: data.fromGuide, cells };
}

/** The table's rows from its validated files, in display order: by group, then by `order`. */
export function tableRows(entries: readonly { id: string; data: RowData }[]): Row[] {
  return [...entries]
    .sort(
      (a, b) =>
        GROUPS.indexOf(a.data.group) - GROUPS.indexOf(b.data.group) || a.data.order - b.data.order,
    )
    .map((e) => toRow(e.id, e.data));
}
