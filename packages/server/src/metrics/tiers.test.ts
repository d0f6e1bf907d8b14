import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planQuery } from './tiers.js';

const NOW = 1_800_000_000_000;
const MIN = 60_000;

test('a query reads the coarsest tier that holds its start and is not coarser than its step', () => {
  const cases: [string, number, number, number, number][] = [
    // name, start (ago), wanted step s → tier step s, answered step s
    ['last 10 min at 10 s', 10 * MIN, 10, 10, 10],
    ['last hour at 1 min', 60 * MIN, 60, 60, 60],
    ['last 30 min at 30 s', 30 * MIN, 30, 10, 30],
    ['last 30 min at 25 s rounds up to 30', 30 * MIN, 25, 10, 30],
    ['2 h ago at 10 s: the 10 s tier is gone', 120 * MIN, 10, 60, 60],
    ['3 days ago at 1 min: only the 10 min tier', 3 * 24 * 60 * MIN, 60, 600, 600],
    ['a day at 1 h', 24 * 60 * MIN, 3600, 600, 3600],
    ['last hour at 90 s: the 1 min tier, 2 min steps', 60 * MIN, 90, 60, 120],
    ['older than a week: the coarsest tier', 30 * 24 * 60 * MIN, 60, 600, 600],
    ['a step below 10 s is 10 s', 5 * MIN, 1, 10, 10],
  ];
  for (const [name, ago, want, tier, step] of cases) {
    const plan = planQuery(NOW - ago, want, NOW);
    assert.deepEqual([plan.tier.stepS, plan.stepS], [tier, step], name);
  }
});
