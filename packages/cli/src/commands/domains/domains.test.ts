import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useMockApi } from '../../testing/mock-api.js';
import { runCommand } from '../../testing/run-cli.js';

const api = useMockApi();
const run = (argv: string[]) => runCommand(argv, { apiUrl: api.url });

describe('domains', () => {
  it('lists the platform domain and a table of custom domains', async () => {
    api.expect('GET', '/apps/myapp/domains', { body: [
      { hostname: 'myapp.localhost', kind: 'heroku', cname: null },
      { hostname: 'www.example.com', kind: 'custom', cname: 'myapp.localhost' },
      { hostname: 'example.com', kind: 'custom', cname: 'myapp.localhost' },
    ] });
    const r = await run(['domains', '-a', 'myapp']);
    assert.equal(api.requests[0].headers.range, 'id ..; max=1000;');
    assert.equal(r.stdout, [
      '=== myapp Heroku Domain', '', 'myapp.localhost', '', '=== myapp Custom Domains', '',
      ' Domain Name      DNS Record Type  DNS Target',
      ' ───────────────  ───────────────  ───────────────',
      ' example.com      ALIAS or ANAME   myapp.localhost',
      ' www.example.com  CNAME            myapp.localhost', '',
    ].join('\n'));
    api.assertDone();
  });

  it('adds and removes a hostname', async () => {
    api.expect('POST', '/apps/myapp/domains', { status: 201, body: { hostname: 'www.example.com', cname: 'myapp.localhost', status: 'none' } });
    api.expect('DELETE', '/apps/myapp/domains/www.example.com', { body: {} });
    const add = await run(['domains:add', 'www.example.com', '-a', 'myapp']);
    assert.deepEqual(api.requests[0].body, { hostname: 'www.example.com', sni_endpoint: null });
    assert.equal(add.stderr, 'Adding www.example.com to myapp... done\n');
    assert.equal((await run(['domains:remove', 'www.example.com', '-a', 'myapp'])).code, 0);
    api.assertDone();
  });
});
