import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readlink, rm, readdir, writeFile } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { extractTarball, TarballError } from './tarball.js';
import { makeTar, makeTarGz, type TarEntrySpec } from './tar-writer.js';

async function withDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(tmpdir(), 'slipway-tar-test-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const extract = (buf: Buffer, dest: string, maxBytes = 1024 * 1024) => extractTarball(Readable.from([buf]), dest, { maxBytes });

test('extracts files, dirs and inside symlinks from a tar.gz', () => withDir(async (dir) => {
  const out = path.join(dir, 'out');
  const res = await extract(makeTarGz([
    { name: './', type: '5' },
    { name: './lib/', type: '5' },
    { name: './lib/a.js', body: 'module.exports = 1\n' },
    { name: './bin/run', body: '#!/bin/sh\n', mode: 0o755 },
    { name: './current', type: '2', linkname: 'lib/a.js' },
  ]), out);
  assert.equal(res.files, 2);
  assert.equal(await readFile(path.join(out, 'lib/a.js'), 'utf8'), 'module.exports = 1\n');
  assert.equal(await readlink(path.join(out, 'current')), 'lib/a.js');
}));

test('reads what the system tar and git archive write (pax, long names)', () => withDir(async (dir) => {
  const src = path.join(dir, 'src');
  const long = 'd'.repeat(120);
  spawnSync('mkdir', ['-p', path.join(src, long)]);
  await writeFile(path.join(src, long, 'f.txt'), 'deep');
  const tgz = path.join(dir, 's.tgz');
  const r = spawnSync('tar', ['--format=pax', '-czf', tgz, '-C', src, '.']);
  assert.equal(r.status, 0);
  const out = path.join(dir, 'out');
  await extract(await readFile(tgz), out);
  assert.equal(await readFile(path.join(out, long, 'f.txt'), 'utf8'), 'deep');
}));

const bad: [string, TarEntrySpec[], RegExp][] = [
  ['../ paths', [{ name: '../evil.txt', body: 'x' }], /outside the build directory/],
  ['nested ../ paths', [{ name: 'a/../../evil.txt', body: 'x' }], /outside the build directory/],
  ['absolute paths', [{ name: '/etc/evil', body: 'x' }], /absolute path/],
  ['symlinks pointing outside', [{ name: 'link', type: '2', linkname: '../../etc/passwd' }], /symlink "link" points outside/],
  ['absolute symlinks', [{ name: 'link', type: '2', linkname: '/etc/passwd' }], /absolute path/],
  ['character devices', [{ name: 'null', type: '3' }], /device file/],
  ['block devices', [{ name: 'sda', type: '4' }], /device file/],
  ['FIFOs', [{ name: 'pipe', type: '6' }], /FIFO/],
  ['hard links outside', [{ name: 'h', type: '1', linkname: '../x' }], /hard link "h" points outside/],
  ['writes through a symlink', [{ name: 'd', type: '2', linkname: '.' }, { name: 'd/x', body: 'x' }], /through a symlink/],
];
for (const [what, entries, message] of bad) {
  test(`rejects ${what}, leaving nothing outside`, () => withDir(async (dir) => {
    const out = path.join(dir, 'out');
    await assert.rejects(extract(makeTarGz(entries), out), (err: unknown) => err instanceof TarballError && message.test(err.message));
    assert.deepEqual((await readdir(dir)).sort(), ['out']);
  }));
}

test('rejects a size bomb by declared sizes before writing it', () => withDir(async (dir) => {
  const out = path.join(dir, 'out');
  const tar = makeTar([{ name: 'big', body: Buffer.alloc(0), size: 10 * 1024 * 1024 }]);
  await assert.rejects(extract(gzipSync(tar), out, 1024 * 1024), /size limit/);
}));

test('rejects many small files that add up past the limit (gzip bomb)', () => withDir(async (dir) => {
  const out = path.join(dir, 'out');
  const entries = Array.from({ length: 40 }, (_, i) => ({ name: `f${i}`, body: Buffer.alloc(64 * 1024) }));
  const bomb = makeTarGz(entries);
  assert.ok(bomb.length < 64 * 1024);
  await assert.rejects(extract(bomb, out, 1024 * 1024), /size limit/);
}));

test('rejects things that are not tarballs', () => withDir(async (dir) => {
  await assert.rejects(extract(Buffer.from('hello, this is not a tarball'.padEnd(600, '!')), path.join(dir, 'o')), /Not a tar archive/);
  await assert.rejects(extract(Buffer.from([0x1f, 0x8b, 1, 2, 3]), path.join(dir, 'p')), /gzip|truncated|Could not read/);
}));
