import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderReport } from './report.mjs';

const machine = { cpuModel: 'CPU', cores: 2, memoryGb: 4, kernel: 'Linux 6', node: 'v20', loadAverage: [1, 1, 1], loadAverageAtEnd: [2, 2, 2] };

test('the report lists every ratio with its goal and says "not measured: <reason>" for the rest', () => {
  const charts = new Map();
  const md = renderReport({
    startedAt: 't', quick: false, seconds: 1, machine, peers: { nginx: '1.22' },
    sections: {
      logs: {
        measured: true, seconds: 1, perAppRateLimit: 5000,
        throughput: [{ apps: 1, lines: 10, ms: 1, linesPerSec: 10000 }],
        tail: { rate: 1, seconds: 1, published: 1, logSession: { seen: 1, p50: 1, p99: 2, max: 2 }, bareSse: { seen: 1, p50: 0.5, p99: 1, max: 1 } },
        ratios: [{ what: 'tail delay p50, log session / bare SSE server', peer: 'bare SSE server', ours: 1, peerValue: 0.5, value: 2, goal: '<= 5', met: true }],
      },
      density: { measured: false, reason: 'no dyno manager', rows: [], seconds: 1 },
    },
  }, { jsonRel: 'r.json', chartsRel: 'charts', charts });
  assert.match(md, /\| Logs: tail delay p50, log session \/ bare SSE server \| 1 \| bare SSE server \| 0\.5 \| 2 \| ratio <= 5 \| met \|/);
  assert.match(md, /6\. Density and overhead: not measured: no dyno manager/);
  assert.match(md, /## 1\. Router overhead\n\nnot measured: not part of this run/);
  assert.match(md, /\| CPU \| CPU \|/);
  assert.ok(charts.has('logs-tail.svg'));
});
