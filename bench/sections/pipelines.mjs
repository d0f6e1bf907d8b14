// 9. Pipelines: promotion (POST /pipeline-promotions → production serving the new release) beside a
// `git push` build of the same app to staging (push → staging serving). Both end at the router, so
// both include a dyno start; the promotion runs no build, only the release phase and the release.
import { fixtureCheckout } from '../lib/fixture.mjs';
import { ratio } from '../lib/ratio.mjs';
import { firstServed } from '../lib/serving.mjs';
import { percentile, round } from '../lib/stats.mjs';
import { sleep } from '../lib/proc.mjs';

const STAGING = 'bench-pipe-stg';
const PRODUCTION = 'bench-pipe-prod';
// The fixture's page with a marker, so "serving" means the NEW release serves.
const WEB_JS = `const marker = require('node:fs').readFileSync(__dirname + '/marker.txt', 'utf8').trim();
require('node:http').createServer((req, res) => res.end(\`\${marker} on \${process.env.WHERE}\\n\`)).listen(Number(process.env.PORT));
`;

async function must(platform, method, p, body, status) {
  const r = await platform.api(method, p, body);
  if (r.status !== status) throw new Error(`${method} ${p}: ${r.status} ${JSON.stringify(r.body)}`);
  return r;
}

const VARIANTS = [
  { id: 'release-phase', label: 'with a release phase', procfile: null, suffix: '' },
  { id: 'web-only', label: 'web only (no release phase)', procfile: 'web: node web.js\n', suffix: '-w' },
];

async function variantRounds({ quick, scope, repoRoot, platform, log }, variant) {
  const rounds = quick ? 1 : 3;
  const stagingName = `${STAGING}${variant.suffix}`;
  const productionName = `${PRODUCTION}${variant.suffix}`;
  for (const name of [stagingName, productionName]) await must(platform, 'POST', '/apps', { name }, 201);
  await must(platform, 'PATCH', `/apps/${stagingName}/config-vars`, { WHERE: 'staging' }, 200);
  await must(platform, 'PATCH', `/apps/${productionName}/config-vars`, { WHERE: 'production' }, 200);
  const pipeline = (await must(platform, 'POST', '/pipelines', { name: `bench-pipe${variant.suffix}` }, 201)).body;
  await must(platform, 'POST', '/pipeline-couplings', { app: stagingName, pipeline: pipeline.id, stage: 'staging' }, 201);
  await must(platform, 'POST', '/pipeline-couplings', { app: productionName, pipeline: pipeline.id, stage: 'production' }, 201);
  const staging = (await platform.api('GET', `/apps/${stagingName}`)).body;

  const co = await fixtureCheckout(scope, { repoRoot, fixture: 'pipeline-app' });
  await co.write('web.js', WEB_JS);
  if (variant.procfile) await co.write('Procfile', variant.procfile);
  const timeoutMs = quick ? 60_000 : 120_000;
  const rows = [];
  for (let i = 1; i <= rounds; i++) {
    const marker = `release-${i}`;
    await co.write('marker.txt', `${marker}\n`);
    await co.commit(`bench: pipelines round ${i}`);
    const t0 = performance.now();
    const push = await co.push(platform, stagingName);
    if (push.code !== 0) throw new Error(`git push failed:\n${push.output.slice(-4000)}`);
    const pushMs = performance.now() - t0;
    const pushLive = await firstServed(platform, stagingName, { since: t0, timeoutMs: timeoutMs + pushMs, accept: (b) => b === `${marker} on staging\n` });
    if (!pushLive.ok) throw new Error(`staging never served ${marker}: ${pushLive.reason}`);

    const t1 = performance.now();
    const promo = await must(platform, 'POST', '/pipeline-promotions', { pipeline: { id: pipeline.id }, source: { app: { id: staging.id } } }, 201);
    const answeredMs = performance.now() - t1;
    let releasedMs = null;
    const served = firstServed(platform, productionName, { since: t1, timeoutMs, accept: (b) => b === `${marker} on production\n` });
    for (;;) {
      const targets = (await platform.api('GET', `/pipeline-promotions/${promo.body.id}/promotion-targets`)).body;
      if (targets.some((t) => t.status === 'failed')) throw new Error(`promotion failed: ${JSON.stringify(targets)}`);
      if (targets.every((t) => t.status === 'succeeded')) { releasedMs = performance.now() - t1; break; }
      if (performance.now() - t1 > timeoutMs) throw new Error('promotion still pending');
      await sleep(10);
    }
    const promoLive = await served;
    if (!promoLive.ok) throw new Error(`production never served ${marker}: ${promoLive.reason}`);
    const row = { variant: variant.id, round: i, pushMs: round(pushMs, 1), pushLiveMs: round(pushLive.ms, 1), promotionAnsweredMs: round(answeredMs, 1), promotionReleasedMs: round(releasedMs, 1), promotionLiveMs: round(promoLive.ms, 1) };
    rows.push(row);
    log(`pipelines (${variant.id}): round ${i}: push → staging live ${row.pushLiveMs} ms; promotion → released ${row.promotionReleasedMs} ms, → production live ${row.promotionLiveMs} ms`);
  }
  return rows;
}

export async function pipelines(opts) {
  const rows = [];
  const medians = {};
  for (const variant of VARIANTS) {
    const mine = await variantRounds(opts, variant);
    rows.push(...mine);
    const med = (k) => percentile(mine.map((r) => r[k]).sort((a, b) => a - b), 50);
    medians[variant.id] = { label: variant.label, pushLiveMs: med('pushLiveMs'), promotionReleasedMs: med('promotionReleasedMs'), promotionLiveMs: med('promotionLiveMs') };
  }
  return {
    measured: true,
    rounds: rows,
    medians,
    ratios: VARIANTS.map((variant) => ratio(`promotion → production live / git push → staging live, ${variant.label} (medians)`, medians[variant.id].promotionLiveMs, medians[variant.id].pushLiveMs, '<=', 0.5, 'git push build')),
  };
}
