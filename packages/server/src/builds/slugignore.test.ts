import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, writeFile, rm, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseSlugignore, applySlugignore } from './slugignore.js';

test('unanchored names match at any depth, anchored ones only at the root', () => {
  const m = parseSlugignore('# docs\n*.psd\n/docs\ntest/fixtures\nlog/\n!keep\n');
  assert.equal(m('a.psd', false), true);
  assert.equal(m('img/deep/b.psd', false), true);
  assert.equal(m('docs', true), true);
  assert.equal(m('src/docs', true), false);
  assert.equal(m('test/fixtures', true), true);
  assert.equal(m('x/test/fixtures', true), false);
  assert.equal(m('log', true), true);
  assert.equal(m('log', false), false);
  assert.equal(m('keep', false), false);
  assert.equal(m('index.js', false), false);
});

test('** spans directories', () => {
  const m = parseSlugignore('assets/**/*.map\n');
  assert.equal(m('assets/a/b/c.map', false), true);
  assert.equal(m('assets/c.map', false), true);
  assert.equal(m('other/c.map', false), false);
});

test('applySlugignore removes matching files from the build dir', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'slipway-slugignore-'));
  try {
    await mkdir(path.join(dir, 'docs'));
    await mkdir(path.join(dir, 'src'));
    await writeFile(path.join(dir, 'docs', 'big.pdf'), 'x');
    await writeFile(path.join(dir, 'src', 'a.psd'), 'x');
    await writeFile(path.join(dir, 'src', 'a.js'), 'x');
    await writeFile(path.join(dir, '.slugignore'), 'docs\n*.psd\n');
    const removed = await applySlugignore(dir);
    assert.deepEqual(removed.sort(), ['docs', 'src/a.psd']);
    assert.deepEqual((await readdir(path.join(dir, 'src'))).sort(), ['a.js']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('gitignore syntax beyond globs: character classes, escapes, trailing spaces', () => {
  const m = parseSlugignore('*.[oa]\n\\#notes\nspaced.txt   \n');
  assert.equal(m('lib/x.o', false), true);
  assert.equal(m('lib/x.a', false), true);
  assert.equal(m('lib/x.c', false), false);
  assert.equal(m('#notes', false), true);
  assert.equal(m('spaced.txt', false), true);
});

test('patterns with .. are ignored', () => {
  const m = parseSlugignore('../secret\nsrc/../x\n');
  assert.equal(m('secret', false), false);
  assert.equal(m('x', false), false);
});
