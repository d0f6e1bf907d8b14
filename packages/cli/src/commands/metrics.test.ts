import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useMockApi } from '../testing/mock-api.js';
import { runCommand } from '../testing/run-cli.js';
import { sparkline } from '../format/sparkline.js';

const api = useMockApi();
const now = new Date('2026-12-07T15:00:00Z');
const at = (i: number) => new Date(now.getTime() - 3_600_000 + i * 60_000).toISOString();
const series = (fields: (i: number) => Record<string, unknown>, n = 4) => ({ step: 60, points: Array.from({ length: n }, (_, i) => ({ time: at(i), ...fields(i) })) });

describe('metrics', () => {
  it('asks for the last hour of each series and prints the latest values with sparklines', async () => {
    const q = `?start=${now.getTime() - 3_600_000}&end=${now.getTime()}&step=60`;
    api.expect('GET', '/apps/myapp/formation', { body: [{ type: 'web', quantity: 1 }, { type: 'worker', quantity: 1 }, { type: 'clock', quantity: 0 }] });
    api.expect('GET', `/apps/myapp/metrics/response-time${q}&process_type=web`, { body: series((i) => (i === 3 ? { count: 0, p50: null, p95: null, p99: null } : { count: 10, p50: 40 + i, p95: 80 + 10 * i, p99: 130.4 })) });
    api.expect('GET', `/apps/myapp/metrics/throughput${q}&process_type=web`, { body: series((i) => ({ requests: i === 3 ? 0 : 100 * (i + 1), rpm: i === 3 ? 0 : 100 * (i + 1), '5xx': i === 2 ? 3 : 0 })) });
    api.expect('GET', `/apps/myapp/metrics/errors${q}&process_type=web`, { body: series((i) => ({ requests: 1, errors: i === 2 ? 3 : 0, codes: i === 2 ? { H12: 3 } : {} })) });
    for (const [type, mb] of [['web', 212], ['worker', 96]] as const) {
      api.expect('GET', `/apps/myapp/metrics/memory${q}&process_type=${type}`, { body: series((i) => ({ samples: 3, mean_mb: mb + i, quota_mb: 512 })) });
      api.expect('GET', `/apps/myapp/metrics/load${q}&process_type=${type}`, { body: series(() => ({ samples: 3, mean: type === 'web' ? 0.35 : 0.02 })) });
    }
    const r = await runCommand(['metrics', '-a', 'myapp'], { apiUrl: api.url, now });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, [
      '=== myapp Metrics (last 1h, 1 min steps)',
      '',
      'web     response time  p50 42ms  p95 100ms  p99 130ms     ▁▅█',
      '        throughput     300 rpm  errors 1.0% (H12 3)       ▃▆█▁',
      '        memory         215 MB (42% of 512 MB)  load 0.35  ▁▃▆█',
      'worker  memory         99 MB (19% of 512 MB)  load 0.02   ▁▃▆█',
      '',
    ].join('\n'));
    api.assertDone();
  });

  it('refuses an unknown --since with a one-line message and a non-zero exit', async () => {
    const r = await runCommand(['metrics', '-a', 'myapp', '--since', '3w'], { apiUrl: api.url, now });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /--since must be one of 10m, 1h, 6h, 24h, 7d/);
    api.assertDone();
  });
});

describe('sparkline', () => {
  it('scales to the series\' range and leaves gaps blank', () => {
    assert.equal(sparkline([0, 1, 2, 3, 4, 5, 6, 7]), '▁▂▃▄▅▆▇█');
    assert.equal(sparkline([5, null, 5]), '▄ ▄');
    assert.equal(sparkline([null, undefined]), '  ');
  });
});
