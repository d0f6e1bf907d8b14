// 9. Starts: how fast a dyno serves after the platform is asked for it, beside a bare `runc run`
// of the same app measured in the same run (issue 12, item 5). Its own platform and app (the
// Node.js fixture, `npm start`, as the dyno-start section's), then, each `repeats` times:
//   - cold start: the app scaled to zero (a monitor with min 0) → one request through the router
//     → its 200 (the router holds it, wakes the app, the dyno starts and answers it);
//   - single start: PATCH formation web=1 → first 200 through the router;
//   - web=10: PATCH formation web=10 → ten distinct dynos answered through the router;
// against bare `runc run`s (runc-driver isolation, host network, no platform) of the same command
// from the same slug: one → its first 200, ten at once → all answering. Where each start's time
// went comes from the platform's own `dyno.start_timeline` lines (median per step).
import { mkdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { fixtureCheckout } from '../lib/fixture.mjs';
import { startPlatform } from '../lib/platform.mjs';
import { freePort, httpGet, run, sleep, waitFor } from '../lib/proc.mjs';
import { difference, notMeasured, ratio } from '../lib/ratio.mjs';
import { allServing, firstServed } from '../lib/serving.mjs';
import { round, summarize } from '../lib/stats.mjs';
import { dynosGone, scaleWeb, SERVER_JS } from '../lib/start-app.mjs';

const APP = 'bench-starts';
const scale = (platform, quantity) => scaleWeb(platform, APP, quantity);
const gone = (platform) => dynosGone(platform, APP, 90_000);

async function unpackSlug(scope, platform) {
  const rels = await platform.api('GET', `/apps/${APP}/releases`);
  const rel = [...rels.body].filter((r) => r.status === 'succeeded' && r.slug).sort((a, b) => a.version - b.version).at(-1);
  if (!rel) throw new Error(`${APP} has no release with a slug`);
  const slug = (await platform.api('GET', `/apps/${APP}/slugs/${rel.slug.id}`)).body;
  const res = await fetch(`${platform.url}/apps/${APP}/slugs/${slug.id}/blob`, { headers: { Authorization: `Bearer ${platform.token}` } });
  if (res.status !== 200) throw new Error(`slug blob: ${res.status}`);
  const dir = await scope.tmpdir('starts-slug');
  const tgz = path.join(dir, 'slug.tgz');
  await writeFile(tgz, Buffer.from(await res.arrayBuffer()));
  const root = path.join(dir, 'root');
  await mkdir(root);
  const x = await run('tar', ['-xzf', tgz, '-C', root]);
  if (x.code !== 0) throw new Error(`tar: ${x.output}`);
  await run('chmod', ['-R', 'a+rX', root]);
  return { appDir: existsSync(path.join(root, 'app')) ? path.join(root, 'app') : root, command: slug.process_types.web };
}

/** n bare `runc run`s at once (the runc driver's isolation, host network); ms until every one answered 200. */
async function bareRunc(scope, iso, { appDir, command }, n) {
  const work = await scope.tmpdir('starts-runc');
  const stateDir = path.join(work, 'state');
  await mkdir(stateDir, { recursive: true });
  const ports = await Promise.all(Array.from({ length: n }, () => freePort()));
  const t0 = performance.now();
  const runs = ports.map(async (port, i) => {
    const dir = path.join(work, `c${i}`);
    await mkdir(dir);
    return iso.runIsolated({
      stateDir, workDir: dir, binds: [], appDir, cmd: ['/bin/sh', '-c', command], cwd: '/app',
      env: { PORT: String(port), DYNO: `bare.${i + 1}`, NODE_ENV: 'production' }, limits: { memoryBytes: 512 * 1024 * 1024, pids: 256, cpuShares: 1024 },
      timeoutMs: 120_000, network: 'host',
    });
  });
  try {
    await Promise.all(ports.map((port) => waitFor('a bare runc run', async () => (await httpGet(`http://127.0.0.1:${port}/`, { timeoutMs: 2000 })).status === 200, 60_000, 10)));
    return performance.now() - t0;
  } finally {
    const list = await run('runc', ['--root', stateDir, 'list', '-q']);
    for (const id of list.output.split('\n').map((s) => s.trim()).filter(Boolean)) await run('runc', ['--root', stateDir, 'kill', id, 'KILL']);
    await Promise.allSettled(runs);
  }
}

/** The `dyno.start_timeline` lines the platform wrote after `mark` (its output length then). */
function timelines(platform, mark) {
  const out = [];
  for (const line of platform.output().slice(mark).split('\n')) {
    if (!line.includes('at=dyno.start_timeline')) continue;
    const steps = {};
    for (const [, k, val] of line.matchAll(/(\w+)_ms=(\d+)/g)) steps[k] = Number(val);
    out.push(steps);
  }
  return out;
}

const medianSteps = (list) => {
  const keys = [...new Set(list.flatMap((s) => Object.keys(s)))];
  return Object.fromEntries(keys.map((k) => [k, round(summarize(list.map((s) => s[k] ?? 0)).p50, 1)]));
};

export async function starts({ quick, scope, serverDist, repoRoot, log }) {
  const iso = await import(pathToFileURL(path.join(serverDist, 'src/isolation/index.js')).href);
  const usable = await iso.isRuncUsable();
  if (!usable.usable) return notMeasured(`runc is not usable here: ${usable.reason}`);
  const repeats = quick ? 1 : 5;
  const platform = await startPlatform(scope, { serverDist, repoRoot, env: { SLIPWAY_RUNTIME: 'runc' } });
  const created = await platform.api('POST', '/apps', { name: APP });
  if (created.status !== 201) throw new Error(`creating ${APP}: ${created.status} ${JSON.stringify(created.body)}`);
  const co = await fixtureCheckout(scope, { repoRoot, fixture: 'node-app' });
  await co.write('server.js', SERVER_JS);
  await co.commit('bench: starts');
  const pushed = await co.push(platform, APP);
  if (pushed.code !== 0) throw new Error(`git push failed:\n${pushed.output.slice(-4000)}`);
  const live = await firstServed(platform, APP, { timeoutMs: 120_000 });
  if (!live.ok) throw new Error(`${APP} never served: ${live.reason}`);
  const slug = await unpackSlug(scope, platform);

  const samples = { bare1: [], bare10: [], cold: [], start1: [], scale10: [] };
  const steps = { cold: [], start1: [], scale10: [] };
  for (let i = 0; i < repeats; i++) {
    // Bare runc first in each round, so both see the same machine.
    samples.bare1.push(await bareRunc(scope, iso, slug, 1));
    samples.bare10.push(await bareRunc(scope, iso, slug, 10));

    await scale(platform, 0);
    await gone(platform);
    let mark = platform.output().length;
    let t0 = performance.now();
    await scale(platform, 1);
    const one = await firstServed(platform, APP, { since: t0, timeoutMs: 90_000 });
    if (!one.ok) return notMeasured(`web=1 never served through the router (${one.reason})`);
    samples.start1.push(one.ms);
    steps.start1.push(...timelines(platform, mark));

    await scale(platform, 0);
    await gone(platform);
    mark = platform.output().length;
    t0 = performance.now();
    await scale(platform, 10);
    const ten = await allServing(platform, APP, 10, t0, 120_000);
    if (!ten.ok) return notMeasured(`web=10 never all served through the router (${ten.reason})`);
    samples.scale10.push(ten.ms);
    steps.scale10.push(...timelines(platform, mark));

    // Scale to zero: a monitor with min 0 lets the router wake the app.
    await scale(platform, 0);
    await gone(platform);
    const monitors = await platform.api('GET', `/apps/${APP}/formation/web/monitors`);
    if (!monitors.body?.length) {
      const m = await platform.api('POST', `/apps/${APP}/formation/web/monitors`, { min_quantity: 0, max_quantity: 1, value: 1000, is_active: true, idle_ms: 600_000 });
      if (m.status !== 201 && m.status !== 200) throw new Error(`monitor: ${m.status} ${JSON.stringify(m.body)}`);
    }
    await sleep(300); // the router's table says the app is wakeable
    mark = platform.output().length;
    t0 = performance.now();
    const cold = await httpGet(`${platform.routerUrl}/`, { host: `${APP}.localhost`, timeoutMs: 60_000 });
    if (cold.status !== 200) return notMeasured(`a request to the app scaled to zero got ${cold.status}: ${cold.body.slice(0, 200)}`);
    samples.cold.push(performance.now() - t0);
    steps.cold.push(...timelines(platform, mark));
    const id = (await platform.api('GET', `/apps/${APP}/formation/web/monitors`)).body[0]?.id;
    if (id) await platform.api('DELETE', `/apps/${APP}/formation/web/monitors/${id}`);
    await scale(platform, 0);
    await gone(platform);
    log(`starts: bare runc 1 ${samples.bare1.at(-1).toFixed(0)} ms, 10 ${samples.bare10.at(-1).toFixed(0)} ms; web=1 ${one.ms.toFixed(0)} ms, web=10 ${ten.ms.toFixed(0)} ms, cold ${samples.cold.at(-1).toFixed(0)} ms`);
  }
  await scale(platform, 0).catch(() => undefined);
  const med = Object.fromEntries(Object.entries(samples).map(([k, xs]) => [k, round(summarize(xs).p50, 1)]));
  return {
    measured: true, repeats, command: slug.command,
    bare1Ms: med.bare1, bare10Ms: med.bare10, coldMs: med.cold, start1Ms: med.start1, scale10Ms: med.scale10,
    samples: Object.fromEntries(Object.entries(samples).map(([k, xs]) => [k, xs.map((x) => round(x, 1))])),
    steps: Object.fromEntries(Object.entries(steps).map(([k, list]) => [k, medianSteps(list)])),
    ratios: [
      difference('API call (web=1) → first 200 via router, minus bare runc run → first 200', med.start1, med.bare1, 100, 'bare runc run'),
      difference('scaled to zero: request → its 200 via router (wake), minus bare runc run → first 200', med.cold, med.bare1, 100, 'bare runc run'),
      ratio('API call (web=1) → first 200 via router / bare runc run → first 200', med.start1, med.bare1, '<=', 1.5, 'bare runc run'),
      ratio('ps:scale web=10 → all 10 serving / 10 bare runc runs at once → all answering', med.scale10, med.bare10, '<=', 1.5, '10 bare runc runs'),
    ],
    absolute: { scale10Ms: med.scale10, goalMs: 2000 },
  };
}
