// 1. Router overhead: the same Node backend reached directly, through nginx (reverse proxy,
// keep-alive upstream) and through Slipway's router process, under open-loop fixed-rate load:
// added p50/p99 latency per rate, the highest rate each sustains with p99 < 10 ms, and wrk's
// closed-loop saturation throughput.
import { fixedRate, openLoop } from '../lib/loadgen.mjs';
import { startNginx } from '../lib/nginx.mjs';
import { readyMessage, run, sleep } from '../lib/proc.mjs';
import { ratio } from '../lib/ratio.mjs';
import { APP_HOST, startSlipwayRouter } from '../lib/slipway-router.mjs';
import { round, summarize } from '../lib/stats.mjs';

const P99_LIMIT_MS = 10;

function plan(quick) {
  return quick
    ? { rates: [250, 1000], seconds: 2, steps: [500, 1000, 2000], stepSeconds: 2, wrkSeconds: 2 }
    : { rates: [250, 1000, 2000], seconds: 10, steps: [250, 500, 1000, 1500, 2000, 3000, 4000, 6000, 8000], stepSeconds: 5, wrkSeconds: 8 };
}

async function measure(target, rate, seconds) {
  const res = await openLoop({ url: target.url + '/', host: APP_HOST, schedule: fixedRate(rate, seconds), timeoutMs: 10_000, maxSockets: 512 });
  const s = summarize(res.latencies);
  return { rate, requests: res.perRequest.length, errors: res.errors, p50: round(s.p50, 3), p90: round(s.p90, 3), p99: round(s.p99, 3), mean: round(s.mean, 3), max: round(s.max, 3) };
}

async function wrk(target, seconds) {
  const r = await run('wrk', ['-t1', '-c32', `-d${seconds}s`, '-H', `Host: ${APP_HOST}`, '--latency', target.url + '/'], { timeoutMs: (seconds + 30) * 1000 });
  const m = /Requests\/sec:\s+([0-9.]+)/.exec(r.output);
  return m ? Number(m[1]) : null;
}

export async function routerOverhead({ quick, scope, serverDist, log, peers }) {
  const p = plan(quick);
  const backend = scope.spawn(process.execPath, [new URL('../lib/backend.mjs', import.meta.url).pathname, 'hello'], { ipc: true });
  const { ports } = await readyMessage(backend, 'the backend');
  const upstream = [{ port: ports[0] }];
  const nginx = await startNginx(scope, { upstreams: upstream, policy: 'round-robin' });
  const router = await startSlipwayRouter(scope, { serverDist, dynos: upstream });
  const targets = [
    { name: 'direct', url: `http://127.0.0.1:${ports[0]}` },
    { name: 'nginx', url: nginx.url },
    { name: 'slipway', url: router.url },
  ];
  for (const t of targets) await measure(t, 500, quick ? 1 : 3); // warm up JITs and connection pools

  const byRate = [];
  for (const [k, rate] of p.rates.entries()) {
    const row = { rate };
    // Rotate the order so no target always runs first (or last) on a noisy machine.
    for (let j = 0; j < targets.length; j++) {
      const t = targets[(j + k) % targets.length];
      row[t.name] = await measure(t, rate, p.seconds);
      log(`router overhead: ${t.name} @ ${rate}/s p50=${row[t.name].p50} p99=${row[t.name].p99} errors=${row[t.name].errors}`);
      await sleep(300);
    }
    for (const name of ['nginx', 'slipway']) {
      row[name].addedP50 = round(row[name].p50 - row.direct.p50, 3);
      row[name].addedP99 = round(row[name].p99 - row.direct.p99, 3);
    }
    byRate.push(row);
  }

  const maxThroughput = {};
  for (const t of targets) {
    let best = 0;
    const steps = [];
    for (const rate of p.steps) {
      // A step fails only if it fails twice: one noisy neighbour must not end the climb.
      let m;
      for (let attempt = 0; attempt < 2; attempt++) {
        m = await measure(t, rate, p.stepSeconds);
        steps.push({ rate, p99: m.p99, errors: m.errors });
        log(`router overhead: max-throughput ${t.name} @ ${rate}/s p99=${m.p99} errors=${m.errors}`);
        await sleep(300);
        if (m.p99 < P99_LIMIT_MS && m.errors === 0) break;
      }
      if (!(m.p99 < P99_LIMIT_MS) || m.errors > 0) break;
      best = rate;
    }
    maxThroughput[t.name] = { rate: best, steps };
  }

  const wrkRps = {};
  if (peers.wrk) {
    for (const t of targets) {
      wrkRps[t.name] = await wrk(t, p.wrkSeconds);
      log(`router overhead: wrk ${t.name} ${wrkRps[t.name]} req/s`);
    }
  }

  // Ratios at the middle rate (busy but below saturation) and for throughput.
  const mid = byRate[Math.min(1, byRate.length - 1)];
  const ratios = [
    // Ratios of end-to-end latency (added latency alone is too close to 0 for nginx to divide by).
    ratio(`p50 latency at ${mid.rate} req/s, via Slipway router / via nginx`, mid.slipway.p50, mid.nginx.p50, '<=', 1.5, 'nginx'),
    ratio(`p99 latency at ${mid.rate} req/s, via Slipway router / via nginx`, mid.slipway.p99, mid.nginx.p99, '<=', 2, 'nginx'),
    ratio('max throughput at p99 < 10 ms, Slipway router / nginx', maxThroughput.slipway.rate, maxThroughput.nginx.rate, '>=', 0.5, 'nginx'),
    ratio('max throughput at p99 < 10 ms, Slipway router / direct', maxThroughput.slipway.rate, maxThroughput.direct.rate, '>=', 0.5, 'direct'),
  ];
  if (wrkRps.slipway && wrkRps.nginx) ratios.push(ratio('closed-loop saturation (wrk, 32 connections), Slipway router / nginx', wrkRps.slipway, wrkRps.nginx, '>=', 0.5, 'nginx'));
  return {
    measured: true,
    setup: { backend: 'Node http server answering "ok" (one process)', nginx: 'nginx, 1 worker, keep-alive upstream (128), access log on', slipway: 'router process (dist/src/router/process-main.js), fixed table, log lines and metrics shipped', loadgen: 'open loop (bench/lib/loadgen.mjs), latency from the intended start', seconds: p.seconds, routerLinesShipped: router.shipped.log },
    byRate, maxThroughput, wrk: wrkRps, ratios,
  };
}
