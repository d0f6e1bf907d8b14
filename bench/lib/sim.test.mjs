import assert from 'node:assert/strict';
import { test } from 'node:test';
import { centralQueue, perDynoQueues, policies, workload } from './sim.mjs';
import { nginxConf } from './nginx.mjs';
import { barChart } from './svg.mjs';
import { ratio } from './ratio.mjs';
import { summarize, weibull, weibullMean, rng } from './stats.mjs';

test('the workload is the same for the same seed and hits the asked utilisation', () => {
  const a = workload({ seed: 7, dynos: 10, utilisation: 0.8, shape: 0.7, medianMs: 50, seconds: 200 });
  const b = workload({ seed: 7, dynos: 10, utilisation: 0.8, shape: 0.7, medianMs: 50, seconds: 200 });
  assert.deepEqual(a.arrivals, b.arrivals);
  assert.deepEqual(a.services, b.services);
  const offered = a.services.reduce((x, y) => x + y, 0) / (200_000 * 10);
  assert.ok(Math.abs(offered - 0.8) < 0.08, `offered load ${offered}`);
});

test('weibull variates have the asked median and the closed-form mean', () => {
  const rand = rng(1);
  const xs = Array.from({ length: 200_000 }, () => weibull(rand, 0.7, 50));
  const s = summarize(xs);
  assert.ok(Math.abs(s.p50 - 50) < 2, `median ${s.p50}`);
  assert.ok(Math.abs(s.mean - weibullMean(0.7, 50)) / weibullMean(0.7, 50) < 0.05, `mean ${s.mean}`);
});

test('central queue: M/M/1 mean wait matches ρ/(μ−λ)', () => {
  const rand = rng(3);
  const arrivals = [];
  const services = [];
  let t = 0;
  for (let i = 0; i < 300_000; i++) {
    t += -Math.log(1 - rand()) / 0.5; // λ = 0.5 per ms
    arrivals.push(t);
    services.push(-Math.log(1 - rand()) / 1); // μ = 1 per ms
  }
  const waits = centralQueue(arrivals, services, 1).map((r) => r.queue);
  const mean = waits.reduce((a, b) => a + b, 0) / waits.length;
  assert.ok(Math.abs(mean - 1) < 0.1, `mean wait ${mean}, expected 1`);
});

test('with one server every policy is the central queue; with many, JSQ beats random', () => {
  const w = workload({ seed: 11, dynos: 10, utilisation: 0.8, shape: 0.7, medianMs: 50, seconds: 300 });
  const one = workload({ seed: 11, dynos: 1, utilisation: 0.5, shape: 1, medianMs: 10, seconds: 100 });
  assert.deepEqual(perDynoQueues(one.arrivals, one.services, 1, policies.random(1)), centralQueue(one.arrivals, one.services, 1));
  const mean = (rs) => rs.reduce((a, r) => a + r.response, 0) / rs.length;
  const ideal = mean(centralQueue(w.arrivals, w.services, 10));
  const jsq = mean(perDynoQueues(w.arrivals, w.services, 10, policies.leastOutstanding(1)));
  const random = mean(perDynoQueues(w.arrivals, w.services, 10, policies.random(1)));
  assert.ok(ideal <= jsq && jsq < random, `ideal ${ideal} jsq ${jsq} random ${random}`);
});

test('nginx config names the policy, every upstream and keep-alive', () => {
  const conf = nginxConf({ prefix: '/p', port: 8081, upstreams: [{ port: 1 }, { port: 2 }], policy: 'random' });
  assert.match(conf, /upstream dynos \{\n\s+random;/);
  assert.match(conf, /server 127\.0\.0\.1:1 max_fails=0;\n\s+server 127\.0\.0\.1:2 max_fails=0;/);
  assert.match(conf, /keepalive 128;/);
  assert.match(conf, /proxy_set_header Connection "";/);
  assert.doesNotMatch(nginxConf({ prefix: '/p', port: 1, upstreams: [{ port: 1 }] }), /random;/);
});

test('ratios say whether their goal is met; a missing figure is neither', () => {
  assert.equal(ratio('x', 2, 4, '<=', 0.8, 'peer').met, true);
  assert.equal(ratio('x', 4, 2, '>=', 0.5, 'peer').value, 2);
  assert.equal(ratio('x', null, 2, '<=', 1, 'peer').met, null);
});

test('bar charts are standalone SVG with a bar per finite value', () => {
  const svg = barChart({ title: 'T <1>', unit: 'ms', series: ['a', 'b'], groups: [{ label: 'g', values: [1, null] }] });
  assert.match(svg, /^<svg xmlns/);
  assert.match(svg, /T &lt;1&gt;/);
  assert.equal((svg.match(/<rect x=/g) ?? []).length, 1 + 2); // one bar + two legend keys
  assert.match(svg, /n\/m/);
});
