import { test } from 'node:test';
import assert from 'node:assert/strict';
import { paginate, parseRange, DEFAULT_PAGE, MAX_PAGE } from './range.js';

const releases = { keys: ['version'] };

test('parses the ranges the heroku CLI sends', () => {
  assert.deepEqual(parseRange('version ..; max=15, order=desc', releases), { key: 'version', startExclusive: false, max: 15, order: 'desc' });
  assert.deepEqual(parseRange('version ..; max=10, order=desc', releases), { key: 'version', startExclusive: false, max: 10, order: 'desc' });
  assert.deepEqual(parseRange('version ..; order=desc,max=1', releases), { key: 'version', startExclusive: false, max: 1, order: 'desc' });
  assert.deepEqual(parseRange('id ..; max=1000;', { keys: ['id', 'hostname'] }), { key: 'id', startExclusive: false, max: 1000, order: 'asc' });
  assert.deepEqual(parseRange(']aaa..; max=10', { keys: ['name', 'id'] }), { key: 'name', start: 'aaa', startExclusive: true, max: 10, order: 'asc' });
  assert.deepEqual(parseRange('name ]foo..; max=2', { keys: ['name', 'id'] }), { key: 'name', start: 'foo', startExclusive: true, max: 2, order: 'asc' });
  assert.deepEqual(parseRange('version 3..7', releases), { key: 'version', start: '3', end: '7', startExclusive: false, max: DEFAULT_PAGE, order: 'asc' });
});

test('an empty or missing Range means defaults', () => {
  for (const h of ['', '   ', undefined]) {
    assert.deepEqual(parseRange(h, { keys: ['name'], defaultOrder: 'asc' }), { key: 'name', startExclusive: false, max: DEFAULT_PAGE, order: 'asc' });
  }
});

test('max is capped at 1000', () => {
  assert.equal(parseRange('id ..; max=5000', { keys: ['id'] }).max, MAX_PAGE);
});

test('bad ranges are 416 requested_range_not_satisfiable', () => {
  for (const h of ['color ..; max=1', 'version ..; max=0', 'version ..; max=x', 'version ..; order=up', 'version ..; bogus=1', 'version ..; ???']) {
    assert.throws(() => parseRange(h, releases), (err: { code?: string }) => err.code === 'requested_range_not_satisfiable', h);
  }
});

const items = Array.from({ length: 5 }, (_, i) => ({ version: i + 1, name: `app-${String.fromCharCode(97 + i)}` }));
const key = (x: { version: number; name: string }, k: string) => (k === 'version' ? x.version : x.name);

test('pages with 206 and Next-Range only while more items exist', () => {
  const first = paginate(items, parseRange('version ..; max=2', releases), key);
  assert.equal(first.status, 206);
  assert.deepEqual(first.items.map((i) => i.version), [1, 2]);
  assert.equal(first.headers['Next-Range'], 'version ]2..; max=2');
  const second = paginate(items, parseRange(first.headers['Next-Range'], releases), key);
  assert.deepEqual(second.items.map((i) => i.version), [3, 4]);
  const last = paginate(items, parseRange(second.headers['Next-Range'], releases), key);
  assert.equal(last.status, 200);
  assert.deepEqual(last.items.map((i) => i.version), [5]);
  assert.equal(last.headers['Next-Range'], undefined);
});

test('exactly one full page is a 200 without Next-Range', () => {
  const page = paginate(items, parseRange('version ..; max=5', releases), key);
  assert.equal(page.status, 200);
  assert.equal(page.headers['Next-Range'], undefined);
});

test('order=desc pages from the newest', () => {
  const first = paginate(items, parseRange('version ..; max=2, order=desc', releases), key);
  assert.deepEqual(first.items.map((i) => i.version), [5, 4]);
  assert.equal(first.headers['Next-Range'], 'version ]4..; max=2, order=desc');
  const second = paginate(items, parseRange(first.headers['Next-Range'], releases), key);
  assert.deepEqual(second.items.map((i) => i.version), [3, 2]);
  const inclusive = paginate(items, parseRange('version 3..; order=desc', releases), key);
  assert.deepEqual(inclusive.items.map((i) => i.version), [3, 2, 1]);
});

test('string keys page by name', () => {
  const page = paginate(items, parseRange(']app-b..; max=10', { keys: ['name'] }), key);
  assert.deepEqual(page.items.map((i) => i.name), ['app-c', 'app-d', 'app-e']);
});
