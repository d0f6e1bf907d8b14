import { test } from 'node:test';
import assert from 'node:assert/strict';
import { link, mkdir, mkdtemp, open, readFile, readlink, rm, readdir, symlink, writeFile } from 'node:fs/promises';
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

const extractWith = (buf: Buffer, dest: string, opts: { maxBytes?: number; maxEntries?: number }) =>
  extractTarball(Readable.from([buf]), dest, { maxBytes: opts.maxBytes ?? 1024 * 1024, maxEntries: opts.maxEntries });

/** Runs the system tar in `dir` and returns the archive it wrote. */
async function systemTar(dir: string, args: string[]): Promise<Buffer> {
  const file = path.join(dir, 'archive.tar');
  const r = spawnSync('tar', ['-cf', file, ...args], { cwd: dir });
  assert.equal(r.status, 0, String(r.stderr));
  return readFile(file);
}

test('pax long names and long link targets (over 100 bytes)', () => withDir(async (dir) => {
  const src = path.join(dir, 'src');
  const long = Array.from({ length: 6 }, (_, i) => `segment-${i}-${'x'.repeat(30)}`).join('/');
  await mkdir(path.join(src, long), { recursive: true });
  await writeFile(path.join(src, long, 'file.txt'), 'deep');
  await symlink(`${long}/file.txt`, path.join(src, 'to-deep'));
  const out = path.join(dir, 'out');
  await extract(await systemTar(dir, ['--format=pax', '-C', src, '.']), out);
  assert.equal(await readFile(path.join(out, long, 'file.txt'), 'utf8'), 'deep');
  assert.equal(await readlink(path.join(out, 'to-deep')), `${long}/file.txt`);
}));

test('GNU long names and long links (././@LongLink entries)', () => withDir(async (dir) => {
  const src = path.join(dir, 'src');
  const longDir = 'g'.repeat(150);
  await mkdir(path.join(src, longDir), { recursive: true });
  await writeFile(path.join(src, longDir, 'a.txt'), 'gnu');
  await link(path.join(src, longDir, 'a.txt'), path.join(src, longDir, 'hard.txt'));
  await symlink(`${longDir}/a.txt`, path.join(src, 'soft'));
  const archive = await systemTar(dir, ['--format=gnu', '-C', src, '.']);
  assert.ok(archive.includes(Buffer.from('././@LongLink')), 'the system tar wrote GNU long-name entries');
  const out = path.join(dir, 'out');
  await extract(archive, out);
  assert.equal(await readFile(path.join(out, longDir, 'hard.txt'), 'utf8'), 'gnu');
  assert.equal(await readlink(path.join(out, 'soft')), `${longDir}/a.txt`);
}));

test('GNU sparse entries are refused with a clear message', () => withDir(async (dir) => {
  const src = path.join(dir, 'src');
  await mkdir(src);
  const fh = await open(path.join(src, 'sparse.bin'), 'w');
  await fh.write('start', 0);
  await fh.write('end', 512 * 1024);
  await fh.close();
  const archive = await systemTar(dir, ['--format=gnu', '--sparse', '-C', src, '.']);
  await assert.rejects(extract(archive, path.join(dir, 'out')), (err: unknown) => err instanceof TarballError && /sparse\.bin" has an unsupported type/.test(err.message));
}));

test('a gzip bomb (one zero-filled file, 100 MB in a few hundred KB) stops at the limit', () => withDir(async (dir) => {
  const tar = makeTar([{ name: 'zeros', body: Buffer.alloc(100 * 1024 * 1024) }]);
  const bomb = gzipSync(tar, { level: 9 });
  assert.ok(bomb.length < 200 * 1024, `bomb is ${bomb.length} bytes`);
  await assert.rejects(extract(bomb, path.join(dir, 'out'), 1024 * 1024), /size limit/);
}));

test('archives of many empty entries stop at the entry limit', () => withDir(async (dir) => {
  const entries = Array.from({ length: 50 }, (_, i) => ({ name: `e${i}`, body: '' }));
  await assert.rejects(extractWith(makeTarGz(entries), path.join(dir, 'out'), { maxEntries: 20 }), /more than 20 entries/);
}));

const chained: [string, TarEntrySpec[]][] = [
  ['a symlink to .. inside, then a link below it', [{ name: 'a/', type: '5' }, { name: 'a/b', type: '2', linkname: '..' }, { name: 'a/b/c', type: '2', linkname: '..' }]],
  ['a target that climbs after a symlink', [{ name: 's1', type: '2', linkname: '.' }, { name: 'sub/', type: '5' }, { name: 'sub/s2', type: '2', linkname: '../s1/..' }]],
  ['a hard link whose target climbs after a name', [{ name: 's1', type: '2', linkname: '.' }, { name: 'h', type: '1', linkname: 's1/../etc' }]],
];
for (const [what, entries] of chained) {
  test(`refuses chained link escapes: ${what}`, () => withDir(async (dir) => {
    const out = path.join(dir, 'out');
    await assert.rejects(extract(makeTarGz(entries), out), TarballError);
    assert.deepEqual((await readdir(dir)).sort(), ['out']);
  }));
}

test('a source stream that fails half-way rejects once the files already started are written', () => withDir(async (dir) => {
  const whole = makeTar([{ name: 'a.txt', body: 'a' }, { name: 'b.bin', body: Buffer.alloc(256 * 1024, 1) }]);
  const failing = new Readable({ read() {} });
  failing.push(whole.subarray(0, 100 * 1024));
  setTimeout(() => failing.destroy(new Error('connection reset')), 20);
  const out = path.join(dir, 'out');
  await assert.rejects(extractTarball(failing, out, { maxBytes: 1024 * 1024 }), (err: unknown) => err instanceof TarballError && /connection reset|truncated|Could not read/.test(err.message));
  await rm(out, { recursive: true });
  assert.deepEqual(await readdir(dir), []);
}));
