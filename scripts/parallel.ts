// Runs npm scripts at the same time and fails if any fails: `node scripts/parallel.ts check lint`.
// On the 2-core CI machine the type checks and the linter took 71 s and 90 s one after the other,
// 140 s side by side: together they still leave part of a core idle, which the unit tests use
// (they read neither dist/ nor the generated types, so they need not wait). Each script's output is
// held back and printed whole when it ends, so the two never interleave. `npm test` runs
// `astro sync` first: the linter needs the content-collection types that the type check would
// otherwise be generating at the same moment.
import { spawn } from 'node:child_process';

/** What one script printed, and how it ended. */
interface Outcome {
  name: string;
  code: number;
  output: string;
  seconds: number;
}

function runScript(name: string): Promise<Outcome> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn('npm', ['run', '--silent', name], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, FORCE_COLOR: process.env['FORCE_COLOR'] ?? '1' },
    });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => chunks.push(d));
    child.stderr.on('data', (d: Buffer) => chunks.push(d));
    child.on('close', (code, signal) =>
      resolve({
        name,
        code: code ?? (signal ? 1 : 0),
        output: Buffer.concat(chunks).toString('utf8'),
        seconds: (Date.now() - started) / 1000,
      }),
    );
  });
}

const names = process.argv.slice(2);
if (names.length === 0) {
  process.stderr.write('usage: node scripts/parallel.ts <npm script> [<npm script>…]\n');
  process.exit(2);
}
const outcomes = await Promise.all(
  names.map((n) =>
    runScript(n).then((o) => {
      process.stdout.write(`\n── npm run ${o.name} (${o.seconds.toFixed(0)} s, exit ${o.code})\n`);
      process.stdout.write(o.output);
      return o;
    }),
  ),
);
const failed = outcomes.filter((o) => o.code !== 0);
if (failed.length > 0) {
  process.stderr.write(`\nfailed: ${failed.map((o) => `npm run ${o.name}`).join(', ')}\n`);
  process.exit(1);
}
