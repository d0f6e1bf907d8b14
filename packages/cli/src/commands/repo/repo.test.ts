import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useMockApi } from '../../testing/mock-api.js';
import { runCommand } from '../../testing/run-cli.js';

const api = useMockApi();
const run = (argv: string[]) => runCommand(argv, { apiUrl: api.url });
const conn = {
  app: { id: 'a1', name: 'myapp' }, repo_url: 'https://git.example/acme/widgets.git', branch: 'release', wait_for_ci: true,
  ci_api_url: 'https://git.example/api/v1', webhook_url: 'http://localhost:5000/repo-hooks/a1', webhook_secret: 'sek', last_commit: null,
};

describe('repo', () => {
  it('connects with the flags given, shows and disconnects', async () => {
    api.expect('PUT', '/apps/myapp/repo-connection', { body: conn });
    api.expect('GET', '/apps/myapp/repo-connection', { body: { ...conn, last_commit: 'c'.repeat(40) } });
    api.expect('DELETE', '/apps/myapp/repo-connection', { body: conn });
    const c = await run(['repo:connect', 'https://tok@git.example/acme/widgets.git', '-b', 'release', '--wait-for-ci', '--ci-api', 'https://git.example/api/v1', '-a', 'myapp']);
    assert.equal(c.code, 0, c.stderr);
    assert.equal(c.stderr, 'Connecting myapp to https://git.example/acme/widgets.git... done\n');
    assert.match(c.stdout, /Branch: +release\nWait for CI: +yes \(https:\/\/git\.example\/api\/v1\)\nWebhook URL: +http:\/\/localhost:5000\/repo-hooks\/a1\nWebhook secret: sek/);
    const shown = await run(['repo', '-a', 'myapp']);
    assert.match(shown.stdout, new RegExp(`Last commit: +${'c'.repeat(40)}`));
    assert.equal((await run(['repo:disconnect', '-a', 'myapp'])).stderr, 'Disconnecting myapp from its repository... done\n');
    assert.deepEqual(api.requests[0]!.body, { repo_url: 'https://tok@git.example/acme/widgets.git', branch: 'release', wait_for_ci: true, ci_api_url: 'https://git.example/api/v1' });
    api.assertDone();
  });

  it('connects, shows and disconnects a pipeline\'s repository with -p', async () => {
    const repo = { full_name: 'acme/widgets', repo_url: 'https://git.example/acme/widgets.git', webhook_url: 'http://localhost:5000/repo-hooks/pipelines/p1', webhook_secret: 'sek' };
    api.expect('PUT', '/pipelines/shop/repo-connection', { body: repo });
    api.expect('GET', '/pipelines/shop/repo-connection', { body: repo });
    api.expect('DELETE', '/pipelines/shop/repo-connection', { body: repo });
    const c = await run(['repo:connect', 'https://git.example/acme/widgets.git', '-p', 'shop', '--ci-api', 'https://git.example/api/v1']);
    assert.equal(c.code, 0, c.stderr);
    assert.match(c.stdout, /=== shop repository \(review apps\)[\s\S]*Webhook URL: +http:\/\/localhost:5000\/repo-hooks\/pipelines\/p1/);
    assert.match((await run(['repo', '-p', 'shop'])).stdout, /Webhook secret: sek/);
    assert.equal((await run(['repo:disconnect', '-p', 'shop'])).stderr, 'Disconnecting pipeline shop from its repository... done\n');
    assert.deepEqual(api.requests[0]!.body, { repo_url: 'https://git.example/acme/widgets.git', ci_api_url: 'https://git.example/api/v1' });
    const bad = await run(['repo:connect', 'https://git.example/acme/widgets.git', '-p', 'shop', '-b', 'x']);
    assert.notEqual(bad.code, 0);
    api.assertDone();
  });

  it('needs a URL', async () => {
    const r = await run(['repo:connect', '-a', 'myapp']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Missing URL/);
    api.assertDone();
  });
});
