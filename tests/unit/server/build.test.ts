import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { siteIsStale } from '../../../server/build.ts';

let root: string;
afterEach(() => rmSync(root, { recursive: true, force: true }));

function touch(file: string, secondsAgo: number): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, 'x');
  const t = new Date(Date.now() - secondsAgo * 1000);
  utimesSync(file, t, t);
}

describe('siteIsStale', () => {
  it('is stale when nothing was built yet', () => {
    root = mkdtempSync(path.join(tmpdir(), 'lab-build-'));
    touch(path.join(root, 'content/docs/a.mdx'), 100);
    expect(siteIsStale(root, path.join(root, 'dist'))).toBe(true);
  });

  it('is fresh when the build is newer than every source', () => {
    root = mkdtempSync(path.join(tmpdir(), 'lab-build-'));
    touch(path.join(root, 'content/docs/a.mdx'), 100);
    touch(path.join(root, 'src/lib/x.ts'), 90);
    // Newer than the folders too, whose times change when files are added (or removed).
    touch(path.join(root, 'dist/index.html'), -10);
    expect(siteIsStale(root, path.join(root, 'dist'))).toBe(false);
  });

  it('is stale when a chapter or a source file changed after the build', () => {
    root = mkdtempSync(path.join(tmpdir(), 'lab-build-'));
    touch(path.join(root, 'dist/index.html'), 50);
    touch(path.join(root, 'content/docs/en/deep/b.mdx'), 5);
    expect(siteIsStale(root, path.join(root, 'dist'))).toBe(true);
  });
});
