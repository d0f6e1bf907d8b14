import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseScaleArgs, parseTypeSizeArgs } from './scale.js';
import { parseConfigPairs } from './config-pairs.js';
import { CliError, UsageError } from '../framework/errors.js';

describe('parseScaleArgs', () => {
  it('sends quantities as strings, relative ones with their sign, sizes as typed', () => {
    assert.deepEqual(parseScaleArgs(['web=2', 'worker+1', 'clock-1', 'web=1:standard-2x', 'my_type=0']), [
      { type: 'web', quantity: '2' },
      { type: 'worker', quantity: '+1' },
      { type: 'clock', quantity: '-1' },
      { type: 'web', quantity: '1', size: 'standard-2x' },
      { type: 'my_type', quantity: '0' },
    ]);
  });

  it('rejects what is not TYPE=N, TYPE+N or TYPE-N', () => {
    for (const bad of ['web', 'web=', 'web=two', '=2', 'web=2:', 'web 2', 'web=2:std 1x']) {
      assert.throws(() => parseScaleArgs([bad]), UsageError, bad);
    }
  });

  it('parses type=size pairs', () => {
    assert.deepEqual(parseTypeSizeArgs(['web=performance-m']), [{ type: 'web', size: 'performance-m' }]);
    assert.throws(() => parseTypeSizeArgs(['web']), UsageError);
  });
});

describe('parseConfigPairs', () => {
  it('splits at the first = and keeps = and spaces in values', () => {
    assert.deepEqual(parseConfigPairs(['A=1', 'URL=postgres://u:p@h/db?x=1&y=2', 'B=x y', 'EMPTY=']), {
      A: '1',
      URL: 'postgres://u:p@h/db?x=1&y=2',
      B: 'x y',
      EMPTY: '',
    });
  });

  it('rejects no pairs, a missing = and an empty key', () => {
    assert.throws(() => parseConfigPairs([]), /Must specify KEY and VALUE/);
    assert.throws(() => parseConfigPairs(['FOO']), /FOO is invalid/);
    assert.throws(() => parseConfigPairs(['=bar']), CliError);
  });
});
