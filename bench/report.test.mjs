import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderReport } from './report.mjs';

const machine = { cpuModel: 'CPU', cores: 2, memoryGb: 4, kernel: 'Linux 6', node: 'v20', loadAverage: [1, 1, 1], loadAverageAtEnd: [2, 2, 2] };
const delays = (p50, p99) => ({ seen: 1000, p50, p99, max: p99 * 2 });

/** A logs section as bench/sections/logs.mjs returns it. */
function aLogsSection({ rsyslog = { measured: true, lines: 1000, ms: 5, linesPerSec: 200000, inOrder: true } } = {}) {
  return {
    measured: true, seconds: 1, lineBytes: 100, lines: 1000, perAppRateLimit: 5000,
    peers: { rsyslog: rsyslog.measured ? '8.2302.0' : null, cat: 'coreutils cat' },
    cat: { lines: 1000, ms: 0.1, linesPerSec: 10_000_000, samples: [0.1, 0.2, 0.1] },
    ceiling: {
      rateLimit: 100_000_000,
      store: { apps: 1, lines: 1000, ms: 10, linesPerSec: 100_000 },
      store10: { apps: 10, lines: 1000, ms: 12, linesPerSec: 83_333 },
      drain: { lines: 1000, ms: 12.5, linesPerSec: 80_000, inOrder: true, dropped: 0 },
    },
    rsyslog,
    userDefault: { rateLimit: 5000, seconds: 2, offered: 900_000, admitted: 15_000, allowed: 15_010, store: { ms: 2100, linesPerSec: 7143 }, drain: { lines: 15_000, ms: 2000, linesPerSec: 7500 } },
    tail: { rate: 200, seconds: 5, published: 1000, logSession: delays(0.4, 4), bareSse: delays(0.3, 3.8), rsyslog: rsyslog.measured ? delays(0.3, 4.1) : null },
    ratios: [
      { what: 'out to a syslog drain, limit raised: publish → receiver lines/s / rsyslog relay', peer: 'rsyslog 8.2302.0 imtcp → omfwd', ours: 80000, peerValue: 200000, value: 0.4, goal: '>= 0.5', met: false },
      { what: 'tail delay p50 (ms), log session / bare SSE server', peer: 'bare SSE server', ours: 1, peerValue: 0.5, value: 2, goal: '<= 5', met: true },
    ],
  };
}

test('the report lists every ratio with its goal and says "not measured: <reason>" for the rest', () => {
  const charts = new Map();
  const md = renderReport({
    startedAt: 't', quick: false, seconds: 1, machine, peers: { nginx: '1.22' },
    sections: { logs: aLogsSection(), density: { measured: false, reason: 'no dyno manager', rows: [], seconds: 1 } },
  }, { jsonRel: 'r.json', chartsRel: 'charts', charts });
  assert.match(md, /\| Logs: tail delay p50 \(ms\), log session \/ bare SSE server \| 1 \| bare SSE server \| 0\.5 \| 2 \| ratio <= 5 \| met \|/);
  assert.match(md, /\| Logs: out to a syslog drain, limit raised: publish → receiver lines\/s \/ rsyslog relay \| 80000 \| rsyslog 8\.2302\.0 imtcp → omfwd \| 200000 \| 0\.4 \| ratio >= 0\.5 \| \*\*not met\*\* \|/);
  assert.match(md, /6\. Density and overhead: not measured: no dyno manager/);
  assert.match(md, /## 1\. Router overhead\n\nnot measured: not part of this run/);
  assert.match(md, /\| CPU \| CPU \|/);
  assert.ok(charts.has('logs-tail.svg'));
  assert.ok(charts.has('logs-drain.svg'));
});

test('the logs section shows each throughput with its peer and ratio, limit raised and default apart', () => {
  const md = renderReport({ startedAt: 't', quick: true, seconds: 1, machine, peers: {}, sections: { logs: aLogsSection() } }, { jsonRel: 'r.json', chartsRel: 'charts', charts: new Map() });
  assert.match(md, /\| into the store: publish → last line in the durable history file, 1 app \| raised \| 1000 \| 10 \| 100000 \| `cat` of the same lines > \/dev\/null \| 10000000 \| 0\.01× \|/);
  assert.match(md, /\| out to a syslog drain: publish → last line at a TCP receiver \| raised \| 1000 \| 12\.5 \| 80000 \| rsyslog 8\.2302\.0 relay \(imtcp → omfwd\) \| 200000 \| 0\.4× \|/);
  assert.match(md, /\| into the store \(15000 of 900000 offered lines admitted; the limit allows 15010\) \| default 5000\/s \| 15000 \| 2100 \| 7143 \|/);
  assert.match(md, /\| out to a syslog drain \| default 5000\/s \| 15000 \| 2000 \| 7500 \| rsyslog/);
  assert.match(md, /\| log session: publish → logplex → API → SSE \(`heroku logs --tail`\) \| 1000 \| 0\.4 \| 4 \| 8 \|/);
  assert.match(md, /\| rsyslog 8\.2302\.0 relay \(imtcp → omfwd\): send → receiver \| 1000 \| 0\.3 \| 4\.1 \| 8\.2 \|/);
  assert.doesNotMatch(md, /could not render/);
});

test('without rsyslogd the logs section says why its peer was not measured', () => {
  const md = renderReport({ startedAt: 't', quick: true, seconds: 1, machine, peers: {}, sections: { logs: aLogsSection({ rsyslog: { measured: false, reason: 'rsyslogd is not installed (Debian package rsyslog)' } }) } }, { jsonRel: 'r.json', chartsRel: 'charts', charts: new Map() });
  assert.match(md, /\| out to a syslog drain: publish → last line at a TCP receiver \| raised \| 1000 \| 12\.5 \| 80000 \| rsyslog relay \(imtcp → omfwd\) \| not measured: rsyslogd is not installed \(Debian package rsyslog\) \| n\/m \|/);
  assert.doesNotMatch(md, /could not render/);
});

test('logs results written before the peers were measured still render', () => {
  const md = renderReport({ startedAt: 't', quick: false, seconds: 1, machine, peers: {}, sections: { logs: {
    measured: true, seconds: 1, perAppRateLimit: 5000,
    throughput: [{ apps: 1, lines: 10, ms: 1, linesPerSec: 10000 }],
    tail: { rate: 1, seconds: 1, published: 1, logSession: { seen: 1, p50: 1, p99: 2, max: 2 }, bareSse: { seen: 1, p50: 0.5, p99: 1, max: 1 } },
    ratios: [],
  } } }, { jsonRel: 'r.json', chartsRel: 'charts', charts: new Map() });
  assert.match(md, /\| 1 \| 10 \| 1 \| 10000 \|/);
  assert.doesNotMatch(md, /could not render/);
});
