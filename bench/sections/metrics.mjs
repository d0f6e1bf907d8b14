// 7. Metrics (issue 11, docs/metrics.md): what the router's per-app aggregation costs on the hot
// path — the same router process with SLIPWAY_ROUTER_METRICS on and off, closed-loop saturation
// (wrk) and p99 at a fixed open-loop rate, alternated over rounds — and what ingesting the
// summaries of 100 busy apps costs the API process: CPU ms per second of wall time to parse the
// NDJSON entries and merge them into the 10 s / 1 min / 10 min tiers of a real SQLite store.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { fixedRate, openLoop } from '../lib/loadgen.mjs';
import { readyMessage, run, sleep } from '../lib/proc.mjs';
import { ratio } from '../lib/ratio.mjs';
import { APP_HOST, startSlipwayRouter } from '../lib/slipway-router.mjs';
import { rng, round, summarize } from '../lib/stats.mjs';

const median = (xs) => (xs.length === 0 ? null : summarize(xs).p50);

function plan(quick) {
  return quick ? { rounds: 1, wrkSeconds: 2, rate: 250, seconds: 2, intervals: 3 } : { rounds: 3, wrkSeconds: 8, rate: 250, seconds: 8, intervals: 30 };
}

async function wrk(url, seconds) {
  const r = await run('wrk', ['-t1', '-c32', `-d${seconds}s`, '-H', `Host: ${APP_HOST}`, url + '/'], { timeoutMs: (seconds + 30) * 1000 });
  const m = /Requests\/sec:\s+([0-9.]+)/.exec(r.output);
  return m ? Number(m[1]) : null;
}

async function p99At(url, rate, seconds) {
  const res = await openLoop({ url: url + '/', host: APP_HOST, schedule: fixedRate(rate, seconds), timeoutMs: 10_000, maxSockets: 512 });
  return { p99: round(summarize(res.latencies).p99, 3), errors: res.errors };
}

async function routerOnOff({ quick, scope, serverDist, log, peers }) {
  const p = plan(quick);
  const backend = scope.spawn(process.execPath, [new URL('../lib/backend.mjs', import.meta.url).pathname, 'hello'], { ipc: true });
  const { ports } = await readyMessage(backend, 'the backend');
  const dynos = [{ port: ports[0] }];
  const on = await startSlipwayRouter(scope, { serverDist, dynos, env: { SLIPWAY_ROUTER_METRICS: 'true' } });
  const off = await startSlipwayRouter(scope, { serverDist, dynos, env: { SLIPWAY_ROUTER_METRICS: 'false' } });
  const targets = { on, off };
  for (const t of Object.values(targets)) await p99At(t.url, 500, quick ? 1 : 3); // warm up
  const rounds = [];
  for (let i = 0; i < p.rounds; i++) {
    const row = {};
    for (const name of i % 2 === 0 ? ['on', 'off'] : ['off', 'on']) {
      const rps = peers.wrk ? await wrk(targets[name].url, p.wrkSeconds) : null;
      await sleep(300);
      const lat = await p99At(targets[name].url, p.rate, p.seconds);
      row[name] = { rps, p99: lat.p99, errors: lat.errors };
      log(`metrics: router metrics ${name}: wrk ${rps} req/s, p99 @ ${p.rate}/s ${lat.p99} ms`);
      await sleep(300);
    }
    rounds.push(row);
  }
  const med = (name, field) => median(rounds.map((r) => r[name][field]).filter((x) => x !== null));
  return { rounds, summariesShipped: on.shipped.metric, rps: { on: med('on', 'rps'), off: med('off', 'rps') }, p99: { on: med('on', 'p99'), off: med('off', 'p99') } };
}

async function ingestCost({ quick, scope, serverDist, log }) {
  const p = plan(quick);
  const m = await import(pathToFileURL(path.join(serverDist, 'src/metrics/index.js')).href);
  const { createStore } = await import(pathToFileURL(path.join(serverDist, 'src/store/index.js')).href);
  const { silentLogger } = await import(pathToFileURL(path.join(serverDist, 'src/log/index.js')).href);
  const dataDir = await scope.tmpdir('metrics-ingest');
  const store = await createStore({ databaseUrl: '', dataDir, logger: silentLogger });
  scope.defer(() => store.close());
  const owner = await store.users.create({ email: 'bench@example.com', admin: false });
  const apps = [];
  for (let i = 0; i < 100; i++) apps.push((await store.apps.create({ name: `busy-${i}`, ownerId: owner.id, region: 'us', stack: 'heroku-24', maintenance: false, preboot: false, releasedAt: null })).id);
  // A busy app: 50 requests/s, log-normal service times around 60 ms, a few errors; 8 variants.
  const rand = rng(11);
  const variants = Array.from({ length: 8 }, () => {
    let out;
    const agg = m.createRouterAggregator({ onSummary: (s) => (out = s), now: () => 0 });
    for (let i = 0; i < 500; i++) {
      const z = Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
      const r = rand();
      agg.enter('x');
      agg.record('x', { status: r < 0.01 ? 503 : 200, code: r < 0.01 ? 'H12' : null, queueMs: r < 0.2 ? rand() * 50 : 0, connectMs: 0.2, serviceMs: Math.exp(Math.log(60) + 0.8 * z), bytes: 1500 });
    }
    agg.stop();
    return out;
  });
  const metrics = m.createMetrics({ store, logger: silentLogger });
  const t0 = 1_800_000_000_000;
  const perInterval = [];
  for (let k = 0; k < p.intervals; k++) {
    // What the router ships: one NDJSON entry per app, encoded there, parsed and checked here.
    const lines = apps.map((appId, i) => JSON.stringify({ type: 'router-summary', ...variants[(i + k) % variants.length], appId, start: t0 + k * 10_000, stepMs: 10_000 })).join('\n');
    const cpu0 = process.cpuUsage();
    const wall0 = performance.now();
    const summaries = lines.split('\n').map((l) => m.parseRouterSummary(JSON.parse(l)));
    await metrics.ingestRouter(summaries);
    const cpu = process.cpuUsage(cpu0);
    perInterval.push({ cpuMs: (cpu.user + cpu.system) / 1000, wallMs: performance.now() - wall0 });
  }
  await metrics.stop();
  const cpuMs = median(perInterval.map((x) => x.cpuMs));
  const wallMs = median(perInterval.map((x) => x.wallMs));
  log(`metrics: ingest of 100 apps' 10 s summaries: ${round(cpuMs, 1)} ms CPU (${round(wallMs, 1)} ms wall) per interval`);
  return { apps: 100, intervals: p.intervals, cpuMsPerInterval: round(cpuMs, 2), wallMsPerInterval: round(wallMs, 2), cpuMsPerSecond: round(cpuMs / 10, 2) };
}

export async function metrics(ctx) {
  const onOff = await routerOnOff(ctx);
  const ingest = await ingestCost(ctx);
  const ratios = [
    ratio('router closed-loop throughput (wrk, 32 connections), metrics on / off', onOff.rps.on, onOff.rps.off, '>=', 0.95, 'metrics off'),
    ratio(`router p99 latency at ${plan(ctx.quick).rate} req/s, metrics on / off`, onOff.p99.on, onOff.p99.off, '<=', 1.05, 'metrics off'),
    ratio('API CPU to ingest 100 busy apps\' metrics, ms per second / one core', ingest.cpuMsPerSecond, 1000, '<=', 0.05, 'one CPU core'),
  ];
  return { measured: true, setup: { router: 'router process (dist/src/router/process-main.js), one Node backend, SLIPWAY_ROUTER_METRICS on vs off, alternated', ingest: 'createMetrics over a SQLite store in a temp dir, 100 apps, one 10 s summary each per interval (500 requests, log-normal)' }, router: onOff, ingest, ratios };
}
