// `npm run test:aedes-redis`: Aedes' own suite on the lab's Redis mode (mqemitter-redis and
// aedes-persistence-redis, as with `--redis-url`), run twice side by side, each on a
// redis-server of its own: stock Aedes, and the broker as the lab builds it. Many upstream
// tests assume the in-memory emitter and persistence (their timing, their errors, their
// order) and fail on Redis whoever builds the broker; what this checks is that the lab's
// patches add no failure there beyond the deliberate ones listed for the in-memory run
// (aedes-exceptions.ts). A test failing only with the lab's patches is run again alone, both
// ways, before it counts. Not part of `npm test`: on Redis, the failing upstream tests wait
// for their time-outs, which takes minutes. Prints the comparison; exits 1 on a new failure.
import { fileURLToPath } from 'node:url';
import { EXPECTED_FAILURES } from './aedes-exceptions.ts';
import { keyOf, runUpstream, type Result } from './run.ts';
import { startTestRedis } from '../helpers/redis.ts';

const onRedis = fileURLToPath(new URL('./aedes-on-redis.ts', import.meta.url));
const asLab = fileURLToPath(new URL('./aedes-as-lab.ts', import.meta.url));
const TIMEOUT_MS = 15_000;

const [stockRedis, labRedis] = await Promise.all([startTestRedis(), startTestRedis()]);
const started = performance.now();
try {
  const run = (lab: boolean, url: string, only?: Result[]) =>
    runUpstream({
      preloads: lab ? [asLab] : [onRedis],
      env: { LAB_AEDES_REDIS: url },
      testTimeoutMs: TIMEOUT_MS,
      ...(only ? { only } : {}),
    });
  const [stock, lab] = await Promise.all([run(false, stockRedis.url), run(true, labRedis.url)]);
  const failing = (rs: Result[]) => new Set(rs.filter((r) => r.outcome === 'fail').map(keyOf));
  const stockFails = failing(stock);
  const labFails = failing(lab);
  const listed = new Set(EXPECTED_FAILURES.map(keyOf));
  const count = (rs: Result[], o: Result['outcome']) => rs.filter((r) => r.outcome === o).length;
  console.log(`Aedes' suite on Redis (${((performance.now() - started) / 1000).toFixed(0)} s)`);
  console.log('build                 pass  fail  skip');
  for (const [name, rs] of [
    ['stock Aedes', stock],
    ['as the lab builds it', lab],
  ] as const) {
    const row = [count(rs, 'pass'), count(rs, 'fail'), count(rs, 'skip')];
    console.log(`${name.padEnd(20)}  ${row.map((n) => String(n).padStart(4)).join('  ')}`);
  }
  console.log(`failing in both: ${[...labFails].filter((k) => stockFails.has(k)).length}`);
  const onlyLab = lab.filter((r) => r.outcome === 'fail' && !stockFails.has(keyOf(r)));
  const deliberate = onlyLab.filter((r) => listed.has(keyOf(r)));
  for (const r of deliberate) console.log(`lab only, listed for the in-memory run: ${keyOf(r)}`);
  for (const k of stockFails)
    if (!labFails.has(k)) console.log(`stock only (passed with the lab's patches): ${k}`);
  // The rest runs again alone, both ways: a new failure is one the lab's build fails and stock
  // Aedes passes, in that second run too.
  const suspects = onlyLab.filter((r) => !listed.has(keyOf(r)));
  const fresh: string[] = [];
  if (suspects.length > 0) {
    const [stock2, lab2] = await Promise.all([
      run(false, stockRedis.url, suspects),
      run(true, labRedis.url, suspects),
    ]);
    const passed = (rs: Result[], k: string) =>
      rs.some((r) => keyOf(r) === k && r.outcome === 'pass');
    for (const r of suspects) {
      const k = keyOf(r);
      const verdict = passed(lab2, k)
        ? 'passed alone'
        : passed(stock2, k)
          ? 'NEW'
          : 'fails alone in both';
      console.log(`lab only in the full run, ${verdict}: ${k}${r.error ? ` (${r.error})` : ''}`);
      if (verdict === 'NEW') fresh.push(k);
    }
  }
  console.log(
    fresh.length === 0
      ? 'no failure of the lab build beyond stock Aedes and the listed ones'
      : `${fresh.length} new`,
  );
  process.exitCode = fresh.length === 0 ? 0 : 1;
} finally {
  await Promise.all([stockRedis.stop(), labRedis.stop()]);
}
