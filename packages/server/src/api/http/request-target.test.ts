import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isAmbiguousPath, isDotSegment, parseRequestTarget } from './request-target.js';
import { RouteTable } from './route-table.js';

test('the target is split raw: dot-segments stay, query parsed, absolute form keeps its path', () => {
  assert.deepEqual({ ...parseRequestTarget('/apps/a/domains/..?x=1#f'), query: undefined }, { path: '/apps/a/domains/..', rawQuery: 'x=1', query: undefined });
  assert.equal(parseRequestTarget('/apps?extended=true').query.get('extended'), 'true');
  assert.equal(parseRequestTarget('http://evil.example:80/apps/../x').path, '/apps/../x');
  assert.equal(parseRequestTarget(undefined).path, '/');
});

test('dot-segments, raw or percent-encoded in any case, and backslashes are ambiguous', () => {
  for (const s of ['.', '..', '%2e', '%2E%2e', '.%2E', '%2e.']) assert.ok(isDotSegment(s), s);
  for (const s of ['...', '.a', 'a..', '%2e%2e%2e', 'web.1']) assert.ok(!isDotSegment(s), s);
  for (const p of ['/apps/a/domains/..', '/apps/a/%2e%2e/b', '/apps/./a', '/apps/a\\..\\b', '/apps/a%5c..', 'apps', '*']) assert.ok(isAmbiguousPath(p), p);
  for (const p of ['/apps/a/domains/www.example.com', '/apps/a/dynos/web.1', '/', '/apps/a...b']) assert.ok(!isAmbiguousPath(p), p);
});

test('only GET and HEAD answer with a trailing slash; dot-segment and control-character params match nothing', () => {
  const handler = async () => ({});
  const t = new RouteTable([
    { method: 'GET', path: '/apps/:app', handler },
    { method: 'DELETE', path: '/apps/:app', handler },
  ]);
  assert.ok('route' in t.match('GET', '/apps/a/'));
  assert.ok('route' in t.match('DELETE', '/apps/a'));
  assert.deepEqual(t.match('DELETE', '/apps/a/'), { allowed: ['GET'] });
  assert.deepEqual(t.match('DELETE', '/apps/%2e%2e'), { allowed: [] });
  assert.deepEqual(t.match('GET', '/apps/a%00b'), { allowed: [] });
  assert.deepEqual(t.list(), [{ method: 'GET', path: '/apps/:app' }, { method: 'DELETE', path: '/apps/:app' }]);
});
