import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startMockApi, type MockApi } from '../../testing/mock-api.js';
import { runCommand } from '../../testing/run-cli.js';
import { git, gitOk } from '../../git/git.js';

let api: MockApi;
let dir: string;
beforeEach(async () => {
  api = await startMockApi();
  dir = await mkdtemp(path.join(os.tmpdir(), 'slipway-apps-'));
});
afterEach(async () => {
  await api.close();
  await rm(dir, { recursive: true, force: true });
});

const anApp = (name: string, owner = 'admin@example.com') => ({
  id: `id-${name}`, name, web_url: `http://${name}.localhost:8080/`, git_url: `http://localhost:5000/${name}.git`,
  owner: { id: 'u1', email: owner }, region: { id: 'r', name: 'us' }, stack: { id: 's', name: 'heroku-24' },
  build_stack: { id: 's', name: 'heroku-24' }, maintenance: false, repo_size: null, slug_size: 1536,
});

describe('apps', () => {
  it('lists own apps under the account email and others as collaborated', async () => {
    api.expect('GET', '/users/~/apps', { body: [anApp('zeta'), anApp('alpha'), anApp('shared', 'dev@example.com')] });
    api.expect('GET', '/account', { body: { id: 'u1', email: 'admin@example.com' } });
    const r = await runCommand(['apps'], { apiUrl: api.url });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '=== admin@example.com Apps\n\nalpha\nzeta\n\n=== Collaborated Apps\n\n Name    Owner\n ──────  ───────────────\n shared  dev@example.com\n');
    api.assertDone();
  });
});

describe('apps:create', () => {
  it('POSTs the name, prints the URLs and adds a slipway remote whose pushes authenticate with the token', async () => {
    await gitOk(dir, ['init', '-q']);
    api.expect('POST', '/apps', { status: 201, body: anApp('myapp') });
    const bin = ['ts', 'js'].map((ext) => path.resolve(import.meta.dirname, `../../bin.${ext}`)).find((f) => existsSync(f))!;
    const selfCommand = [process.execPath, '--import', import.meta.resolve('tsx'), bin];
    const r = await runCommand(['apps:create', 'myapp'], { apiUrl: api.url, cwd: dir, selfCommand });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(api.requests[0].body, { name: 'myapp' });
    assert.equal(r.stderr, 'Creating myapp... done\n');
    assert.equal(r.stdout, `http://myapp.localhost:8080/ | ${api.url}/myapp.git\n`);
    assert.equal((await gitOk(dir, ['remote', 'get-url', 'slipway'])).trim(), `${api.url}/myapp.git`);

    // git itself asks the helper (the real CLI, run by git through sh) for the credentials.
    const fill = await new Promise<string>((resolve, reject) => {
      import('node:child_process').then(({ execFile }) => {
        const child = execFile('git', ['credential', 'fill'], {
          cwd: dir,
          env: { ...process.env, SLIPWAY_API_URL: api.url, SLIPWAY_API_KEY: 'tok-from-env', GIT_TERMINAL_PROMPT: '0', HOME: dir },
        }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
        child.stdin?.end(`protocol=http\nhost=${new URL(api.url).host}\n\n`);
      }, reject);
    });
    assert.match(fill, /^username=slipway$/m);
    assert.match(fill, /^password=tok-from-env$/m);
    api.assertDone();
  });

  it('lets the server pick a name and skips the remote outside a git repo', async () => {
    api.expect('POST', '/apps', { status: 201, body: anApp('sushi-tempura-4242') });
    const r = await runCommand(['create'], { apiUrl: api.url, cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(api.requests[0].body, {});
    assert.equal(r.stderr, 'Creating app... done, sushi-tempura-4242\n');
    assert.equal((await git(dir, ['remote'])).code !== 0 || (await git(dir, ['remote'])).stdout === '', true);
    api.assertDone();
  });
});

describe('apps:info', () => {
  it('prints the app with dynos and collaborators', async () => {
    api.expect('GET', '/apps/myapp', { body: anApp('myapp') });
    api.expect('GET', '/apps/myapp/dynos', { body: [{ type: 'web' }, { type: 'web' }, { type: 'worker' }] });
    api.expect('GET', '/apps/myapp/collaborators', { body: [{ role: 'owner', user: { email: 'admin@example.com' } }, { role: 'collaborator', user: { email: 'dev@example.com' } }] });
    const r = await runCommand(['apps:info', '-a', 'myapp'], { apiUrl: api.url });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, [
      '=== myapp', '',
      'Collaborators: dev@example.com',
      'Dynos:         web: 2',
      '               worker: 1',
      'Git URL:       http://localhost:5000/myapp.git',
      'Maintenance:   off',
      'Owner:         admin@example.com',
      'Region:        us',
      'Slug Size:     1.5 KB',
      'Stack:         heroku-24',
      'Web URL:       http://myapp.localhost:8080/', '',
    ].join('\n'));
    api.assertDone();
  });
});

describe('apps:rename and apps:destroy', () => {
  it('renames and rewrites the git remote', async () => {
    await gitOk(dir, ['init', '-q']);
    await gitOk(dir, ['remote', 'add', 'slipway', `${api.url}/oldname.git`]);
    api.expect('PATCH', '/apps/oldname', { body: anApp('newname') });
    const r = await runCommand(['apps:rename', 'newname'], { apiUrl: api.url, cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(api.requests[0].body, { name: 'newname' });
    assert.equal((await gitOk(dir, ['remote', 'get-url', 'slipway'])).trim(), `${api.url}/newname.git`);
    api.assertDone();
  });

  it('destroys only with a matching --confirm and removes the remote', async () => {
    await gitOk(dir, ['init', '-q']);
    await gitOk(dir, ['remote', 'add', 'slipway', `${api.url}/myapp.git`]);
    api.expect('GET', '/apps/myapp', { body: anApp('myapp') });
    const refused = await runCommand(['apps:destroy', '-a', 'myapp', '--confirm', 'other'], { apiUrl: api.url, cwd: dir });
    assert.deepEqual(refused, { code: 1, stdout: '', stderr: 'Error: Confirmation other did not match myapp. Aborted.\n' });
    api.expect('GET', '/apps/myapp', { body: anApp('myapp') });
    api.expect('DELETE', '/apps/myapp', { body: anApp('myapp') });
    const r = await runCommand(['apps:destroy', '--confirm', 'myapp'], { apiUrl: api.url, cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, 'Destroying myapp (including all add-ons)... done\n');
    assert.equal((await gitOk(dir, ['remote'])).trim(), '');
    api.assertDone();
  });
});
