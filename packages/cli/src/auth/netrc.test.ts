import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { deleteNetrcEntry, findNetrcEntry, readNetrcEntry, removeNetrcEntry, setNetrcEntry, writeNetrcEntry } from './netrc.js';

const sample = `# my machines
machine api.github.com
  login octo
  password gh-secret
machine localhost:5000 login old@example.com password old-token
default login anon password anon-pass
`;

describe('netrc text', () => {
  it('finds entries in multi-line and one-line forms, and default is not a machine', () => {
    assert.deepEqual(findNetrcEntry(sample, 'api.github.com'), { login: 'octo', password: 'gh-secret' });
    assert.deepEqual(findNetrcEntry(sample, 'localhost:5000'), { login: 'old@example.com', password: 'old-token' });
    assert.equal(findNetrcEntry(sample, 'localhost:5001'), undefined);
    assert.deepEqual(findNetrcEntry('machine "a b" login x password "p q"', 'a b'), { login: 'x', password: 'p q' });
  });

  it('replaces one entry and keeps every other entry and comment byte for byte', () => {
    const next = setNetrcEntry(sample, 'localhost:5000', { login: 'new@example.com', password: 'new-token' });
    assert.deepEqual(findNetrcEntry(next, 'localhost:5000'), { login: 'new@example.com', password: 'new-token' });
    assert.ok(next.startsWith('# my machines\nmachine api.github.com\n  login octo\n  password gh-secret\n'));
    assert.ok(next.includes('default login anon password anon-pass'));
    assert.equal(next.match(/localhost:5000/g)?.length, 1);
  });

  it('appends a new entry, and removes it again', () => {
    const added = setNetrcEntry('machine a login b password c', 'localhost:5000', { login: 'x@y', password: 't' });
    assert.equal(added, 'machine a login b password c\nmachine localhost:5000\n  login x@y\n  password t\n');
    assert.equal(removeNetrcEntry(added, 'localhost:5000'), 'machine a login b password c\n');
    assert.equal(removeNetrcEntry(sample, 'nope'), sample);
  });

  it('skips macdef bodies', () => {
    const text = 'macdef init\nmachine fake login no password no\n\nmachine real login yes password ok\n';
    assert.equal(findNetrcEntry(text, 'fake'), undefined);
    assert.deepEqual(findNetrcEntry(text, 'real'), { login: 'yes', password: 'ok' });
  });

  it('refuses values with spaces', () => {
    assert.throws(() => setNetrcEntry('', 'h', { login: 'a b', password: 'c' }));
  });
});

describe('netrc file', () => {
  it('writes ~/.netrc with mode 0600, reads it back and deletes the entry', async () => {
    const home = await mkdtemp(path.join(os.tmpdir(), 'slipway-netrc-'));
    try {
      await writeFile(path.join(home, '.netrc'), sample, { mode: 0o644 });
      await writeNetrcEntry(home, 'localhost:5000', { login: 'me@example.com', password: 'tok' });
      assert.equal((await stat(path.join(home, '.netrc'))).mode & 0o777, 0o600);
      assert.deepEqual(await readNetrcEntry(home, 'localhost:5000'), { login: 'me@example.com', password: 'tok' });
      assert.equal(await deleteNetrcEntry(home, 'localhost:5000'), true);
      assert.equal(await deleteNetrcEntry(home, 'localhost:5000'), false);
      const text = await readFile(path.join(home, '.netrc'), 'utf8');
      assert.ok(text.includes('gh-secret') && !text.includes('localhost:5000'));
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });

  it('reads nothing when there is no ~/.netrc, and creates it 0600', async () => {
    const home = await mkdtemp(path.join(os.tmpdir(), 'slipway-netrc-'));
    try {
      assert.equal(await readNetrcEntry(home, 'localhost:5000'), undefined);
      await writeNetrcEntry(home, 'localhost:5000', { login: 'me', password: 'tok' });
      assert.equal((await stat(path.join(home, '.netrc'))).mode & 0o777, 0o600);
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});
