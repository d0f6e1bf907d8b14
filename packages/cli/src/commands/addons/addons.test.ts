import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useMockApi } from '../../testing/mock-api.js';
import { runCommand } from '../../testing/run-cli.js';

const api = useMockApi();
const run = (argv: string[]) => runCommand(argv, { apiUrl: api.url });
const addon = { id: 'a1', name: 'postgresql-curved-12345', app: { id: 'app1', name: 'myapp' }, plan: { name: 'heroku-postgresql:essential-0' }, state: 'provisioned', config_vars: ['DATABASE_URL'] };

describe('addons', () => {
  it('creates with --as and --name, then lists with the attachments', async () => {
    api.expect('POST', '/apps/myapp/addons', { status: 201, body: { ...addon, name: 'analytics-db', config_vars: ['ANALYTICS_URL'] } });
    const created = await run(['addons:create', 'heroku-postgresql:essential-0', '-a', 'myapp', '--as', 'ANALYTICS', '--name', 'analytics-db']);
    assert.equal(created.code, 0, created.stderr);
    assert.deepEqual(api.requests[0].body, { plan: { name: 'heroku-postgresql:essential-0' }, attachment: { name: 'ANALYTICS' }, config: {}, name: 'analytics-db' });
    assert.equal(created.stdout, 'Created analytics-db as ANALYTICS_URL\n');

    api.expect('GET', '/apps/myapp/addons', { body: [addon] });
    api.expect('GET', '/apps/myapp/addon-attachments', { body: [{ id: 'x1', name: 'DATABASE', app: { name: 'myapp' }, addon: { id: 'a1', name: addon.name, app: { name: 'myapp' } } }] });
    const list = await run(['addons', '-a', 'myapp']);
    assert.match(list.stdout, /postgresql-curved-12345\s+essential-0\s+created/);
    assert.match(list.stdout, /└─ as DATABASE/);
    api.assertDone();
  });

  it('attaches --as, detaches by attachment name, destroys only with the owning app confirmed', async () => {
    api.expect('POST', '/addon-attachments', { status: 201, body: { id: 'x2', name: 'REPORTING', app: { name: 'other' }, addon: { id: 'a1', name: addon.name, app: { name: 'myapp' } } } });
    assert.equal((await run(['addons:attach', addon.name, '-a', 'other', '--as', 'REPORTING'])).code, 0);
    assert.deepEqual(api.requests[0].body, { addon: { name: addon.name }, app: { name: 'other' }, name: 'REPORTING' });
    api.expect('GET', '/apps/other/addon-attachments/REPORTING', { body: { id: 'x2', name: 'REPORTING', app: { name: 'other' }, addon: { id: 'a1', name: addon.name, app: { name: 'myapp' } } } });
    api.expect('DELETE', '/addon-attachments/x2', { body: {} });
    assert.equal((await run(['addons:detach', 'REPORTING', '-a', 'other'])).code, 0);

    api.expect('GET', `/apps/myapp/addons/${addon.name}`, { body: addon });
    const refused = await run(['addons:destroy', addon.name, '-a', 'myapp', '--confirm', 'other']);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /Confirmation other did not match myapp/);
    api.expect('GET', `/apps/myapp/addons/${addon.name}`, { body: addon });
    api.expect('DELETE', '/apps/app1/addons/a1', { body: { ...addon, state: 'deprovisioned' } });
    const destroyed = await run(['addons:destroy', addon.name, '-a', 'myapp', '--confirm', 'myapp']);
    assert.equal(destroyed.code, 0, destroyed.stderr);
    assert.deepEqual(api.requests.at(-1)?.body, { force: false });
    api.assertDone();
  });

  it('refuses a missing SERVICE:PLAN with a one-line usage error', async () => {
    const r = await run(['addons:create', '-a', 'myapp']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Missing SERVICE:PLAN/);
  });
});
