import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyGitRequest, parseCgiHead } from './git-http.js';

test('classifies smart-HTTP git requests', () => {
  const q = (s: string) => new URLSearchParams(s);
  assert.deepEqual(classifyGitRequest('GET', '/myapp.git/info/refs', q('service=git-receive-pack')), { app: 'myapp', rest: '/info/refs', service: 'git-receive-pack' });
  assert.deepEqual(classifyGitRequest('POST', '/myapp.git/git-upload-pack', q('')), { app: 'myapp', rest: '/git-upload-pack', service: 'git-upload-pack' });
  assert.equal(classifyGitRequest('GET', '/apps/myapp', q('')), 'not-git');
  assert.equal(classifyGitRequest('GET', '/myapp.git/info/refs', q('')), 'unsupported');
  assert.equal(classifyGitRequest('GET', '/myapp.git/objects/info/packs', q('')), 'unsupported');
  assert.equal(classifyGitRequest('POST', '/myapp.git/git-evil-pack', q('')), 'unsupported');
});

test('parses CGI response heads with CRLF or LF', () => {
  const r = parseCgiHead(Buffer.from('Status: 403 Forbidden\r\nContent-Type: text/plain\r\n\r\nnope'));
  assert.equal(r?.status, 403);
  assert.equal(r?.headers['Content-Type'], 'text/plain');
  assert.equal(r?.body.toString(), 'nope');
  const ok = parseCgiHead(Buffer.from('Content-Type: application/x-git-receive-pack-advertisement\nCache-Control: no-cache\n\n001f#'));
  assert.equal(ok?.status, 200);
  assert.equal(ok?.body.toString(), '001f#');
  assert.equal(parseCgiHead(Buffer.from('Content-Type: text/plain\r\n')), undefined);
});
