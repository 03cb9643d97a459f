// Build-time access to the `compare` content collection, for .astro components only (it needs
// `astro:content`); islands get just the parts of the rows they show, in their page's locale.
import { getCollection } from 'astro:content';
import { tableRows } from './row-schema.ts';
import type { Row } from './table.ts';

/** Every row of the comparison table, in display order. */
export async function compareRows(): Promise<Row[]> {
  return tableRows(await getCollection('compare'));
}
