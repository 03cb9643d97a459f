// Astro integration: after a build, writes .br and .gz beside every compressible file in dist/,
// so the companion server sends compressed files without compressing on each request (a
// workshop of 300 attendees loading the same pages at once).
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { AstroIntegration } from 'astro';

const COMPRESSIBLE = new Set([
  '.html',
  '.js',
  '.mjs',
  '.css',
  '.svg',
  '.json',
  '.xml',
  '.txt',
  '.map',
]);
// Below this size compression saves less than the extra header costs.
const MIN_BYTES = 1024;

async function* walk(dir: string): AsyncGenerator<string> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(full);
    else yield full;
  }
}

/** Writes `file.br` and `file.gz` for every compressible file of at least 1 KiB under `dir`. */
export async function precompressDir(
  dir: string,
): Promise<{ files: number; bytes: number; br: number }> {
  let files = 0;
  let bytes = 0;
  let br = 0;
  for await (const file of walk(dir)) {
    if (!COMPRESSIBLE.has(path.extname(file))) continue;
    if ((await stat(file)).size < MIN_BYTES) continue;
    const body = await readFile(file);
    const brotli = brotliCompressSync(body, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: 11,
        [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
      },
    });
    await writeFile(`${file}.br`, brotli);
    await writeFile(`${file}.gz`, gzipSync(body, { level: 9 }));
    files += 1;
    bytes += body.length;
    br += brotli.length;
  }
  return { files, bytes, br };
}

/** The integration: runs `precompressDir` on the build output. */
export function precompress(): AstroIntegration {
  return {
    name: 'realtime-lab:precompress',
    hooks: {
      'astro:build:done': async ({ dir, logger }) => {
        const r = await precompressDir(fileURLToPath(dir));
        logger.info(`compressed ${r.files} files: ${r.bytes} B → ${r.br} B with brotli`);
      },
    },
  };
}
