// 7. Autoscaling: a 4× load step (10 → 40 requests a second within one second) on an endpoint
// that holds its dyno for 50 ms (SLIPWAY_DYNO_CONCURRENCY=1, so one dyno serves 20 a second), with
// (a) Slipway's policy, (b) Heroku's policy (+1 dyno per decision, a minute apart; the same platform
// with the monitor's strategy switched), (c) a static formation of the peak's minimum (3 dynos at 75 %).
// Per scenario: time from the step until the p95 response time (client-side, 5 s windows) is back
// under the 250 ms target for good, requests over the target, and dyno-seconds used during the step.
// The work is a sleep, not CPU: on this 2-core machine a CPU-bound endpoint could not show scaling
// beyond two dynos. The platform runs with its production intervals (router metrics every 10 s,
// decisions every 2 s).
import http from 'node:http';
import { fixtureCheckout } from '../lib/fixture.mjs';
import { startPlatform } from '../lib/platform.mjs';
import { sleep, waitFor } from '../lib/proc.mjs';
import { ratio } from '../lib/ratio.mjs';
import { percentile, round } from '../lib/stats.mjs';

const APP = 'bench-scale';
const TARGET_MS = 250;
const BASE_RPS = 10;
const PEAK_RPS = 40;
const STATIC_PEAK = 3;
const WINDOW_MS = 5_000;

function get(platform, path, agent) {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port: platform.routerPort, path, agent, headers: { Host: `${APP}.localhost` }, timeout: 60_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode, ms: performance.now() - t0, at: t0 }));
    });
    req.on('error', () => resolve({ status: 0, ms: performance.now() - t0, at: t0 }));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

/** Open-loop requests at `rps` for `ms`; resolves with every reply (start time, latency, status). */
async function openLoop(platform, rps, ms, agent) {
  const replies = [];
  const t0 = performance.now();
  for (let i = 0; ; i += 1) {
    const due = t0 + (i * 1000) / rps;
    if (due - t0 >= ms) break;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    replies.push(get(platform, '/slow?ms=50', agent));
  }
  return Promise.all(replies);
}

/** Samples the web quantity every 250 ms until stopped; returns dyno-seconds over [from, to]. */
function quantitySampler(platform) {
  const samples = [];
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const r = await platform.api('GET', `/apps/${APP}/formation/web`);
      if (r.status === 200) samples.push({ at: performance.now(), quantity: r.body.quantity });
      await sleep(250);
    }
  })();
  return {
    async stop() { stopped = true; await loop; },
    dynoSeconds(from, to) {
      let total = 0;
      for (let i = 0; i < samples.length; i++) {
        const start = Math.max(from, samples[i].at);
        const end = Math.min(to, samples[i + 1]?.at ?? to);
        if (end > start) total += samples[i].quantity * (end - start) / 1000;
      }
      return total;
    },
    peak: () => Math.max(0, ...samples.map((s) => s.quantity)),
  };
}

/** ms from `stepAt` until every later 5 s window's p95 is under target (null: never within the run). */
function backUnderTarget(replies, stepAt, endAt) {
  const windows = [];
  for (let t = stepAt; t < endAt; t += WINDOW_MS) {
    const lat = replies.filter((r) => r.at >= t && r.at < t + WINDOW_MS).map((r) => r.ms).sort((a, b) => a - b);
    windows.push({ t, p95: lat.length ? percentile(lat, 95) : 0 });
  }
  let last = -1;
  windows.forEach((w, i) => { if (w.p95 > TARGET_MS) last = i; });
  if (last === windows.length - 1) return null;
  return last < 0 ? 0 : windows[last + 1].t - stepAt;
}

async function scenario(platform, name, { monitor, staticQuantity, baseMs = 20_000, stepMs, log }) {
  await platform.api('DELETE', `/apps/${APP}/formation/web/monitors/${(await platform.api('GET', `/apps/${APP}/formation/web/monitors`)).body[0]?.id ?? 'none'}`);
  const quantity = staticQuantity ?? 1;
  const scaled = await platform.api('PATCH', `/apps/${APP}/formation/web`, { quantity });
  if (scaled.status !== 200) throw new Error(`scale: ${scaled.status} ${JSON.stringify(scaled.body)}`);
  await waitFor(`${quantity} web dynos up`, async () => (await platform.api('GET', `/apps/${APP}/dynos`)).body.filter((d) => d.type === 'web' && d.state === 'up').length === quantity, 120_000, 250);
  if (monitor) {
    const m = await platform.api('POST', `/apps/${APP}/formation/web/monitors`, { min_quantity: 1, max_quantity: 10, value: TARGET_MS, ...monitor });
    if (m.status !== 201) throw new Error(`monitor: ${m.status} ${JSON.stringify(m.body)}`);
  }
  const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });
  const sampler = quantitySampler(platform);
  log(`autoscale ${name}: ${BASE_RPS} req/s for ${baseMs / 1000} s, then ${PEAK_RPS} req/s for ${stepMs / 1000} s`);
  const base = await openLoop(platform, BASE_RPS, baseMs, agent);
  const stepAt = performance.now();
  const step = await openLoop(platform, PEAK_RPS, stepMs, agent);
  const endAt = performance.now();
  await sampler.stop();
  agent.destroy();
  const lat = step.map((r) => r.ms).sort((a, b) => a - b);
  const result = {
    backUnderTargetMs: backUnderTarget(step, stepAt, endAt),
    overTarget: step.filter((r) => r.ms > TARGET_MS).length,
    requests: step.length,
    failed: [...base, ...step].filter((r) => r.status !== 200).length,
    p95Ms: round(percentile(lat, 95), 1),
    dynoSeconds: round(sampler.dynoSeconds(stepAt, endAt), 1),
    peakDynos: sampler.peak(),
    stepSeconds: round((endAt - stepAt) / 1000, 1),
  };
  log(`autoscale ${name}: ${JSON.stringify(result)}`);
  return result;
}

export async function autoscale({ quick, scope, serverDist, repoRoot, log }) {
  const platform = await startPlatform(scope, { serverDist, repoRoot, env: { SLIPWAY_BUILD_ISOLATION: 'none' } });
  const co = await fixtureCheckout(scope, { repoRoot, fixture: 'router-probe' });
  await co.commit('router probe');
  const created = await platform.api('POST', '/apps', { name: APP });
  if (created.status !== 201) throw new Error(`create: ${created.status}`);
  const pushed = await co.push(platform, APP);
  if (pushed.code !== 0) throw new Error(`push: ${pushed.output}`);
  await platform.api('PATCH', `/apps/${APP}/config-vars`, { SLIPWAY_DYNO_CONCURRENCY: '1' });
  const stepMs = quick ? 20_000 : 90_000;
  // --quick proves the harness (load, sampler, windows) on a shorter base and step; nothing is compared.
  const slipway = await scenario(platform, 'slipway', { monitor: { strategy: 'slipway' }, baseMs: quick ? 10_000 : 20_000, stepMs, log });
  if (quick) return { measured: true, quick: true, targetMs: TARGET_MS, baseRps: BASE_RPS, peakRps: PEAK_RPS, slipway, ratios: [] };
  const heroku = await scenario(platform, 'heroku', { monitor: { strategy: 'heroku' }, stepMs: 240_000, log });
  const fixed = await scenario(platform, 'static', { staticQuantity: STATIC_PEAK, stepMs, log });
  const herokuBack = heroku.backUnderTargetMs ?? heroku.stepSeconds * 1000;
  return {
    measured: true, targetMs: TARGET_MS, baseRps: BASE_RPS, peakRps: PEAK_RPS, staticPeak: STATIC_PEAK, slipway, heroku, static: fixed,
    ratios: [
      ratio('time until p95 is back under target after a 4× step, Slipway / Heroku\'s policy', slipway.backUnderTargetMs ?? NaN, herokuBack, '<=', 0.2, "Heroku's policy"),
      ratio('dyno-seconds during the step, Slipway / static formation of the peak\'s minimum', slipway.dynoSeconds, fixed.dynoSeconds, '<=', 1.3, 'static peak formation'),
    ],
  };
}
