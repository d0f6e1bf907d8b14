// 3. Dyno start and scale through the real platform: API call → first 200 through the router for
// one dyno, and `ps:scale web=10` (PATCH /apps/{app}/formation/web) → all 10 serving (ten distinct
// DYNO names answer through the router); beside the floor of a bare process spawn of the same
// command from the same unpacked slug (and a bare `runc run` of it when runc is usable).
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { freePort, httpGet, run, sleep, waitFor } from '../lib/proc.mjs';
import { notMeasured, ratio } from '../lib/ratio.mjs';
import { allServing, firstServed } from '../lib/serving.mjs';
import { round, summarize } from '../lib/stats.mjs';

async function scale(platform, app, quantity) {
  const r = await platform.api('PATCH', `/apps/${app}/formation/web`, { quantity });
  if (r.status !== 200) throw new Error(`scaling web=${quantity}: ${r.status} ${JSON.stringify(r.body)}`);
}

async function unpackSlug(scope, platform, app) {
  const rels = await platform.api('GET', `/apps/${app}/releases`);
  const rel = [...rels.body].filter((r) => r.status === 'succeeded' && r.slug).sort((a, b) => a.version - b.version).at(-1);
  if (!rel) throw new Error(`${app} has no release with a slug`);
  const slug = (await platform.api('GET', `/apps/${app}/slugs/${rel.slug.id}`)).body;
  const res = await fetch(`${platform.url}/apps/${app}/slugs/${slug.id}/blob`, { headers: { Authorization: `Bearer ${platform.token}` } });
  if (res.status !== 200) throw new Error(`slug blob: ${res.status}`);
  const dir = await scope.tmpdir('slug');
  const tgz = path.join(dir, 'slug.tgz');
  const { writeFile } = await import('node:fs/promises');
  await writeFile(tgz, Buffer.from(await res.arrayBuffer()));
  const root = path.join(dir, 'root');
  await mkdir(root);
  const x = await run('tar', ['-xzf', tgz, '-C', root]);
  if (x.code !== 0) throw new Error(`tar: ${x.output}`);
  const appDir = (await import('node:fs')).existsSync(path.join(root, 'app')) ? path.join(root, 'app') : root;
  return { appDir, command: slug.process_types.web };
}

/** Bare spawns of `command` in `appDir`, n at once; ms until every one answered 200. */
async function bareSpawn(scope, { appDir, command }, n) {
  const ports = await Promise.all(Array.from({ length: n }, () => freePort()));
  const t0 = performance.now();
  const children = ports.map((port, i) => scope.spawn('/bin/sh', ['-c', command], { cwd: appDir, env: { PATH: process.env.PATH, HOME: appDir, PORT: String(port), DYNO: `bare.${i + 1}`, NODE_ENV: 'production' } }));
  await Promise.all(ports.map((port) => waitFor(`a bare ${command}`, async () => (await httpGet(`http://127.0.0.1:${port}/`, { timeoutMs: 2000 })).status === 200, 60_000, 10)));
  const ms = performance.now() - t0;
  await Promise.all(children.map((c) => c.stop(5000)));
  return ms;
}

/** A bare `runc run` (the runc driver's isolation, host network) of the same command; ms to first 200. */
async function bareRunc(scope, { serverDist }, { appDir, command }) {
  const iso = await import(pathToFileURL(path.join(serverDist, 'src/isolation/index.js')).href);
  const usable = await iso.isRuncUsable();
  if (!usable.usable) return { measured: false, reason: usable.reason };
  const work = await scope.tmpdir('runc');
  const stateDir = path.join(work, 'state');
  await mkdir(stateDir, { recursive: true });
  await run('chmod', ['-R', 'a+rX', appDir]);
  const port = await freePort();
  const t0 = performance.now();
  const running = iso.runIsolated({
    stateDir, workDir: work, binds: [], appDir, cmd: ['/bin/sh', '-c', command], cwd: '/app',
    env: { PORT: String(port), DYNO: 'bare.1', NODE_ENV: 'production' }, limits: { memoryBytes: 512 * 1024 * 1024, pids: 256, cpuShares: 1024 },
    timeoutMs: 60_000, network: 'host',
  });
  try {
    await waitFor('a bare runc run', async () => (await httpGet(`http://127.0.0.1:${port}/`, { timeoutMs: 2000 })).status === 200, 60_000, 10);
    return { measured: true, ms: round(performance.now() - t0, 1) };
  } finally {
    const list = await run('runc', ['--root', stateDir, 'list', '-q']);
    for (const id of list.output.split('\n').map((s) => s.trim()).filter(Boolean)) await run('runc', ['--root', stateDir, 'kill', id, 'KILL']);
    await running.catch(() => undefined);
  }
}

export async function dynoStart({ quick, scope, platform, platformRuntime, serverDist, log, app }) {
  const repeats = quick ? 1 : 3;
  const slug = await unpackSlug(scope, platform, app);
  const floor1 = [];
  const floor10 = [];
  for (let i = 0; i < repeats; i++) {
    floor1.push(await bareSpawn(scope, slug, 1));
    floor10.push(await bareSpawn(scope, slug, 10));
  }
  const bare = { spawn1Ms: round(summarize(floor1).p50, 1), spawn10Ms: round(summarize(floor10).p50, 1), command: slug.command };
  bare.runc = await bareRunc(scope, { serverDist }, slug).catch((err) => ({ measured: false, reason: String(err.message ?? err) }));
  log(`dyno start: bare spawn 1 ${bare.spawn1Ms} ms, 10 ${bare.spawn10Ms} ms, runc ${bare.runc.measured ? `${bare.runc.ms} ms` : bare.runc.reason}`);

  const down = async () => {
    await scale(platform, app, 0);
    // Gone for good: no dyno listed by the API (a stopping dyno could otherwise be reused).
    await waitFor(`${app}'s dynos to be gone`, async () => {
      const r = await platform.api('GET', `/apps/${app}/dynos`);
      return r.status === 200 && Array.isArray(r.body) && r.body.length === 0;
    }, 90_000, 100);
  };
  const one = [];
  const ten = [];
  let reason = null;
  for (let i = 0; i < repeats && reason === null; i++) {
    await down();
    let t0 = performance.now();
    await scale(platform, app, 1);
    const first = await firstServed(platform, app, { since: t0, timeoutMs: 90_000 });
    if (!first.ok) { reason = `web=1 never served through the router (${first.reason})`; break; }
    one.push(first.ms);
    await down();
    t0 = performance.now();
    await scale(platform, app, 10);
    const all = await allServing(platform, app, 10, t0, 120_000);
    if (!all.ok) { reason = `web=10 never all served through the router (${all.reason})`; break; }
    ten.push(all.ms);
    log(`dyno start: web=1 ${first.ms.toFixed(0)} ms, web=10 ${all.ms.toFixed(0)} ms`);
  }
  await scale(platform, app, 0).catch(() => undefined);
  if (reason !== null) return { ...notMeasured(reason), floor: bare };
  const start1Ms = round(summarize(one).p50, 1);
  const scale10Ms = round(summarize(ten).p50, 1);
  const ratios = [
    ratio('API call → first 200 via router (web=1) / bare process spawn → first 200', start1Ms, bare.spawn1Ms, '<=', 4, 'bare process spawn'),
    ratio('ps:scale web=10 → all 10 serving / 10 bare process spawns → all answering', scale10Ms, bare.spawn10Ms, '<=', 4, 'bare process spawns'),
  ];
  if (bare.runc.measured && platformRuntime === 'runc') ratios.push(ratio('API call → first 200 via router (web=1) / bare runc run → first 200', start1Ms, bare.runc.ms, '<=', 3, 'bare runc run'));
  return { measured: true, runtime: platformRuntime, repeats, start1Ms, scale10Ms, samples: { start1: one.map((x) => round(x, 1)), scale10: ten.map((x) => round(x, 1)) }, floor: bare, ratios };
}
