/**
 * Issue 19, finding 5 (the part of the API): `source_blob.url` accepted `gopher:`, `ftp:`, `data:`,
 * `file:` and relative URLs (201, failing later, or reading local files), and the `checksum` was
 * never verified. The whole platform in this process (builder with its process sandbox); a real
 * tarball of the procfile-app fixture uploaded through `POST /sources` and built.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startInProcessPlatform, type InProcessPlatform } from '../helpers/in-process-platform.js';
import { FIXTURES, run, waitFor } from './deploy-helpers.js';

const APP = 'source-e2e';
let p: InProcessPlatform;
let tmp: string;
let tarball: Buffer;
let getUrl: string;

interface BuildJson { id: string; status: string; output_stream_url: string }
async function call<T = unknown>(method: string, p2: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(p.url + p2, {
    method, body: body === undefined ? undefined : JSON.stringify(body),
    headers: { Authorization: `Bearer ${p.token}`, Accept: 'application/vnd.heroku+json; version=3', 'Content-Type': 'application/json' },
  });
  return { status: res.status, body: (await res.json()) as T };
}
const sha = (b: Buffer) => `SHA256:${createHash('sha256').update(b).digest('hex')}`;

async function finished(created: BuildJson): Promise<{ build: BuildJson; output: string }> {
  const output = await (await fetch(created.output_stream_url)).text();
  const build = await waitFor('build to finish', async () => {
    const b = await call<BuildJson>('GET', `/apps/${APP}/builds/${created.id}`);
    return b.body.status === 'pending' ? undefined : b.body;
  }, 120_000);
  return { build, output };
}

before(async () => {
  p = await startInProcessPlatform();
  tmp = await mkdtemp(path.join(os.tmpdir(), 'slipway-source-'));
  const tgz = path.join(tmp, 'app.tgz');
  assert.equal((await run('tar', ['-czf', tgz, '-C', path.join(FIXTURES, 'procfile-app'), '.'])).code, 0);
  tarball = await readFile(tgz);
  assert.equal((await call('POST', '/apps', { name: APP })).status, 201);
  const src = await call<{ source_blob: { put_url: string; get_url: string } }>('POST', '/sources');
  assert.equal((await fetch(src.body.source_blob.put_url, { method: 'PUT', body: tarball })).status, 200);
  getUrl = src.body.source_blob.get_url;
});
after(async () => {
  await p?.stop();
  await rm(tmp, { recursive: true, force: true });
});

test('source_blob.url other than absolute http(s) is a 422 at creation and creates no build', async () => {
  for (const url of ['gopher://127.0.0.1:70/1', 'ftp://127.0.0.1/app.tgz', 'data:application/gzip;base64,H4sI', `file://${tmp}/app.tgz`, `${tmp}/app.tgz`, 'app.tgz', '../sources/x', '//127.0.0.1/app.tgz', 'http://exa mple.com/x', 'https://']) {
    const r = await call<{ id: string; message: string }>('POST', `/apps/${APP}/builds`, { source_blob: { url } });
    assert.equal(r.status, 422, `${url}: ${r.status} ${JSON.stringify(r.body)}`);
    assert.equal(r.body.id, 'invalid_params');
    assert.match(r.body.message, /http:\/\/ or https:\/\//);
  }
  const r = await call<{ message: string }>('POST', `/apps/${APP}/builds`, { source_blob: { url: getUrl, checksum: 'md5:abc' } });
  assert.equal(r.status, 422);
  assert.match(r.body.message, /SHA256:<64 hex digits>/);
  assert.deepEqual((await call<unknown[]>('GET', `/apps/${APP}/builds`)).body, []);
});

test('a checksum that does not match fails the build with a clear message and releases nothing', async () => {
  const wrong = `SHA256:${'0'.repeat(64)}`;
  const created = await call<BuildJson>('POST', `/apps/${APP}/builds`, { source_blob: { url: getUrl, checksum: wrong } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const { build, output } = await finished(created.body);
  assert.equal(build.status, 'failed');
  assert.match(output, /does not match source_blob\.checksum: expected SHA256:0{64}, got SHA256:[0-9a-f]{64}/);
  const releases = (await call<{ description: string }[]>('GET', `/apps/${APP}/releases`)).body;
  assert.equal(releases.filter((x) => x.description.startsWith('Deploy')).length, 0);
});

test('the right checksum (any case) builds and releases', async () => {
  const created = await call<BuildJson>('POST', `/apps/${APP}/builds`, { source_blob: { url: getUrl, checksum: sha(tarball).replace(/[a-f]/g, (c) => c.toUpperCase()), version: 'v1' } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const { build, output } = await finished(created.body);
  assert.equal(build.status, 'succeeded', output);
});
