// 2. Routing quality: 10 single-request dynos (each queues internally), Poisson arrivals at ~80 %
// utilisation, Weibull heavy-tailed service times; the SAME seeded arrival/service sequence through
// Slipway's router (least outstanding requests; and with SLIPWAY_DYNO_CONCURRENCY=1, where the
// router holds the queue), nginx `random` and nginx round-robin, beside the ideal central FCFS queue
// computed by discrete-event simulation of that sequence (M/G/10, the limit).
import { createHash } from 'node:crypto';
import { openLoop } from '../lib/loadgen.mjs';
import { startNginx } from '../lib/nginx.mjs';
import { readyMessage, sleep } from '../lib/proc.mjs';
import { ratio } from '../lib/ratio.mjs';
import { centralQueue, perDynoQueues, policies, workload } from '../lib/sim.mjs';
import { APP_HOST, startSlipwayRouter } from '../lib/slipway-router.mjs';
import { round, summarize } from '../lib/stats.mjs';

const DYNOS = 10;
const SEED = 20261123;

export function params(quick) {
  // --quick scales service times down 5x (and the rate up 5x) so a short run still sees thousands
  // of requests; utilisation and the shape of the distribution stay the same.
  return { seed: SEED, dynos: DYNOS, utilisation: 0.8, shape: 0.7, medianMs: quick ? 10 : 50, seconds: quick ? 6 : 60 };
}

function summary(results) {
  const r = summarize(results.map((x) => x.response));
  const q = summarize(results.map((x) => x.queue));
  const queued = results.filter((x) => x.queue > 1).length / (results.length || 1);
  return {
    n: r.n, p50: round(r.p50), p99: round(r.p99), mean: round(r.mean), max: round(r.max),
    queueP50: round(q.p50), queueP99: round(q.p99), queueMean: round(q.mean), queuedShare: round(queued, 3),
  };
}

export async function routingQuality({ quick, scope, serverDist, log }) {
  const w = params(quick);
  const { arrivals, services, ratePerSec, meanServiceMs } = workload(w);
  const digest = createHash('sha256').update(JSON.stringify([arrivals, services])).digest('hex').slice(0, 16);
  log(`routing quality: ${arrivals.length} requests at ${ratePerSec.toFixed(1)}/s, mean service ${meanServiceMs.toFixed(1)} ms (sequence ${digest})`);

  const models = {
    ideal: summary(centralQueue(arrivals, services, DYNOS)),
    leastOutstanding: summary(perDynoQueues(arrivals, services, DYNOS, policies.leastOutstanding(SEED + 1))),
    random: summary(perDynoQueues(arrivals, services, DYNOS, policies.random(SEED + 2))),
    roundRobin: summary(perDynoQueues(arrivals, services, DYNOS, policies.roundRobin())),
  };

  const backend = scope.spawn(process.execPath, [new URL('../lib/backend.mjs', import.meta.url).pathname, 'dynos', String(DYNOS)], { ipc: true });
  const { ports } = await readyMessage(backend, 'the dynos');
  const dynos = ports.map((port) => ({ port }));
  const targets = [
    { name: 'slipway', label: 'Slipway router (least outstanding)', start: () => startSlipwayRouter(scope, { serverDist, dynos, readyPath: '/s/0' }) },
    { name: 'slipwayConcurrency1', label: 'Slipway router, SLIPWAY_DYNO_CONCURRENCY=1 (router-side queue)', start: () => startSlipwayRouter(scope, { serverDist, dynos, concurrency: 1, readyPath: '/s/0' }) },
    { name: 'nginxRandom', label: 'nginx random', start: () => startNginx(scope, { upstreams: dynos, policy: 'random' }) },
    { name: 'nginxRoundRobin', label: 'nginx round-robin', start: () => startNginx(scope, { upstreams: dynos, policy: 'round-robin' }) },
  ];
  const measured = {};
  for (const t of targets) {
    const proxy = await t.start();
    const res = await openLoop({
      url: proxy.url + '/', host: APP_HOST, schedule: arrivals, timeoutMs: 120_000, maxSockets: 900,
      path: (i) => `/s/${services[i].toFixed(3)}`,
    });
    const results = [];
    res.perRequest.forEach((lat, i) => { if (lat !== undefined) results.push({ response: lat, queue: Math.max(0, lat - services[i]) }); });
    measured[t.name] = { label: t.label, errors: res.errors, ...summary(results) };
    log(`routing quality: ${t.name} p50=${measured[t.name].p50} p99=${measured[t.name].p99} mean=${measured[t.name].mean} errors=${res.errors}`);
    await proxy.child.stop();
    await sleep(500);
  }

  const s = measured.slipway;
  const ratios = [
    ratio('p99 response, Slipway router / nginx random', s.p99, measured.nginxRandom.p99, '<=', 0.8, 'nginx random'),
    ratio('p99 response, Slipway router / nginx round-robin', s.p99, measured.nginxRoundRobin.p99, '<=', 1, 'nginx round-robin'),
    ratio('mean response, Slipway router / nginx random', s.mean, measured.nginxRandom.mean, '<=', 0.9, 'nginx random'),
    ratio('p99 response, Slipway router / ideal central queue (M/G/10 model)', s.p99, models.ideal.p99, '<=', 2, 'ideal central queue'),
    ratio('p99 response, Slipway router with concurrency 1 / ideal central queue', measured.slipwayConcurrency1.p99, models.ideal.p99, '<=', 1.5, 'ideal central queue'),
  ];
  return {
    measured: true,
    workload: { ...w, requests: arrivals.length, ratePerSec: round(ratePerSec), meanServiceMs: round(meanServiceMs), sequenceSha256: digest, note: 'queue = response − service time (includes proxy overhead and timer slack)' },
    policies: measured, models, ratios,
  };
}
