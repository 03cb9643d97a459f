import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  assertCheckedVersions,
  CHECKED_VERSIONS,
  INTERNALS,
  installedVersions,
  versionMismatches,
} from '../../../../server/broker/patches/internals.ts';

const root = new URL('../../../../', import.meta.url);
const json = (file: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(file, root), 'utf8')) as Record<string, unknown>;

describe('the versions the broker patches were checked against', () => {
  it('are pinned exactly in package.json, as run-time dependencies', () => {
    const deps = json('package.json')['dependencies'] as Record<string, string>;
    for (const [pkg, version] of Object.entries(CHECKED_VERSIONS)) expect(deps[pkg]).toBe(version);
  });

  it('are the only copies in package-lock.json, so npm ci installs this tree', () => {
    const packages = json('package-lock.json')['packages'] as Record<string, { version: string }>;
    for (const [pkg, version] of Object.entries(CHECKED_VERSIONS)) {
      const copies = Object.keys(packages).filter((k) => k.endsWith(`node_modules/${pkg}`));
      expect(copies).toEqual([`node_modules/${pkg}`]);
      expect(packages[`node_modules/${pkg}`]!.version).toBe(version);
    }
  });

  it('are the installed ones, and start-up passes', () => {
    expect(installedVersions()).toEqual(CHECKED_VERSIONS);
    expect(() => assertCheckedVersions()).not.toThrow();
  });

  it('fail start-up with what differs and every internal relied on', () => {
    const installed = { ...CHECKED_VERSIONS, 'mqtt-packet': '9.1.0', mqemitter: undefined };
    expect(versionMismatches(installed)).toEqual([
      'mqemitter installed nowhere, checked 7.1.0',
      'mqtt-packet installed 9.1.0, checked 9.0.2',
    ]);
    let message = '';
    try {
      assertCheckedVersions(installed);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('mqtt-packet installed 9.1.0, checked 9.0.2');
    for (const internal of INTERNALS) expect(message).toContain(internal.name);
  });
});
