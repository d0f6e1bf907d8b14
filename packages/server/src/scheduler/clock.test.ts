import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { scaledClock } from './clock.js';

describe('scheduler clock', () => {
  it('is the wall clock at scale 1 and runs `scale` times faster from its start otherwise', () => {
    let real = Date.parse('2026-12-07T17:00:00Z');
    const wall = scaledClock(1, () => real);
    const fast = scaledClock(60, () => real);
    real += 10_000;
    assert.equal(wall().toISOString(), '2026-12-07T17:00:10.000Z');
    assert.equal(fast().toISOString(), '2026-12-07T17:10:00.000Z', '10 s of wall time are 10 minutes at scale 60');
  });
});
