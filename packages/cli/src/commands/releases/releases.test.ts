import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useMockApi, useTimezone } from '../../testing/mock-api.js';
import { runCommand } from '../../testing/run-cli.js';

const api = useMockApi();
useTimezone('UTC');
const now = new Date('2026-11-22T22:06:01Z');
const aRelease = (version: number, extra: object = {}) => ({
  id: `rel-${version}`, version, description: `Deploy v${version}`, status: 'succeeded', current: false, eligible_for_rollback: true,
  created_at: '2026-11-22T21:05:42Z', user: { email: 'dev@example.com' }, addon_plan_names: [], output_stream_url: null, ...extra,
});

describe('releases', () => {
  it('asks for the newest N with Range and prints them', async () => {
    api.expect('GET', '/apps/myapp/releases', { body: [aRelease(3, { current: true, description: 'Set FOO config vars' }), aRelease(2)] });
    const r = await runCommand(['releases', '-a', 'myapp', '-n', '2'], { apiUrl: api.url, now });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(api.requests[0].headers.range, 'version ..; max=2, order=desc');
    assert.equal(r.stdout, [
      '=== myapp Releases - Current: v3', '',
      '  v3   Set FOO config vars   dev@example.com   2026/11/22 21:05:42 +0000 (~ 1h ago)',
      '  v2   Deploy v2             dev@example.com   2026/11/22 21:05:42 +0000 (~ 1h ago)', '',
    ].join('\n'));
    api.assertDone();
  });
});

describe('releases:info', () => {
  it('shows a release by version and its config vars', async () => {
    api.expect('GET', '/apps/myapp/releases/3', { body: aRelease(3) });
    api.expect('GET', '/apps/myapp/releases/3/config-vars', { body: { FOO: 'bar' } });
    const r = await runCommand(['releases:info', 'v3', '-a', 'myapp'], { apiUrl: api.url, now });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^=== Release v3\n\nAdd-ons:\nBy: +dev@example.com\nChange: +Deploy v3\nEligible for Rollback\?: Yes\nStatus: +succeeded\n/);
    assert.match(r.stdout, /=== v3 Config vars\n\nFOO: bar\n$/);
    api.assertDone();
  });
});

describe('rollback', () => {
  it('without a version rolls back to the previous eligible release', async () => {
    api.expect('GET', '/apps/myapp/releases', { body: [aRelease(5), aRelease(4, { eligible_for_rollback: false }), aRelease(3)] });
    api.expect('POST', '/apps/myapp/releases', { status: 201, body: aRelease(6) });
    const r = await runCommand(['rollback', '-a', 'myapp'], { apiUrl: api.url, now });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(api.requests[0].headers.range, 'version ..; max=10, order=desc');
    assert.deepEqual(api.requests[1].body, { release: 'rel-3' });
    assert.equal(r.stderr, 'Rolling back myapp to v3... done, v6\nTo undo, run: slipway rollback v5\n');
    api.assertDone();
  });

  it('with vN fetches that release, and streams the release output', async () => {
    api.expect('GET', '/apps/myapp/releases/2', { body: aRelease(2) });
    api.expect('POST', '/apps/myapp/releases', { status: 201, body: aRelease(7, { output_stream_url: `${api.url}/streams/rel-7` }) });
    api.expectRaw('GET', '/streams/rel-7', (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('Running release command...\nDone\n');
    });
    const r = await runCommand(['rollback', 'v2', '-a', 'myapp'], { apiUrl: api.url, now });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'Running release command...\nDone\n');
    api.assertDone();
  });

  it('errors when nothing is eligible', async () => {
    api.expect('GET', '/apps/myapp/releases', { body: [aRelease(1)] });
    const r = await runCommand(['rollback', '-a', 'myapp'], { apiUrl: api.url, now });
    assert.deepEqual(r, { code: 1, stdout: '', stderr: 'Error: No eligible release found for myapp to roll back to.\n' });
  });
});
