import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLogTailer, parseK8sLogLine, readExitFile } from './conmon.js';

describe('conmon logs and exit files', () => {
  const dirs: string[] = [];
  after(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('parses k8s-file records', () => {
    assert.deepEqual(parseK8sLogLine('2026-01-01T00:00:00.1+00:00 stdout F hello world'), { stream: 'stdout', partial: false, text: 'hello world' });
    assert.deepEqual(parseK8sLogLine('2026-01-01T00:00:00.1+00:00 stderr P part'), { stream: 'stderr', partial: true, text: 'part' });
    assert.deepEqual(parseK8sLogLine('2026-01-01T00:00:00.1+00:00 stdout F '), { stream: 'stdout', partial: false, text: '' });
    assert.equal(parseK8sLogLine('garbage'), null);
  });

  it('tails from an offset, joins partial records, waits for incomplete ones, restarts after rotation', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'slipway-conmon-'));
    dirs.push(dir);
    const file = path.join(dir, 'ctr.log');
    const lines: string[] = [];
    const t = createLogTailer(file, 0, (s, l) => lines.push(`${s}:${l}`));
    assert.equal(await t.poll(), 0, 'no file yet');
    await writeFile(file, 'T stdout F one\nT stderr P two-a\nT stderr F two-b\nT stdout F thr');
    await t.poll();
    assert.deepEqual(lines, ['stdout:one', 'stderr:two-atwo-b']);
    await appendFile(file, 'ee\n');
    const off = await t.poll();
    assert.deepEqual(lines.slice(2), ['stdout:three']);

    const resumed: string[] = [];
    await appendFile(file, 'T stdout F four\n');
    const t2 = createLogTailer(file, off, (_s, l) => resumed.push(l));
    await t2.poll();
    assert.deepEqual(resumed, ['four'], 'a new tailer resumes at the recorded offset');

    await writeFile(file, 'T stdout P tail-without-newline\n');
    await t2.poll();
    t2.end();
    assert.deepEqual(resumed, ['four', 'tail-without-newline'], 'a shrunk file is read from the start; end() flushes partials');
  });

  it('reads the exit status file', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'slipway-exit-'));
    dirs.push(dir);
    assert.equal(await readExitFile(dir, 'c1'), null);
    await writeFile(path.join(dir, 'c1'), '137');
    assert.equal(await readExitFile(dir, 'c1'), 137);
  });
});
