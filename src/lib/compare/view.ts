// What the comparison table shows for a choice of columns, and how that choice is written in the
// page URL (`?cols=sse,websocket&diff=1`) so that a comparison can be shared as a link.

import type { ChapterLink } from '../chapter-links.ts';
import type { Locale } from '../i18n/index.ts';
import {
  GROUPS,
  TRANSPORT_NAMES,
  TRANSPORTS,
  type Group,
  type Row,
  type Transport,
} from './table.ts';

/** The reader's choices: which columns, and whether rows where they all agree are hidden. */
export interface TableView {
  columns: Transport[];
  onlyDifferences: boolean;
}

/** The view a page opens with: every column, every row. */
export function defaultView(): TableView {
  return { columns: [...TRANSPORTS], onlyDifferences: false };
}

function isTransport(value: string): value is Transport {
  return (TRANSPORTS as readonly string[]).includes(value);
}

/** Reads a view from a query string; unknown or empty column lists fall back to all columns. */
export function parseView(search: string): TableView {
  const params = new URLSearchParams(search);
  const wanted = (params.get('cols') ?? '').split(',').filter(isTransport);
  // Keep the table's own column order whatever order the link lists them in.
  const columns = TRANSPORTS.filter((t) => wanted.includes(t));
  return {
    columns: columns.length > 0 ? columns : [...TRANSPORTS],
    onlyDifferences: params.get('diff') === '1',
  };
}

/** Writes a view into a query string (without `?`); the default view is the empty string. */
export function serializeView(view: TableView, search = ''): string {
  const params = new URLSearchParams(search);
  params.delete('cols');
  params.delete('diff');
  const all = view.columns.length === TRANSPORTS.length;
  if (!all) params.set('cols', TRANSPORTS.filter((t) => view.columns.includes(t)).join(','));
  if (view.onlyDifferences) params.set('diff', '1');
  // URLSearchParams encodes the comma; the list is easier to read and share without that.
  return params.toString().replace(/%2C/gi, ',');
}

/**
 * What the page's controls need of a row to hide or show it: its id, its group, and per column a
 * mark that is equal where two cells agree. Rated cells agree on their level; descriptive cells
 * (level `info`) have no rating, so there the verdicts themselves are compared (by the English
 * text, the same in every locale). No prose goes to the browser this way.
 */
export interface RowShape {
  id: string;
  group: Group;
  marks: Record<Transport, string>;
}

/** The shape of a table row, for the controls. */
export function rowShape(row: Row): RowShape {
  const verdicts: string[] = [];
  const marks = {} as Record<Transport, string>;
  for (const t of TRANSPORTS) {
    const { level, verdict } = row.cells[t];
    if (level !== 'info') {
      marks[t] = level;
      continue;
    }
    if (!verdicts.includes(verdict.en)) verdicts.push(verdict.en);
    marks[t] = `info:${verdicts.indexOf(verdict.en)}`;
  }
  return { id: row.id, group: row.group, marks };
}

/** True when the chosen columns do not all agree on this row. */
export function rowDiffers(row: RowShape, columns: readonly Transport[]): boolean {
  const first = columns[0];
  if (first === undefined) return false;
  return columns.some((t) => row.marks[t] !== row.marks[first]);
}

/** The groups and rows to show for a view, in display order, leaving out empty groups. */
export function visibleGroups(
  rows: readonly RowShape[],
  view: TableView,
): { group: Group; rows: RowShape[] }[] {
  return GROUPS.map((group) => ({
    group,
    rows: rows.filter(
      (r) =>
        r.group === group &&
        (!view.onlyDifferences || view.columns.length < 2 || rowDiffers(r, view.columns)),
    ),
  })).filter((g) => g.rows.length > 0);
}

/** A row as the quiz cites it, in the page's locale only: its label, and per column the verdict. */
export interface CitedRow {
  label: string;
  cells: Record<Transport, { verdict: string; link: ChapterLink }>;
}

/** The rows the quiz may cite, by id, in one locale (the quiz island gets nothing more of them). */
export function citedRows(rows: readonly Row[], locale: Locale): Record<string, CitedRow> {
  const out: Record<string, CitedRow> = {};
  for (const row of rows) {
    const cells = {} as CitedRow['cells'];
    for (const t of TRANSPORTS)
      cells[t] = { verdict: row.cells[t].verdict[locale], link: row.cells[t].link };
    out[row.id] = { label: row.label[locale], cells };
  }
  return out;
}

/** The column names in one locale. */
export function columnNames(locale: Locale): Record<Transport, string> {
  const names = {} as Record<Transport, string>;
  for (const t of TRANSPORTS) names[t] = TRANSPORT_NAMES[t][locale];
  return names;
}
