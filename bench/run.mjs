// `npm run bench` (full, < 20 min) and `npm run bench -- --quick` (< 3 min, what CI runs to prove it
// still works; it asserts no timings). Measures Slipway beside its peers on this machine, writes
// bench/results/<YYYY-MM-DD>.json and regenerates docs/benchmarks.md from it (quick runs write to
// bench/results/quick/ instead and leave the docs alone). Options: --quick, --only=a,b (section ids).
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeMachine, ensurePeers } from './lib/machine.mjs';
import { driverFromOutput, startPlatform } from './lib/platform.mjs';
import { createScope } from './lib/proc.mjs';
import { notMeasured } from './lib/ratio.mjs';
import { writeReport } from './report.mjs';
import { DEPLOY_APP, deploy } from './sections/deploy.mjs';
import { autoscale } from './sections/autoscale.mjs';
import { addons } from './sections/addons.mjs';
import { density } from './sections/density.mjs';
import { dynoStart } from './sections/dyno-start.mjs';
import { logs } from './sections/logs.mjs';
import { metrics } from './sections/metrics.mjs';
import { routerOverhead } from './sections/router-overhead.mjs';
import { routingQuality } from './sections/routing-quality.mjs';
import { starts } from './sections/starts.mjs';
import { pipelines } from './sections/pipelines.mjs';
import { addonsRedis } from './sections/addons-redis.mjs';
import { swarmStarts } from './sections/swarm-starts.mjs';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(benchDir, '..');
const serverDist = path.join(repoRoot, 'packages/server/dist');

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',');
const started = Date.now();
const log = (line) => process.stderr.write(`[bench +${((Date.now() - started) / 1000).toFixed(0)}s] ${line}\n`);

// Run order: the self-contained sections first, then the ones that share one platform (deploy
// creates the app that start/scale and density then use).
const SECTIONS = [
  { id: 'router-overhead', fn: routerOverhead },
  { id: 'routing-quality', fn: routingQuality },
  { id: 'logs', fn: logs },
  { id: 'metrics', fn: metrics },
  { id: 'deploy', fn: deploy, platform: true },
  { id: 'dyno-start', fn: dynoStart, platform: true, needsApp: true },
  { id: 'density', fn: density, platform: true, needsApp: true },
  { id: 'autoscale', fn: autoscale },
  { id: 'starts', fn: starts },
  { id: 'pipelines', fn: pipelines, platform: true },
  { id: 'addons', fn: addons },
  { id: 'addons-redis', fn: addonsRedis, platform: true },
  { id: 'swarm-starts', fn: swarmStarts },
];

async function main() {
  const machine = describeMachine();
  log(`machine: ${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGb} GB, ${machine.kernel}, node ${machine.node}${quick ? ' (quick)' : ''}`);
  const peers = await ensurePeers(log);
  log(`peers: ${Object.entries(peers).map(([k, v]) => `${k}=${v ?? 'missing'}`).join(', ')}`);
  const sections = {};
  let failed = 0;
  let platform;
  let appReady = false;
  let platformRuntime = null;
  const platformScope = createScope();
  try {
    for (const s of SECTIONS) {
      if (only && !only.includes(s.id)) continue;
      const t0 = Date.now();
      log(`section ${s.id}…`);
      const scope = createScope();
      try {
        if (s.id.startsWith('router') || s.id.startsWith('routing')) {
          if (!peers.nginx) { sections[s.id] = notMeasured('nginx is not installed and could not be'); continue; }
        }
        if (s.platform && !platform) {
          platform = await startPlatform(platformScope, { serverDist, repoRoot, env: { SLIPWAY_BUILD_TIMEOUT_MS: String(10 * 60_000) } });
          platformRuntime = driverFromOutput(platform.output());
          log(`platform: API ${platform.url}, router ${platform.routerUrl}, runtime ${platformRuntime ?? 'not announced'}`);
        }
        if (s.needsApp && !appReady) {
          sections[s.id] = notMeasured(`needs the ${DEPLOY_APP} app deployed by the deploy section, which did not succeed`);
          continue;
        }
        sections[s.id] = await s.fn({ quick, scope, serverDist, repoRoot, log, peers, platform, platformRuntime, app: DEPLOY_APP });
        if (s.id === 'deploy') appReady = true;
      } catch (err) {
        failed++;
        sections[s.id] = { measured: false, reason: `failed: ${String(err?.message ?? err).slice(0, 2000)}`, error: true };
        log(`section ${s.id} FAILED: ${err?.stack ?? err}`);
      } finally {
        await scope.close();
        sections[s.id].seconds = Math.round((Date.now() - t0) / 100) / 10;
        log(`section ${s.id} done in ${sections[s.id].seconds}s`);
      }
    }
  } finally {
    await platformScope.close();
  }
  const date = new Date().toISOString().slice(0, 10);
  // A full run of some sections (--only) keeps the other sections of the latest full run, each
  // marked with the run it comes from, so docs/benchmarks.md stays whole.
  if (only && !quick) {
    const previous = await latestFullRun(path.join(benchDir, 'results'));
    for (const [id, s] of Object.entries(previous?.sections ?? {})) {
      if (!(id in sections)) sections[id] = { ...s, fromRun: s.fromRun ?? previous.date };
    }
  }
  const result = { date, startedAt: new Date(started).toISOString(), quick, seconds: Math.round((Date.now() - started) / 1000), machine: { ...machine, loadAverageAtEnd: describeMachine().loadAverage }, peers, platformRuntime, sections };
  const outDir = quick ? path.join(benchDir, 'results', 'quick') : path.join(benchDir, 'results');
  await mkdir(outDir, { recursive: true });
  const jsonPath = path.join(outDir, `${date}.json`);
  await writeFile(jsonPath, JSON.stringify(result, null, 2) + '\n');
  const mdPath = quick ? path.join(outDir, `${date}.md`) : path.join(repoRoot, 'docs', 'benchmarks.md');
  await writeReport(result, { jsonPath, mdPath, chartsDir: path.join(outDir, quick ? 'charts' : `charts`) });
  log(`wrote ${path.relative(repoRoot, jsonPath)} and ${path.relative(repoRoot, mdPath)} in ${result.seconds}s${failed ? `; ${failed} section(s) FAILED` : ''}`);
  // Everything this run started was stopped above; exit even if a library left a socket open.
  process.exit(failed > 0 ? 1 : 0);
}

/** The newest bench/results/<date>.json, or undefined. */
async function latestFullRun(dir) {
  const { readdir, readFile } = await import('node:fs/promises');
  const names = (await readdir(dir).catch(() => [])).filter((n) => /^\d{4}-\d{2}-\d{2}\.json$/.test(n)).sort();
  if (names.length === 0) return undefined;
  return JSON.parse(await readFile(path.join(dir, names.at(-1)), 'utf8'));
}

main().catch((err) => {
  process.stderr.write(`bench: ${err?.stack ?? err}\n`);
  process.exit(1);
});
