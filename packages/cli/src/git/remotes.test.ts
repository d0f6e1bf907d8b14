import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gitOk } from './git.js';
import { gitUrl, listRemotes, parseAppUrl, parseRemoteOutput, pickAppFromRemotes } from './remotes.js';
import { CliError } from '../framework/errors.js';

const apiHost = 'localhost:5000';

describe('pickAppFromRemotes', () => {
  it('parses http(s) app URLs, with or without credentials', () => {
    assert.deepEqual(parseAppUrl('http://localhost:5000/myapp.git'), { host: 'localhost:5000', app: 'myapp' });
    assert.deepEqual(parseAppUrl('https://user@git.example.com/my-app.git'), { host: 'git.example.com', app: 'my-app' });
    assert.equal(parseAppUrl('https://github.com/org/repo.git'), undefined);
    assert.equal(parseAppUrl('git@github.com:org/repo.git'), undefined);
    assert.equal(gitUrl('http://localhost:5000', 'myapp'), 'http://localhost:5000/myapp.git');
  });

  it('takes the one app on the API host, ignoring unrelated remotes', () => {
    const remotes = [{ name: 'origin', url: 'https://github.com/org/repo.git' }, { name: 'prod', url: 'http://localhost:5000/myapp.git' }];
    assert.equal(pickAppFromRemotes(remotes, { apiHost }), 'myapp');
    assert.equal(pickAppFromRemotes([{ name: 'x', url: 'http://127.0.0.1:5000/loop.git' }], { apiHost }), 'loop');
  });

  it('accepts remotes named slipway or heroku on any host, and prefers slipway then heroku', () => {
    assert.equal(pickAppFromRemotes([{ name: 'heroku', url: 'https://localhost:5055/happ.git' }], { apiHost }), 'happ');
    const both = [{ name: 'heroku', url: 'http://localhost:5000/one.git' }, { name: 'slipway', url: 'http://localhost:5000/two.git' }];
    assert.equal(pickAppFromRemotes(both, { apiHost }), 'two');
  });

  it('errors clearly on none or on several apps without a preferred remote', () => {
    assert.throws(() => pickAppFromRemotes([], { apiHost }), (e: Error) => e instanceof CliError && /No app specified/.test(e.message));
    const two = [{ name: 'staging', url: 'http://localhost:5000/a-stg.git' }, { name: 'prod', url: 'http://localhost:5000/a-prod.git' }];
    assert.throws(() => pickAppFromRemotes(two, { apiHost }), /Multiple apps in git remotes: a-stg \(staging\), a-prod \(prod\)/);
    assert.equal(pickAppFromRemotes(two, { apiHost, remote: 'prod' }), 'a-prod');
    assert.throws(() => pickAppFromRemotes(two, { apiHost, remote: 'nope' }), /No git remote named "nope"/);
  });

  it('parses git remote -v output', () => {
    assert.deepEqual(parseRemoteOutput('origin\tgit@github.com:o/r.git (fetch)\norigin\tgit@github.com:o/r.git (push)\nslipway\thttp://localhost:5000/x.git (fetch)\n'), [
      { name: 'origin', url: 'git@github.com:o/r.git' },
      { name: 'slipway', url: 'http://localhost:5000/x.git' },
    ]);
  });
});

describe('listRemotes (real git)', () => {
  it('reads the remotes of a real repository, and none outside one', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'slipway-git-'));
    try {
      assert.deepEqual(await listRemotes(dir), []);
      await gitOk(dir, ['init', '-q']);
      await gitOk(dir, ['remote', 'add', 'origin', 'https://github.com/org/repo.git']);
      await gitOk(dir, ['remote', 'add', 'slipway', 'http://localhost:5000/real-app.git']);
      const remotes = await listRemotes(dir);
      assert.deepEqual(remotes.map((r) => r.name).sort(), ['origin', 'slipway']);
      assert.equal(pickAppFromRemotes(remotes, { apiHost }), 'real-app');
      const sub = path.join(dir, 'sub');
      await import('node:fs/promises').then((fs) => fs.mkdir(sub));
      assert.equal(pickAppFromRemotes(await listRemotes(sub), { apiHost }), 'real-app');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
