// What the comparison table shows for a choice of columns, and how that choice is written in the
// page URL (`?cols=sse,websocket&diff=1`) so that a comparison can be shared as a link.

import { GROUPS, ROWS, TRANSPORTS, type Group, type Row, type Transport } from './table.ts';

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
 * True when the chosen columns do not all get the same rating on this row. Descriptive rows
 * (level `info`) have no rating, so there the verdicts themselves are compared.
 */
export function rowDiffers(row: Row, columns: readonly Transport[]): boolean {
  const first = columns[0];
  if (first === undefined) return false;
  const a = row.cells[first];
  return columns.some((t) => {
    const b = row.cells[t];
    return b.level !== a.level || (a.level === 'info' && b.verdict.en !== a.verdict.en);
  });
}

/** The groups and rows to show for a view, in display order, leaving out empty groups. */
export function visibleGroups(view: TableView): { group: Group; rows: Row[] }[] {
  return GROUPS.map((group) => ({
    group,
    rows: ROWS.filter(
      (r) =>
        r.group === group &&
        (!view.onlyDifferences || view.columns.length < 2 || rowDiffers(r, view.columns)),
    ),
  })).filter((g) => g.rows.length > 0);
}
