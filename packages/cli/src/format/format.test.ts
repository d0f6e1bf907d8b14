import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { formatPs } from './ps.js';
import { formatReleases } from './releases.js';
import { fileSize, shellQuote, styledObject, table } from './styled.js';
import { ago, agoSuffix, formatTime } from './time.js';
import { displaySize } from './sizes.js';

let savedTz: string | undefined;
before(() => {
  savedTz = process.env.TZ;
  process.env.TZ = 'UTC';
});
after(() => {
  if (savedTz === undefined) delete process.env.TZ;
  else process.env.TZ = savedTz;
});

const now = new Date('2026-11-22T22:06:01Z');
const dyno = (name: string, state: string, updated: string, command = 'npm start', size = 'Standard-1X') => ({
  name, type: name.split('.')[0], state: state as 'up', command, size, updated_at: updated,
});

describe('time', () => {
  it('formats like strftime %Y/%m/%d %H:%M:%S %z', () => {
    assert.equal(formatTime(new Date('2026-01-02T03:04:05Z')), '2026/01/02 03:04:05 +0000');
  });
  it('says how long ago in s, m, h under 25 hours, then nothing', () => {
    assert.equal(agoSuffix(new Date(now.getTime() - 49_000), now), ' (~ 49s ago)');
    assert.equal(agoSuffix(new Date(now.getTime() - 150_000), now), ' (~ 2m ago)');
    assert.equal(agoSuffix(new Date(now.getTime() - 8 * 3600_000 - 5), now), ' (~ 8h ago)');
    assert.equal(agoSuffix(new Date(now.getTime() - 24 * 3600_000), now), ' (~ 24h ago)');
    assert.equal(agoSuffix(new Date(now.getTime() - 25 * 3600_000), now), '');
    assert.equal(ago('2026-11-22T22:05:12Z', now), '2026/11/22 22:05:12 +0000 (~ 49s ago)');
  });
});

describe('formatPs', () => {
  it('lists one-offs first, then groups by command with the first dyno size, numbers sorted numerically', () => {
    const lines = formatPs([
      dyno('web.10', 'up', '2026-11-22T14:05:42Z'),
      dyno('web.2', 'crashed', '2026-11-22T22:03:42Z'),
      dyno('worker.1', 'starting', '2026-11-22T22:05:59Z', 'node worker.js', 'Standard-2X'),
      dyno('run.4821', 'up', '2026-11-22T22:05:12Z', 'bash', 'Basic'),
      dyno('web.1', 'up', '2026-11-22T14:05:42Z'),
    ], now);
    assert.deepEqual(lines, [
      '=== run: one-off processes (1)',
      '',
      'run.4821 (Basic): up 2026/11/22 22:05:12 +0000 (~ 49s ago): bash',
      '',
      '=== web (Standard-1X): npm start (3)',
      '',
      'web.1: up 2026/11/22 14:05:42 +0000 (~ 8h ago)',
      'web.2: crashed 2026/11/22 22:03:42 +0000 (~ 2m ago)',
      'web.10: up 2026/11/22 14:05:42 +0000 (~ 8h ago)',
      '',
      '=== worker (Standard-2X): node worker.js (1)',
      '',
      'worker.1: starting 2026/11/22 22:05:59 +0000 (~ 2s ago)',
    ]);
  });

  it('groups by command, not type', () => {
    const lines = formatPs([dyno('web.1', 'up', '2026-11-22T22:06:00Z', 'a'), dyno('web.2', 'up', '2026-11-22T22:06:00Z', 'b')], now);
    assert.equal(lines.filter((l) => l.startsWith('===')).length, 2);
  });
});

describe('formatReleases', () => {
  it('prints the header with the current release and aligned columns', () => {
    const r = (version: number, description: string, status = 'succeeded', current = false) => ({
      version, description, status: status as 'succeeded', current, created_at: '2026-11-22T21:05:42Z', user: { email: 'dev@example.com' },
    });
    assert.deepEqual(formatReleases('myapp', [r(2, 'Deploy 1a2b3c4'), r(3, 'Set FOO config vars', 'succeeded', true), r(4, 'Deploy ffff', 'failed')], now), [
      '=== myapp Releases - Current: v3',
      '',
      '  v4   Deploy ffff (release command failed)   dev@example.com   2026/11/22 21:05:42 +0000 (~ 1h ago)',
      '  v3   Set FOO config vars                    dev@example.com   2026/11/22 21:05:42 +0000 (~ 1h ago)',
      '  v2   Deploy 1a2b3c4                         dev@example.com   2026/11/22 21:05:42 +0000 (~ 1h ago)',
    ]);
    assert.deepEqual(formatReleases('myapp', [], now), ['myapp has no releases.']);
  });
});

describe('styled output', () => {
  it('aligns styledObject values two columns after the longest key, skipping empty values', () => {
    assert.deepEqual(styledObject({ FOO: 'bar', LONGER_KEY: 'x', NONE: undefined, LIST: ['a', 'b'] }), [
      'FOO:        bar',
      'LONGER_KEY: x',
      'LIST:       a',
      '            b',
    ]);
  });
  it('draws tables with a header rule', () => {
    assert.deepEqual(table([{ n: 'myapp', e: 'a@b.c' }], [{ header: 'Name', get: (r) => r.n }, { header: 'Email', get: (r) => r.e }]), [
      ' Name   Email',
      ' ─────  ─────',
      ' myapp  a@b.c',
    ]);
  });
  it('formats sizes, shell values and dyno sizes', () => {
    assert.equal(fileSize(0), '0 B');
    assert.equal(fileSize(1536), '1.5 KB');
    assert.equal(fileSize(null), undefined);
    assert.equal(shellQuote('plain'), 'plain');
    assert.equal(shellQuote("it's here"), `'it'\\''s here'`);
    assert.equal(displaySize('standard-2x'), 'Standard-2X');
    assert.equal(displaySize('Weird-9X'), 'Weird-9X');
  });
});
