import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger } from '../log/index.js';
import { createMetrics } from './metrics.js';
import { MAX_LOG_SERIES, parseL2met } from './log-metrics.js';
import { aMetricsStore } from './test-kit.js';

test('l2met tokens: sample#, count#, measure# with units; anything else is not a metric', () => {
  assert.deepEqual(parseL2met('at=info count#jobs.done=3 sample#queue.depth=12 measure#db.query=4.5ms note=x#y'), [
    ['count', 'jobs.done', 3, ''], ['sample', 'queue.depth', 12, ''], ['measure', 'db.query', 4.5, 'ms'],
  ]);
  assert.deepEqual(parseL2met('no metrics here'), []);
  assert.deepEqual(parseL2met('count#x=abc measure#y=1.2.3 sample#z'), []);
});

test('an app\'s l2met lines become custom series per interval, summed across dynos, bounded at 50 names with a counted warning', async (t) => {
  const kit = await aMetricsStore(1);
  t.after(() => kit.cleanup());
  const [appId] = kit.appIds;
  const T0 = 1_800_000_000_000;
  const warnings: string[] = [];
  const logger = createLogger({ level: 'warn', write: (l) => warnings.push(l) });
  const metrics = createMetrics({ store: kit.store, logger, now: () => T0 + 60_000 });
  const line = (dyno: string, message: string, at: number) => metrics.observeLogLine(appId, { source: 'app', dyno, message, time: new Date(at) });
  line('worker.1', 'count#jobs.done=2 measure#job.time=100ms', T0 + 1_000);
  line('worker.2', 'count#jobs.done=3 measure#job.time=300ms', T0 + 2_000);
  line('web.1', 'sample#pool.size=5', T0 + 3_000);
  line('web.1', 'sample#pool.size=7', T0 + 4_000);
  metrics.observeLogLine(appId, { source: 'heroku', dyno: 'router', message: 'count#jobs.done=100', time: new Date(T0) });
  metrics.observeLogLine(appId, { source: 'app', dyno: 'api', message: 'count#jobs.done=100', time: new Date(T0) });
  for (let i = 0; i < MAX_LOG_SERIES + 5; i++) line('web.1', `count#extra.${i}=1`, T0 + 5_000);
  await metrics.flushDynos();
  const q = { startMs: T0, endMs: T0 + 60_000, stepS: 60 };
  const [jobs] = (await metrics.series(appId, 'custom:jobs.done', q)).points;
  assert.deepEqual(jobs, { time: new Date(T0).toISOString(), kind: 'count', unit: '', lines: 2, value: 5, per_minute: 5 });
  const [time] = (await metrics.series(appId, 'custom:job.time', q)).points;
  assert.deepEqual([time.kind, time.unit, time.mean, time.min, time.max], ['measure', 'ms', 200, 100, 300]);
  const [pool] = (await metrics.series(appId, 'custom:pool.size', { ...q, processType: 'web' })).points;
  assert.deepEqual([pool.value, pool.max, pool.lines], [7, 7, 2]);
  const names = await metrics.customMetrics(appId);
  assert.equal(names.length, MAX_LOG_SERIES);
  assert.ok(names.includes('custom:jobs.done') && !names.includes('custom:extra.49'));
  assert.ok(warnings.some((w) => /at=metrics.log_series_dropped .*dropped=8/.test(w)), warnings.join('\n'));
  await metrics.stop();
  await kit.store.close();
});
