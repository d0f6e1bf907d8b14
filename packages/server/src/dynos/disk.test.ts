import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { findDynoSize } from '@slipway/contract';
import { diskFull, diskLine, dynoDiskBytes } from './disk.js';

const MB = 1024 * 1024;

describe('dyno disk quota', () => {
  it('defaults to half the memory quota per size, or the configured MB', () => {
    assert.equal(dynoDiskBytes(findDynoSize('standard-1x')!, 0), 256 * MB);
    assert.equal(dynoDiskBytes(findDynoSize('standard-2x')!, 0), 512 * MB);
    assert.equal(dynoDiskBytes(findDynoSize('performance-l')!, 0), 7168 * MB);
    assert.equal(dynoDiskBytes(findDynoSize('standard-1x')!, 64), 64 * MB);
  });

  it('is full with less than 1% left', () => {
    assert.equal(diskFull(100 * MB, 100 * MB), true);
    assert.equal(diskFull(99.5 * MB, 100 * MB), true);
    assert.equal(diskFull(98 * MB, 100 * MB), false);
    assert.equal(diskFull(0, 0), false);
  });

  it('says how full, as R14 says mem=', () => {
    assert.equal(diskLine(64 * MB, 64 * MB), 'Process running disk=64M(100.0%)');
  });
});
