// `npm run bench -- <name> [options]`: runs bench/<name>.ts, which prints its own tables.
// Without a name, lists the benchmarks. Loopback only; every benchmark stops by itself.
import { readdirSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import path from 'node:path';

const dir = path.dirname(new URL(import.meta.url).pathname);
const available = readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && f !== 'index.ts' && !f.startsWith('_'))
  .map((f) => f.replace(/\.ts$/, ''))
  .sort();

const name = process.argv[2];
if (!name || !available.includes(name)) {
  process.stderr.write(
    `${name ? `no benchmark named "${name}". ` : ''}Usage: npm run bench -- <name> [options]\n` +
      `Benchmarks: ${available.length ? available.join(', ') : '(none yet)'}\n`,
  );
  process.exit(name ? 2 : 0);
}
process.argv.splice(2, 1);
await import(pathToFileURL(path.join(dir, `${name}.ts`)).href);
