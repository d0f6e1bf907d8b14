import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { constants } from 'node:os';
import { findDynoSize } from '@slipway/contract';
import { dynoEnv } from './dyno-env.js';
import { createLineSplitter, MAX_LINE_CHARS } from './lines.js';
import { exitStatus, memoryLine, memoryVerdict } from './memory.js';
import { parseProcStat } from './proc-stat.js';

const MB = 1024 * 1024;
const std1x = findDynoSize('standard-1x')!;

describe('memory verdicts', () => {
  it('is ok under the quota, R14 over it, R15 over twice the quota', () => {
    assert.equal(memoryVerdict(100 * MB, std1x), 'ok');
    assert.equal(memoryVerdict(512 * MB, std1x), 'ok');
    assert.equal(memoryVerdict(513 * MB, std1x), 'R14');
    assert.equal(memoryVerdict(1024 * MB + 1, std1x), 'R15');
  });
  it("prints Heroku's mem line", () => {
    assert.equal(memoryLine(514 * MB, std1x), 'Process running mem=514M(100.4%)');
  });
  it('maps signals to 128 + signo like a shell', () => {
    const signals = constants.signals as unknown as Record<string, number>;
    assert.equal(exitStatus({ code: 3, signal: null }, signals), 3);
    assert.equal(exitStatus({ code: null, signal: 'SIGTERM' }, signals), 143);
    assert.equal(exitStatus({ code: null, signal: 'SIGKILL' }, signals), 137);
  });
});

describe('dyno env', () => {
  it('puts platform vars over config vars and never passes PORT through', () => {
    const env = dynoEnv({
      config: { FOO: 'bar', DYNO: 'spoofed', PORT: '1' }, appId: 'a1', appName: 'my-app', dynoName: 'web.2', dynoId: 'd1',
      releaseVersion: 7, slugCommit: 'abc', extra: { TERM: 'xterm' },
    });
    assert.equal(env.FOO, 'bar');
    assert.equal(env.DYNO, 'web.2');
    assert.equal(env.PORT, undefined);
    assert.equal(env.HEROKU_RELEASE_VERSION, 'v7');
    assert.equal(env.SLIPWAY_RELEASE_VERSION, 'v7');
    assert.equal(env.HEROKU_APP_NAME, 'my-app');
    assert.equal(env.HEROKU_SLUG_COMMIT, 'abc');
    assert.equal(env.TERM, 'xterm');
    assert.ok(env.PS1.length > 0);
  });
});

describe('line splitter', () => {
  it('splits on \\n and \\r\\n across chunks, keeps multibyte characters whole, flushes the tail', () => {
    const lines: string[] = [];
    const s = createLineSplitter((l) => lines.push(l));
    const euro = Buffer.from('€');
    s.push(Buffer.from('one\r\ntw'));
    s.push(Buffer.concat([Buffer.from('o '), euro.subarray(0, 1)]));
    s.push(Buffer.concat([euro.subarray(1), Buffer.from('\nthree')]));
    s.end();
    assert.deepEqual(lines, ['one', 'two €', 'three']);
  });
  it('cuts runaway lines', () => {
    const lines: string[] = [];
    const s = createLineSplitter((l) => lines.push(l));
    s.push(Buffer.alloc(MAX_LINE_CHARS + 5, 'x'));
    s.end();
    assert.deepEqual(lines.map((l) => l.length), [MAX_LINE_CHARS, 5]);
  });
});

describe('/proc/<pid>/stat parsing', () => {
  it('reads pgrp, state, rss and cpu even with spaces and parentheses in the name', () => {
    const fields = ['S', '1', '4242', '4242', '0', '-1', '4194560', '0', '0', '0', '0', '150', '50'];
    while (fields.length < 21) fields.push('0');
    fields.push('256');
    const s = parseProcStat(`4243 (my (odd) name) ${fields.join(' ')} 0 0`);
    assert.deepEqual(s, { pid: 4243, pgrp: 4242, state: 'S', rssBytes: 256 * 4096, cpuMicros: 200 * 10_000 });
    assert.equal(parseProcStat('garbage'), undefined);
  });
});
