import type { UrlPort } from '../url-state.ts';
import { TRANSPORTS, type Transport } from './table.ts';
import { defaultView, parseView, serializeView, visibleGroups, type RowShape } from './view.ts';

/** Reactive state of the comparison table: chosen columns and the "only differences" switch. */
export class ComparisonTable {
  columns: Transport[] = $state(defaultView().columns);
  onlyDifferences = $state(false);

  // A function, so that the rows (set in the constructor) are read only once the field is used.
  readonly groups = $derived.by(() =>
    visibleGroups(this.#rows, { columns: this.columns, onlyDifferences: this.onlyDifferences }),
  );
  /** The ids of the rows shown, for hiding the others in the page's table. */
  readonly shownIds: readonly string[] = $derived(
    this.groups.flatMap((g) => g.rows.map((r) => r.id)),
  );
  readonly shownRows = $derived(this.shownIds.length);
  readonly totalRows: number;
  readonly totalColumns = TRANSPORTS.length;

  readonly #rows: readonly RowShape[];
  readonly #url: UrlPort | null;

  constructor(rows: readonly RowShape[], url: UrlPort | null = null) {
    this.#rows = rows;
    this.totalRows = rows.length;
    this.#url = url;
  }

  /** Takes the view from the page address (after hydration, so the server HTML matches first). */
  load(search = this.#url?.read() ?? ''): void {
    const view = parseView(search);
    this.columns = view.columns;
    this.onlyDifferences = view.onlyDifferences;
  }

  /** True when a column is shown. */
  has(t: Transport): boolean {
    return this.columns.includes(t);
  }

  /** Shows or hides a column; the last column cannot be hidden. */
  toggle(t: Transport): void {
    if (this.has(t)) {
      if (this.columns.length === 1) return;
      this.columns = this.columns.filter((c) => c !== t);
    } else {
      this.columns = TRANSPORTS.filter((c) => c === t || this.columns.includes(c));
    }
    this.#save();
  }

  /** Turns "show only rows that differ" on or off. */
  setOnlyDifferences(on: boolean): void {
    this.onlyDifferences = on;
    this.#save();
  }

  /** Shows every column again. */
  showAll(): void {
    this.columns = [...TRANSPORTS];
    this.#save();
  }

  #save(): void {
    const view = { columns: this.columns, onlyDifferences: this.onlyDifferences };
    this.#url?.write(serializeView(view, this.#url.read()), 'replace');
  }
}
