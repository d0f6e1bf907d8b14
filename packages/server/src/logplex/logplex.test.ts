import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { testConfig } from '../config.js';
import { createEventBus } from '../events/index.js';
import { silentLogger } from '../log/index.js';
import { createLogplex } from './logplex.js';
import { aLogplex, aStore, tempDir, waitFor, defer } from './test-kit.js';

const TS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00 /;

test('publish → history keeps order, numbers lines and formats them as Heroku prints', async (t) => {
  const store = await aStore(t);
  const logplex = await aLogplex(t, { store });
  logplex.publish('a1', { source: 'app', dyno: 'web.1', message: 'one' });
  logplex.publish('a1', { source: 'heroku', dyno: 'router', message: 'at=info method=GET path="/"' });
  logplex.publish('a1', { source: 'app', dyno: 'api', message: 'Release v2 created by user admin@example.com', time: new Date(Date.UTC(2026, 0, 1)) });
  await waitFor(() => logplex.history('a1').length === 3, 'dispatch');
  const h = logplex.history('a1');
  assert.deepEqual(h.map((e) => e.seq), [1, 2, 3]);
  assert.match(h[0].text, TS);
  assert.ok(h[0].text.endsWith(' app[web.1]: one'));
  assert.ok(h[1].text.endsWith(' heroku[router]: at=info method=GET path="/"'));
  assert.equal(h[2].text, '2026-01-01T00:00:00.000000+00:00 app[api]: Release v2 created by user admin@example.com');
  assert.deepEqual(logplex.history('other'), []);
});

test('long lines are split; history is bounded; lines=N returns the newest N matching', async (t) => {
  const store = await aStore(t);
  const logplex = await aLogplex(t, { store, config: { logHistoryLines: 50 } });
  logplex.publish('a1', { source: 'app', dyno: 'web.1', message: 'x'.repeat(25_000) });
  await waitFor(() => logplex.history('a1').length === 3, 'split');
  assert.deepEqual(logplex.history('a1').map((e) => e.message.length), [10_000, 10_000, 5_000]);
  for (let i = 0; i < 120; i++) logplex.publish('a1', { source: i % 2 ? 'heroku' : 'app', dyno: i % 2 ? 'router' : `web.${i % 3 + 1}`, message: `line ${i}` });
  await waitFor(() => logplex.history('a1', { lines: 1000 }).at(-1)?.message === 'line 119', 'all lines');
  const all = logplex.history('a1', { lines: 1000 });
  assert.equal(all.length, 50, 'bounded by logHistoryLines');
  assert.equal(all[0].message, 'line 70');
  assert.deepEqual(logplex.history('a1', { lines: 2 }).map((e) => e.message), ['line 118', 'line 119']);
  assert.deepEqual(logplex.history('a1', { lines: 2, source: 'heroku' }).map((e) => e.message), ['line 117', 'line 119']);
  assert.deepEqual(logplex.history('a1', { lines: 3, dyno: 'web' }).map((e) => e.dyno), ['web.1', 'web.3', 'web.2']);
  assert.ok(logplex.history('a1', { dyno: 'web.1' }).every((e) => e.dyno === 'web.1'));
});

test('history survives a stop/start of the logplex on the same data dir, and files stay bounded', async (t) => {
  const store = await aStore(t);
  const dataDir = await tempDir(t);
  const first = await aLogplex(t, { store, dataDir, config: { logHistoryLines: 100 } });
  for (let i = 0; i < 450; i++) first.publish('app-1', { source: 'app', dyno: 'web.1', message: `before restart ${i}` });
  first.publish('app-2', { source: 'heroku', dyno: 'web.1', message: 'State changed from starting to up' });
  await waitFor(() => first.history('app-1', { lines: 1 })[0]?.message === 'before restart 449', 'dispatch');
  const before = first.history('app-1', { lines: 100 });
  await first.stop();
  const file = path.join(dataDir, 'logs', 'app-1.log');
  const fileLines = (await fs.readFile(file, 'utf8')).split('\n').filter(Boolean).length;
  assert.ok(fileLines <= 200, `segment compacted to at most 2N lines (has ${fileLines})`);

  const second = await aLogplex(t, { store, dataDir, config: { logHistoryLines: 100 } });
  assert.deepEqual(second.history('app-1', { lines: 100 }).map((e) => [e.seq, e.text]), before.map((e) => [e.seq, e.text]));
  assert.equal(second.history('app-2')[0].message, 'State changed from starting to up');
  second.publish('app-1', { source: 'app', dyno: 'web.1', message: 'after restart' });
  await waitFor(() => second.history('app-1', { lines: 1 })[0]?.message === 'after restart', 'new line');
  assert.equal(second.history('app-1', { lines: 1 })[0].seq, 451, 'sequence numbers continue');
});

test('a torn last line (crash mid-append) is skipped on load', async (t) => {
  const store = await aStore(t);
  const dataDir = await tempDir(t);
  await fs.mkdir(path.join(dataDir, 'logs'));
  await fs.writeFile(path.join(dataDir, 'logs', 'app-9.log'),
    '{"q":1,"t":"2026-01-01T00:00:00.000001+00:00","s":"app","d":"web.1","m":"kept"}\n{"q":2,"t":"2026-01-01T00:00:0');
  const logplex = await aLogplex(t, { store, dataDir });
  assert.deepEqual(logplex.history('app-9').map((e) => e.text), ['2026-01-01T00:00:00.000001+00:00 app[web.1]: kept']);
});

test('subscribe delivers live lines that match the filter; dropChannel forgets everything', async (t) => {
  const store = await aStore(t);
  const dataDir = await tempDir(t);
  const events = createEventBus();
  const logplex = createLogplex({ config: testConfig({ dataDir }), store, logger: silentLogger, dataDir, events });
  await logplex.start();
  defer(t, async () => logplex.stop());
  const web: string[] = [];
  const heroku: string[] = [];
  const off = logplex.subscribe('a1', { dyno: 'web' }, (e) => web.push(e.message));
  logplex.subscribe('a1', { source: 'heroku' }, (e) => heroku.push(e.message));
  logplex.publish('a1', { source: 'app', dyno: 'web.1', message: 'w1' });
  logplex.publish('a1', { source: 'app', dyno: 'worker.1', message: 'k1' });
  logplex.publish('a1', { source: 'heroku', dyno: 'router', message: 'r1' });
  logplex.publish('a2', { source: 'app', dyno: 'web.1', message: 'other app' });
  await waitFor(() => heroku.length === 1 && web.length === 1, 'delivery');
  off();
  logplex.publish('a1', { source: 'app', dyno: 'web.2', message: 'w2' });
  await waitFor(() => logplex.history('a1').length === 4, 'dispatch');
  assert.deepEqual(web, ['w1']);
  assert.deepEqual(heroku, ['r1']);

  await logplex.stop();
  await fs.access(path.join(dataDir, 'logs', 'a1.log'));
  await logplex.start();
  events.emit('app.destroyed', { appId: 'a1', name: 'a1' });
  await waitFor(async () => logplex.history('a1').length === 0 && !(await exists(path.join(dataDir, 'logs', 'a1.log'))), 'channel dropped');
  assert.equal(logplex.history('a2').length, 1);
  logplex.publish('a1', { source: 'heroku', dyno: 'web.1', message: 'State changed from up to down' });
  logplex.publish('a2', { source: 'app', dyno: 'web.1', message: 'marker' });
  await waitFor(() => logplex.history('a2').length === 2, 'marker');
  assert.equal(logplex.history('a1').length, 0, 'late lines of a destroyed app do not re-open its channel');
});

test('a noisy app does not delay a quiet app: round-robin dispatch (ordering, no timing)', async (t) => {
  const store = await aStore(t);
  const logplex = await aLogplex(t, { store, config: { logRateLimit: 100_000 }, options: { quantum: 100 } });
  const order: string[] = [];
  logplex.subscribe('noisy', {}, () => order.push('noisy'));
  logplex.subscribe('quiet', {}, () => order.push('quiet'));
  for (let i = 0; i < 20_000; i++) logplex.publish('noisy', { source: 'app', dyno: 'web.1', message: `spam ${i}` });
  logplex.publish('quiet', { source: 'app', dyno: 'web.1', message: 'hello' });
  await waitFor(() => order.length === 20_001, 'all delivered');
  const at = order.indexOf('quiet');
  assert.ok(at <= 100, `quiet line delivered after at most one quantum of noisy lines (was after ${at})`);
  const noisy = logplex.history('noisy', { lines: 1500 });
  assert.ok(noisy.every((e, i) => i === 0 || e.seq === noisy[i - 1].seq + 1), 'noisy lines stay in order');
  assert.equal(noisy.at(-1)?.message, 'spam 19999');
});

test('an app over its rate limit is dropped and counted, then reported once with L12', async (t) => {
  const store = await aStore(t);
  let now = Date.UTC(2026, 0, 1);
  const logplex = await aLogplex(t, { store, config: { logRateLimit: 100 }, clock: () => now });
  for (let i = 0; i < 350; i++) logplex.publish('noisy', { source: 'app', dyno: 'web.1', message: `spam ${i}` });
  await waitFor(() => logplex.history('noisy', { lines: 1500 }).length === 100, 'burst admitted');
  now += 1000;
  logplex.publish('noisy', { source: 'app', dyno: 'web.1', message: 'after the flood' });
  await waitFor(() => logplex.history('noisy', { lines: 1500 }).length === 102, 'report and line');
  const [report, line] = logplex.history('noisy', { lines: 2 });
  assert.equal(report.text.replace(TS, ''), 'heroku[logplex]: Error L12 (local buffer overflow): 250 messages dropped since 2026-01-01T00:00:00+00:00.');
  assert.equal(line.message, 'after the flood');
});

async function exists(p: string): Promise<boolean> {
  return fs.access(p).then(() => true, () => false);
}

test('with the real clock, a flood admits no more than the rate limit allows, stamped no later than now', async (t) => {
  const store = await aStore(t);
  const limit = 1000;
  const logplex = await aLogplex(t, { store, config: { logRateLimit: limit, logHistoryLines: 100_000 } });
  const started = performance.now();
  let published = 0;
  // Many publishes per microsecond: a clock that stepped per call would mint tokens. At least
  // 300 ms and a flood of 20× the limit, however slow a loaded machine makes the loop.
  while (performance.now() - started < 300 || published <= 20 * limit) {
    for (let i = 0; i < 1000; i++) logplex.publish('flood', { source: 'app', dyno: 'web.1', message: `line ${published++}` });
  }
  const elapsedS = (performance.now() - started) / 1000;
  const wallAfter = Date.now();
  await new Promise((r) => setTimeout(r, 200));
  const admitted = logplex.history('flood', { lines: 100_000 }).filter((e) => e.source === 'app');
  assert.ok(published > 20 * limit, `the loop published a flood (${published})`);
  // burst (= limit) plus what refills during the loop, with slack for the clock's resolution
  assert.ok(admitted.length <= limit + Math.ceil(limit * elapsedS) + 10, `admitted ${admitted.length} of ${published} in ${elapsedS.toFixed(3)} s`);
  assert.ok(admitted.every((e, i) => i === 0 || e.timestamp > admitted[i - 1].timestamp), 'timestamps strictly increase');
  assert.ok(Date.parse(admitted.at(-1)!.timestamp) <= wallAfter + 50, 'timestamps do not run ahead of the wall clock');
});
