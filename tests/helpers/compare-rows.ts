// The comparison table's rows read straight from content/compare/*.yaml, with the parser and schema
// the `compare` content collection uses, for tests that run outside Astro (vitest, Playwright).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';
import { rowSchema, tableRows } from '../../src/lib/compare/row-schema.ts';
import type { Row } from '../../src/lib/compare/table.ts';

// A path, not a URL: happy-dom's own URL class (in the svelte test project) is no file URL to Node.
const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../content/compare');

/** Every row file, validated; a file that breaks the schema throws with its name. */
export function readRows(): Row[] {
  const entries = readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((file) => {
      const parsed = rowSchema.safeParse(yaml.load(readFileSync(path.join(dir, file), 'utf8')));
      if (!parsed.success) throw new Error(`${file}: ${parsed.error.message}`);
      return { id: file.replace(/\.yaml$/, ''), data: parsed.data };
    });
  return tableRows(entries);
}

/** The table's rows, in display order. */
export const ROWS: readonly Row[] = readRows();

/** Finds a row by id. */
export function rowById(id: string): Row | undefined {
  return ROWS.find((r) => r.id === id);
}
