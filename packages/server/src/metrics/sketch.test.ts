import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seeded } from './test-kit.js';
import { addValue, decodeSketch, encodeSketch, mergeSketches, newSketch, quantile, RELATIVE_ACCURACY } from './sketch.js';

/** The exact value at rank q·(n−1) (the definition DDSketch approximates). */
function exact(sorted: number[], q: number): number {
  return sorted[Math.floor(q * (sorted.length - 1))];
}

const QS = [0.5, 0.95, 0.99];

test('quantiles stay within 1 % of the exact ones on a log-normal latency distribution', () => {
  const rnd = seeded(7);
  const values: number[] = [];
  const sketch = newSketch();
  for (let i = 0; i < 50_000; i++) {
    // log-normal around 40 ms with a long tail (Box–Muller)
    const z = Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
    const v = Math.exp(Math.log(40) + 0.9 * z);
    values.push(v);
    addValue(sketch, v);
  }
  values.sort((a, b) => a - b);
  const data = encodeSketch(sketch);
  for (const q of QS) {
    const want = exact(values, q);
    const got = quantile(data, q)!;
    assert.ok(Math.abs(got - want) / want <= RELATIVE_ACCURACY, `p${q * 100}: ${got} vs ${want}`);
  }
  assert.equal(quantile(data, 1), values[values.length - 1]);
});

test('encode/decode keeps every bin, count, sum, min and max', () => {
  const rnd = seeded(3);
  const s = newSketch();
  for (let i = 0; i < 1000; i++) addValue(s, rnd() < 0.1 ? 0 : rnd() * 500);
  addValue(s, -5);
  addValue(s, Number.NaN);
  const data = encodeSketch(s);
  const back = decodeSketch(data);
  assert.deepEqual(encodeSketch(back), data);
  assert.equal(back.count, 1002);
  assert.ok(data.zero >= 80, `zero count ${data.zero}`);
  for (const q of [0.1, 0.5, 0.9, 0.99]) assert.equal(back.getValueAtQuantile(q), s.getValueAtQuantile(q));
});

test('merging interval sketches equals one sketch of all the values (merge, never average)', () => {
  const rnd = seeded(11);
  const all = newSketch();
  const parts = [];
  for (let p = 0; p < 6; p++) {
    const part = newSketch();
    // each interval has its own level: averaging their p99s would be wrong
    for (let i = 0; i < 500; i++) {
      const v = (p + 1) * 10 + rnd() * (p === 5 ? 1000 : 10);
      addValue(part, v);
      addValue(all, v);
    }
    parts.push(encodeSketch(part));
  }
  const merged = mergeSketches(parts);
  assert.deepEqual(merged, encodeSketch(all));
  const avgOfP99 = parts.reduce((s, p) => s + quantile(p, 0.99)!, 0) / parts.length;
  assert.ok(Math.abs(quantile(merged, 0.99)! - avgOfP99) > 100);
  assert.equal(mergeSketches([]).n, 0);
  assert.equal(quantile(mergeSketches([]), 0.5), null);
});
