import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

// Everything that goes into the built site; a change to any of it makes dist/ stale.
const SOURCES = ['content', 'src', 'public', 'astro.config.mjs', 'package.json', 'tsconfig.json'];

function newestMtime(entry: string): number {
  if (!existsSync(entry)) return 0;
  const st = statSync(entry);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const name of readdirSync(entry))
    newest = Math.max(newest, newestMtime(path.join(entry, name)));
  return newest;
}

/** True when `distDir` has no built site or any source is newer than it. */
export function siteIsStale(rootDir: string, distDir: string): boolean {
  const marker = path.join(distDir, 'index.html');
  if (!existsSync(marker)) return true;
  const built = statSync(marker).mtimeMs;
  return SOURCES.some((s) => newestMtime(path.join(rootDir, s)) > built);
}

/** Runs `astro build` in `rootDir`, streaming its output; rejects if it fails. */
export async function buildSite(rootDir: string): Promise<void> {
  const require = createRequire(path.join(rootDir, 'package.json'));
  const astroBin = path.join(path.dirname(require.resolve('astro/package.json')), 'bin/astro.mjs');
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [astroBin, 'build'], { cwd: rootDir, stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`astro build exited with code ${code}`)),
    );
  });
}
