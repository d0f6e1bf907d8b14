// 4. Deploy: `git push` → release live for the Node.js fixture app, with a cold build cache (first
// push: npm downloads every package) and a warm one (second push: node_modules restored from the
// cache), beside the floor of running the same `npm ci` by hand with an empty and a warm npm cache.
import { cp, rm } from 'node:fs/promises';
import path from 'node:path';
import { fixtureCheckout } from '../lib/fixture.mjs';
import { run } from '../lib/proc.mjs';
import { notMeasured, ratio } from '../lib/ratio.mjs';
import { firstServed } from '../lib/serving.mjs';
import { round } from '../lib/stats.mjs';

export const DEPLOY_APP = 'bench-node';

// The fixture's server with a marker in its answer, so "live" means the NEW release serves.
const SERVER_JS = `const http = require('node:http');
const fs = require('node:fs');
const ms = require('ms');
const info = require('./build-info.json');
const marker = fs.readFileSync(__dirname + '/marker.txt', 'utf8').trim();
http.createServer((req, res) => {
  res.writeHead(200, { 'Content-Type': 'text/plain' });
  res.end(\`hello from node, one day is \${ms('1d')} ms, built by \${info.builtBy}, \${marker} dyno=\${process.env.DYNO}\\n\`);
}).listen(Number(process.env.PORT), () => console.log(\`listening on \${process.env.PORT}\`));
`;

async function npmCiByHand(scope, repoRoot) {
  const root = await scope.tmpdir('npm-ci');
  const dir = path.join(root, 'app');
  await cp(path.join(repoRoot, 'packages/server/test/fixtures/apps/node-app'), dir, { recursive: true });
  const env = {
    PATH: process.env.PATH, HOME: root, NODE_ENV: 'production', npm_config_cache: path.join(root, 'npm-cache'),
    npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false',
  };
  const args = ['ci', '--include=dev', '--prefer-offline', '--no-progress'];
  const cold = await run('npm', args, { cwd: dir, env });
  if (cold.code !== 0) throw new Error(`npm ci (cold) failed: ${cold.output}`);
  await rm(path.join(dir, 'node_modules'), { recursive: true, force: true });
  const warm = await run('npm', args, { cwd: dir, env });
  if (warm.code !== 0) throw new Error(`npm ci (warm) failed: ${warm.output}`);
  return { coldMs: round(cold.ms, 1), warmMs: round(warm.ms, 1) };
}

export async function deploy({ quick, scope, repoRoot, platform, log }) {
  const created = await platform.api('POST', '/apps', { name: DEPLOY_APP });
  if (created.status !== 201) throw new Error(`creating ${DEPLOY_APP}: ${created.status} ${JSON.stringify(created.body)}`);
  const co = await fixtureCheckout(scope, { repoRoot, fixture: 'node-app' });
  await co.write('server.js', SERVER_JS);
  const pushes = {};
  let liveReason = null;
  for (const [kind, marker] of [['cold', 'release-1'], ['warm', 'release-2']]) {
    await co.write('marker.txt', `${marker}\n`);
    await co.commit(`bench: ${kind} deploy`);
    const t0 = performance.now();
    const r = await co.push(platform, DEPLOY_APP);
    if (r.code !== 0) throw new Error(`git push (${kind}) failed:\n${r.output.slice(-4000)}`);
    const pushMs = performance.now() - t0;
    const restored = /Restoring node_modules from the build cache/.test(r.output);
    let liveMs = null;
    if (liveReason === null) {
      const live = await firstServed(platform, DEPLOY_APP, { since: t0, timeoutMs: (quick ? 30_000 : 60_000) + pushMs, accept: (body) => body.includes(marker) });
      if (live.ok) liveMs = live.ms;
      else liveReason = `the release never served through the router (${live.reason})`;
    }
    pushes[kind] = { pushMs: round(pushMs, 1), liveMs: round(liveMs, 1), cacheRestored: restored };
    log(`deploy: ${kind} push ${pushMs.toFixed(0)} ms, live ${liveMs === null ? liveReason : `${liveMs.toFixed(0)} ms`}`);
  }
  const floor = await npmCiByHand(scope, repoRoot);
  log(`deploy: npm ci by hand cold ${floor.coldMs} ms, warm ${floor.warmMs} ms`);
  const pick = (k) => pushes[k].liveMs ?? pushes[k].pushMs;
  const what = liveReason === null ? 'git push → release live' : 'git push → release created';
  return {
    measured: true,
    pushes, npmCiByHand: floor,
    live: liveReason === null ? { measured: true } : notMeasured(liveReason),
    ratios: [
      ratio(`${what}, cold cache / npm ci by hand (empty npm cache)`, pick('cold'), floor.coldMs, '<=', 4, 'npm ci by hand'),
      ratio(`${what}, warm cache / npm ci by hand (warm npm cache)`, pick('warm'), floor.warmMs, '<=', 4, 'npm ci by hand'),
    ],
  };
}
