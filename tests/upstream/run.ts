/** Runs Aedes' own test suite (node_modules/aedes/test) in one child process, with preloads. */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SKIPPED, SKIPPED_FILES } from './aedes-exceptions.ts';

const here = fileURLToPath(new URL('./', import.meta.url));
const aedesDir = fileURLToPath(new URL('../../node_modules/aedes/', import.meta.url));

/** One upstream test's outcome, as tests/upstream/reporter.ts prints it. */
export interface Result {
  file: string;
  name: string;
  outcome: 'pass' | 'fail' | 'skip';
  error?: string;
}

/** How to run the suite. */
export interface RunOptions {
  /** Modules preloaded with `--import` (default: the broker as the lab builds it). */
  preloads?: string[];
  /** Extra environment (LAB_AEDES_TRANSPORT, LAB_AEDES_REDIS). */
  env?: Record<string, string>;
  /** Only these tests (by file and name). */
  only?: Result[];
  /** Each test's time-out (default 90 s). */
  testTimeoutMs?: number;
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `file :: name`, the key the exception lists use. */
export const keyOf = (r: { file: string; name: string }): string => `${r.file} :: ${r.name}`;

/** Runs the suite but the skipped files and tests; resolves with every test's outcome. */
export function runUpstream(opts: RunOptions = {}): Promise<Result[]> {
  const { only } = opts;
  const preloads = opts.preloads ?? [`${here}aedes-as-lab.ts`];
  const files = readdirSync(`${aedesDir}test`)
    .filter((f) => /\.(js|cjs)$/.test(f) && f !== 'helper.js')
    .filter((f) => !SKIPPED_FILES.some((s) => s.file === f))
    .filter((f) => !only || only.some((r) => r.file === f))
    .map((f) => `test/${f}`);
  const args = [
    ...preloads.flatMap((p) => ['--import', p]),
    '--test',
    // One process for all files: the preload's start-up is paid once, not per file.
    '--experimental-test-isolation=none',
    // A test that times out leaves its broker and clients open, and the process would then
    // never exit: end it once every test has reported.
    '--test-force-exit',
    `--test-reporter=${here}reporter.ts`,
    // Generous: the heaviest upstream tests (10,000 messages) are slow on a loaded machine.
    `--test-timeout=${opts.testTimeoutMs ?? 90_000}`,
    ...SKIPPED.map((s) => `--test-skip-pattern=^${escape(s.name)}$`),
    ...(only ?? []).map((r) => `--test-name-pattern=^${escape(r.name)}$`),
    ...files,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: aedesDir,
      env: { ...process.env, LAB_AEDES_TRANSPORT: 'tcp', ...opts.env, NODE_OPTIONS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.on('error', reject);
    child.on('close', () => {
      const results = out
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Result);
      if (results.length === 0) reject(new Error(`no results from Aedes' suite:\n${err}`));
      else resolve(results);
    });
  });
}
