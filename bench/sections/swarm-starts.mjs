// 13. Starts on Swarm: the same two figures as section 9 (PATCH formation web=1 → first 200
// through the router; web=10 → ten distinct dynos answered through the router) with the `swarm`
// runtime — three dockerds, each in its own network namespace, joined in one Swarm on this machine
// (packages/server test/helpers/swarm-cluster.js) — beside the `runc` runtime measured in the same
// run, same app (the Node.js fixture, `npm start`), same machine. Each start on Swarm creates one
// service per dyno; the node pulls the release image from the platform's registry the first time.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { fixtureCheckout } from '../lib/fixture.mjs';
import { startPlatform } from '../lib/platform.mjs';
import { freePort } from '../lib/proc.mjs';
import { notMeasured, ratio } from '../lib/ratio.mjs';
import { allServing, firstServed } from '../lib/serving.mjs';
import { round, summarize } from '../lib/stats.mjs';
import { dynosGone, scaleWeb, SERVER_JS } from '../lib/start-app.mjs';

const APP = 'bench-swarm';
// Both runtimes stop dynos with the same short grace (the app does not handle SIGTERM; the figures are starts).
const STOP_GRACE_MS = '3000';
const scale = (platform, quantity) => scaleWeb(platform, APP, quantity);
const gone = (platform) => dynosGone(platform, APP, 240_000);

/** web=1 and web=10 times on one platform, `repeats` rounds (after one warm-up start). */
async function measure(scope, { repoRoot, platform, repeats, log, label }) {
  const created = await platform.api('POST', '/apps', { name: APP });
  if (created.status !== 201) throw new Error(`creating ${APP}: ${created.status} ${JSON.stringify(created.body)}`);
  const co = await fixtureCheckout(scope, { repoRoot, fixture: 'node-app' });
  await co.write('server.js', SERVER_JS);
  await co.commit('bench: swarm starts');
  const pushed = await co.push(platform, APP);
  if (pushed.code !== 0) throw new Error(`git push failed:\n${pushed.output.slice(-4000)}`);
  // The first start pays for the image (stack + release built and pushed on Swarm): not counted.
  const t = performance.now();
  const live = await firstServed(platform, APP, { timeoutMs: 240_000 });
  if (!live.ok) throw new Error(`${APP} never served on ${label}: ${live.reason}\n${platform.output().slice(-3000)}`);
  const firstMs = performance.now() - t;
  const start1 = [];
  const scale10 = [];
  for (let i = 0; i < repeats; i++) {
    await scale(platform, 0);
    await gone(platform);
    let t0 = performance.now();
    await scale(platform, 1);
    const one = await firstServed(platform, APP, { since: t0, timeoutMs: 120_000 });
    if (!one.ok) throw new Error(`web=1 never served on ${label} (${one.reason})`);
    start1.push(one.ms);
    await scale(platform, 0);
    await gone(platform);
    t0 = performance.now();
    await scale(platform, 10);
    const ten = await allServing(platform, APP, 10, t0, 180_000);
    if (!ten.ok) throw new Error(`web=10 never all served on ${label} (${ten.reason})`);
    scale10.push(ten.ms);
    log(`swarm-starts: ${label} web=1 ${one.ms.toFixed(0)} ms, web=10 ${ten.ms.toFixed(0)} ms`);
  }
  await scale(platform, 0);
  await gone(platform);
  return { firstMs: round(firstMs, 1), start1, scale10 };
}

export async function swarmStarts({ quick, scope, serverDist, repoRoot, log }) {
  const helper = await import(pathToFileURL(path.join(serverDist, 'test/helpers/swarm-cluster.js')).href);
  const why = helper.swarmClusterUnavailable();
  if (why) return notMeasured(`a Swarm cluster cannot run here: ${why}`);
  const iso = await import(pathToFileURL(path.join(serverDist, 'src/isolation/index.js')).href);
  const usable = await iso.isRuncUsable();
  if (!usable.usable) return notMeasured(`runc is not usable here (the peer): ${usable.reason}`);
  const repeats = quick ? 1 : 2;

  const runcPlatform = await startPlatform(scope, { serverDist, repoRoot, env: { SLIPWAY_RUNTIME: 'runc', SLIPWAY_STOP_GRACE_MS: STOP_GRACE_MS } });
  const runc = await measure(scope, { repoRoot, platform: runcPlatform, repeats, log, label: 'runc' });
  await runcPlatform.stop();

  const cluster = await helper.startSwarmCluster({ nodes: 3, name: 'swbench' });
  scope.defer(() => cluster.stop());
  const swarmPlatform = await startPlatform(scope, { serverDist, repoRoot, env: {
    SLIPWAY_RUNTIME: 'swarm', SLIPWAY_STOP_GRACE_MS: STOP_GRACE_MS, DOCKER_HOST: cluster.dockerHost, SLIPWAY_SWARM_ADVERTISE_ADDR: cluster.advertiseAddr,
    SLIPWAY_SWARM_REGISTRY_PORT: String(await freePort()), SLIPWAY_RENDEZVOUS_PORT: String(await freePort()), SLIPWAY_LISTEN_HOST: '0.0.0.0',
  } });
  const swarm = await measure(scope, { repoRoot, platform: swarmPlatform, repeats, log, label: 'swarm' });
  await swarmPlatform.stop();

  const med = (xs) => round(summarize(xs).p50, 1);
  const s1 = med(swarm.start1); const r1 = med(runc.start1);
  const s10 = med(swarm.scale10); const r10 = med(runc.scale10);
  return {
    measured: true, repeats, nodes: 3,
    swarm: { start1Ms: s1, scale10Ms: s10, firstStartMs: swarm.firstMs, samples: { start1: swarm.start1.map((x) => round(x, 1)), scale10: swarm.scale10.map((x) => round(x, 1)) } },
    runc: { start1Ms: r1, scale10Ms: r10, firstStartMs: runc.firstMs, samples: { start1: runc.start1.map((x) => round(x, 1)), scale10: runc.scale10.map((x) => round(x, 1)) } },
    ratios: [
      ratio('swarm: API call (web=1) → first 200 via router / the same on runc', s1, r1, '<=', 3, 'runc runtime'),
      ratio('swarm: ps:scale web=10 → all 10 serving / the same on runc', s10, r10, '<=', 3, 'runc runtime'),
    ],
  };
}
