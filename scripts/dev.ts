// `npm run dev`: Astro's dev server (hot reload) on :4321 and the companion server on :4322,
// restarted on change. Astro proxies /api, /mqtt and /ws/ to it (see astro.config.mjs).
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';

const apiPort = process.env['LAB_API_PORT'] ?? '4322';
const sitePort = process.env['PORT'] ?? '4321';
const require = createRequire(import.meta.url);
const astroBin = path.join(path.dirname(require.resolve('astro/package.json')), 'bin/astro.mjs');
const env = { ...process.env, LAB_API_PORT: apiPort, ASTRO_TELEMETRY_DISABLED: '1' };

const children: ChildProcess[] = [
  spawn(
    process.execPath,
    [
      '--watch-path=server',
      '--watch-path=src/lib/wire',
      'server/cli.ts',
      '--no-site',
      '--port',
      apiPort,
      '--allow-origin',
      `http://localhost:${sitePort}`,
    ],
    { stdio: 'inherit', env: { ...env, PORT: '' } },
  ),
  spawn(process.execPath, [astroBin, 'dev', '--port', sitePort, '--host'], {
    stdio: 'inherit',
    env,
  }),
];

let stopping = false;
function stop(code: number): void {
  if (stopping) return;
  stopping = true;
  for (const child of children) child.kill('SIGTERM');
  setTimeout(() => process.exit(code), 2000).unref();
}
for (const child of children) child.on('exit', (code) => stop(code ?? 0));
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
