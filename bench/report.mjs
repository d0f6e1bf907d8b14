// Turns a results JSON into the human report (markdown tables + SVG charts). Used by run.mjs, and
// by hand to regenerate the docs: `node bench/report.mjs bench/results/<date>.json`.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { barChart } from './lib/svg.mjs';

const TITLES = {
  'router-overhead': '1. Router overhead',
  'routing-quality': '2. Routing quality',
  'dyno-start': '3. Dyno start and scale',
  deploy: '4. Deploy',
  logs: '5. Logs',
  density: '6. Density and overhead',
  metrics: '7. Metrics',
  autoscale: '8. Autoscaling',
  starts: '9. Starts',
  pipelines: '10. Pipelines',
  addons: '11. Add-ons',
  'addons-redis': '12. Add-ons: heroku-redis',
  'swarm-starts': '13. Starts on Swarm',
};
const ORDER = Object.keys(TITLES);

const round1 = (x) => Math.round(x * 10) / 10;
const v = (x, unit = '') => (x === null || x === undefined || Number.isNaN(x) ? 'n/m' : `${x}${unit}`);
const table = (head, rows) => [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
const verdict = (r) => (r.met === true ? 'met' : r.met === false ? '**not met**' : 'n/m');

function ratioTable(ratios) {
  return table(['figure', 'Slipway', 'peer', 'peer value', 'ratio', 'goal', 'verdict'],
    ratios.map((r) => (r.kind === 'difference'
      ? [r.what, v(r.ours), r.peer, v(r.peerValue), `${r.value >= 0 ? '+' : ''}${v(r.value)} ms`, `difference ${r.goal}`, verdict(r)]
      : [r.what, v(r.ours), r.peer, v(r.peerValue), v(r.value), `ratio ${r.goal}`, verdict(r)])));
}

/** Logs results from before issue 7's peers (cat, rsyslog) were measured. */
function legacyLogs(s, chart) {
  const lines = [table(['apps', 'lines', 'publish → history (ms)', 'lines/s'], s.throughput.map((t) => [t.apps, t.lines, v(t.ms), v(t.linesPerSec)]))];
  lines.push('', `Tail delay at ${s.tail.rate} lines/s for ${s.tail.seconds} s (${s.tail.published} lines): publish → line read from the SSE stream.`, '');
  lines.push(table(['path', 'seen', 'p50 (ms)', 'p99 (ms)', 'max (ms)'], [['log session (logplex → API → SSE)', s.tail.logSession.seen, v(s.tail.logSession.p50), v(s.tail.logSession.p99), v(s.tail.logSession.max)], ['bare SSE server (floor)', s.tail.bareSse.seen, v(s.tail.bareSse.p50), v(s.tail.bareSse.p99), v(s.tail.bareSse.max)]]));
  lines.push('', chart('logs-tail', barChart({ title: 'Tail delay', unit: 'ms', series: ['log session', 'bare SSE'], groups: [{ label: 'p50', values: [s.tail.logSession.p50, s.tail.bareSse.p50] }, { label: 'p99', values: [s.tail.logSession.p99, s.tail.bareSse.p99] }] })));
  return lines;
}

const sectionWriters = {
  pipelines(s, chart) {
    const lines = [table(['app', 'round', 'git push → release (ms)', 'git push → staging live (ms)', 'promotion API answer (ms)', 'promotion → released (ms)', 'promotion → production live (ms)'],
      s.rounds.map((r) => [s.medians[r.variant]?.label ?? r.variant, r.round, v(r.pushMs), v(r.pushLiveMs), v(r.promotionAnsweredMs), v(r.promotionReleasedMs), v(r.promotionLiveMs)]))];
    lines.push('', 'A Procfile app in a pipeline, once with a release phase and once web only: each round pushes a new commit to staging (a build), then promotes it to production (no build: the release phase with production\'s config as a one-off dyno, then a release of the same slug). "Live" is the first answer of the new release through the router, so both columns include a web dyno start; "released" is when the promotion target reports succeeded (polled every 10 ms), which with a release phase includes that one-off dyno\'s start.');
    lines.push('', chart('pipelines', barChart({ title: 'Promotion vs git push build (medians)', unit: 'ms', series: ['git push → live', 'promotion → released', 'promotion → live'], groups: Object.values(s.medians).map((m) => ({ label: m.label, values: [m.pushLiveMs, m.promotionReleasedMs, m.promotionLiveMs] })) })));
    return lines;
  },
  'addons-redis'(s) {
    return [
      `${s.rounds} rounds each; every add-on destroyed before the next.`, '',
      table(['start', 'p50 (ms)', 'max (ms)', 'rounds (ms)'], [
        ['`addons:create heroku-redis:mini` → REDIS_URL answers PING', v(s.ours.p50), v(s.ours.max), s.ours.all.join(', ')],
        ['bare `redis-server` spawn → PING answered', v(s.bare.p50), v(s.bare.max), s.bare.all.join(', ')],
      ]),
    ];
  },
  metrics(s) {
    const r = s.router;
    return [
      table(['router', 'wrk req/s (median of rounds)', `p99 at fixed rate (ms)`], [['metrics on', v(r.rps.on), v(r.p99.on)], ['metrics off', v(r.rps.off), v(r.p99.off)]]),
      '', `Summaries shipped by the metrics-on router during the run: ${r.summariesShipped}.`, '',
      table(['ingest, 100 busy apps', 'CPU ms per 10 s interval', 'wall ms per interval', 'CPU ms per second'], [[`${s.ingest.intervals} intervals`, v(s.ingest.cpuMsPerInterval), v(s.ingest.wallMsPerInterval), v(s.ingest.cpuMsPerSecond)]]),
    ];
  },
  'router-overhead'(s, chart) {
    const lines = [`Setup: ${s.setup.backend}; ${s.setup.nginx}; Slipway: ${s.setup.slipway}; ${s.setup.loadgen}, ${s.setup.seconds} s per rate.`, ''];
    lines.push(table(['rate (req/s)', 'direct p50 / p99 (ms)', 'nginx p50 / p99', 'Slipway p50 / p99', 'nginx added p50 / p99', 'Slipway added p50 / p99', 'errors (d/n/s)'],
      s.byRate.map((r) => [r.rate, `${v(r.direct.p50)} / ${v(r.direct.p99)}`, `${v(r.nginx.p50)} / ${v(r.nginx.p99)}`, `${v(r.slipway.p50)} / ${v(r.slipway.p99)}`,
        `${v(r.nginx.addedP50)} / ${v(r.nginx.addedP99)}`, `${v(r.slipway.addedP50)} / ${v(r.slipway.addedP99)}`, `${r.direct.errors}/${r.nginx.errors}/${r.slipway.errors}`])));
    lines.push('', table(['target', 'max open-loop rate with p99 < 10 ms (req/s)', 'steps tried (rate: p99 ms)', 'wrk closed-loop, 32 conns (req/s)'],
      ['direct', 'nginx', 'slipway'].map((t) => [t, v(s.maxThroughput[t]?.rate), (s.maxThroughput[t]?.steps ?? []).map((x) => `${x.rate}: ${x.p99}${x.errors ? ` (${x.errors} err)` : ''}`).join(', '), v(s.wrk?.[t])])));
    lines.push('', 'The "direct" ceiling is the load generator\'s own (one Node process on the same 2 cores).');
    lines.push('', chart('router-overhead-p50', barChart({ title: 'Router overhead: p50 latency', unit: 'ms', series: ['direct', 'nginx', 'Slipway'], groups: s.byRate.map((r) => ({ label: `${r.rate} req/s`, values: [r.direct.p50, r.nginx.p50, r.slipway.p50] })) })));
    lines.push(chart('router-overhead-p99', barChart({ title: 'Router overhead: p99 latency', unit: 'ms', series: ['direct', 'nginx', 'Slipway'], groups: s.byRate.map((r) => ({ label: `${r.rate} req/s`, values: [r.direct.p99, r.nginx.p99, r.slipway.p99] })) })));
    return lines;
  },
  'routing-quality'(s, chart) {
    const w = s.workload;
    const lines = [`Workload: ${w.requests} requests, Poisson arrivals at ${w.ratePerSec} req/s (${w.utilisation * 100} % of ${w.dynos} dynos), Weibull service times (shape ${w.shape}, median ${w.medianMs} ms, mean ${w.meanServiceMs} ms), seed ${w.seed}, sequence ${w.sequenceSha256} — the same for every row. Each dyno serves one request at a time and queues the rest. ${w.note}.`, ''];
    const rows = [['ideal central queue (M/G/10 FCFS, simulated)', s.models.ideal, 0]];
    for (const [k, p] of Object.entries(s.policies)) rows.push([p.label, p, p.errors]);
    lines.push(table(['policy', 'p50 (ms)', 'p99 (ms)', 'mean (ms)', 'queue p50 / p99 / mean (ms)', 'share queued > 1 ms', 'errors'],
      rows.map(([name, p, e]) => [name, v(p.p50), v(p.p99), v(p.mean), `${v(p.queueP50)} / ${v(p.queueP99)} / ${v(p.queueMean)}`, v(p.queuedShare), e])));
    lines.push('', 'The same policies simulated without any proxy (what the measured rows should approach):', '');
    lines.push(table(['model', 'p50 (ms)', 'p99 (ms)', 'mean (ms)', 'queue mean (ms)'],
      Object.entries(s.models).map(([k, p]) => [k, v(p.p50), v(p.p99), v(p.mean), v(p.queueMean)])));
    const order = [['ideal', s.models.ideal], ...Object.entries(s.policies).map(([k, p]) => [k, p])];
    lines.push('', chart('routing-quality', barChart({ title: 'Routing quality: response time per policy', unit: 'ms', series: ['p50', 'mean', 'p99'], groups: order.map(([k, p]) => ({ label: k, values: [p.p50, p.mean, p.p99] })) })));
    return lines;
  },
  'dyno-start'(s, chart) {
    const f = s.floor;
    const lines = [table(['what', 'Slipway (ms)', 'bare process spawn (ms)', 'bare runc run (ms)'], [
      ['1 dyno: API call → first 200 via the router', v(s.start1Ms), v(f.spawn1Ms), f.runc?.measured ? v(f.runc.ms) : `not measured: ${f.runc?.reason}`],
      ['ps:scale web=10 → all 10 serving', v(s.scale10Ms), v(f.spawn10Ms), ''],
    ]), '', `Command: \`${f.command}\` from the release's slug; median of ${s.repeats} runs (samples: ${JSON.stringify(s.samples)}).`];
    lines.push('', chart('dyno-start', barChart({ title: 'Dyno start and scale', unit: 'ms', series: ['Slipway', 'bare spawn', 'bare runc'], groups: [
      { label: '1 dyno', values: [s.start1Ms, f.spawn1Ms, f.runc?.measured ? f.runc.ms : null] }, { label: '10 dynos', values: [s.scale10Ms, f.spawn10Ms, null] }] })));
    return lines;
  },
  deploy(s, chart) {
    const lines = [table(['cache', 'git push → release created (ms)', 'git push → release live via router (ms)', 'build cache restored', 'npm ci by hand (ms)'], ['cold', 'warm'].map((k) => [
      k, v(s.pushes[k].pushMs), s.live.measured ? v(s.pushes[k].liveMs) : `not measured: ${s.live.reason}`, s.pushes[k].cacheRestored ? 'yes' : 'no', v(k === 'cold' ? s.npmCiByHand.coldMs : s.npmCiByHand.warmMs)]))];
    lines.push('', 'Cold: first push, empty build cache (npm downloads every package). Warm: second push, node_modules restored from the build cache. The floor runs the buildpack\'s `npm ci --include=dev --prefer-offline` by hand with an empty, then a warm npm cache.');
    lines.push('', chart('deploy', barChart({ title: 'Deploy: Node.js fixture', unit: 'ms', series: ['push → release', 'push → live', 'npm ci by hand'], groups: ['cold', 'warm'].map((k) => ({ label: k, values: [s.pushes[k].pushMs, s.pushes[k].liveMs, k === 'cold' ? s.npmCiByHand.coldMs : s.npmCiByHand.warmMs] })) })));
    return lines;
  },
  logs(s, chart) {
    if (!s.ceiling) return legacyLogs(s, chart);
    const c = s.ceiling;
    const u = s.userDefault;
    const rs = s.rsyslog;
    const rsName = `rsyslog ${s.peers?.rsyslog ?? ''} relay (imtcp → omfwd)`.replace('  ', ' ');
    const rsCell = rs.measured ? v(rs.linesPerSec) : `not measured: ${rs.reason}`;
    const x = (ours, peer) => (Number.isFinite(ours) && Number.isFinite(peer) && peer > 0 ? `${Number((ours / peer).toPrecision(2))}×` : 'n/m');
    const lines = [`The same ${s.lines} lines of ${s.lineBytes} bytes for every path (the user run cycles through them). Limit raised: SLIPWAY_LOG_RATE_LIMIT set to ${c.rateLimit} lines/s, the machinery's ceiling. Default limit: ${u.rateLimit} lines/s per app (bursts of one second), what a user gets — a dyno printing as fast as it can for ${u.seconds} s to an app with a syslog drain.`, ''];
    lines.push(table(['path', 'rate limit', 'lines', 'ms', 'Slipway lines/s', 'peer', 'peer lines/s', 'ratio'], [
      ['into the store: publish → last line in the durable history file, 1 app', 'raised', c.store.lines, v(c.store.ms), v(c.store.linesPerSec), '`cat` of the same lines > /dev/null', v(s.cat.linesPerSec), x(c.store.linesPerSec, s.cat.linesPerSec)],
      ['into the store, 10 apps at once', 'raised', c.store10.lines, v(c.store10.ms), v(c.store10.linesPerSec), '`cat` > /dev/null', v(s.cat.linesPerSec), x(c.store10.linesPerSec, s.cat.linesPerSec)],
      [`out to a syslog drain: publish → last line at a TCP receiver${c.drain.inOrder === false ? ' (**out of order**)' : ''}`, 'raised', c.drain.lines, v(c.drain.ms), v(c.drain.linesPerSec), rsName, rsCell, x(c.drain.linesPerSec, rs.linesPerSec)],
      [`into the store (${u.admitted} of ${u.offered} offered lines admitted; the limit allows ${u.allowed})`, `default ${u.rateLimit}/s`, u.admitted, v(u.store.ms), v(u.store.linesPerSec), '`cat` > /dev/null', v(s.cat.linesPerSec), x(u.store.linesPerSec, s.cat.linesPerSec)],
      ['out to a syslog drain', `default ${u.rateLimit}/s`, u.drain.lines, v(u.drain.ms), v(u.drain.linesPerSec), rsName, rsCell, x(u.drain.linesPerSec, rs.linesPerSec)],
    ]));
    lines.push('', `\`cat\`: median of ${s.cat.samples.length} runs, spawn to exit (${s.cat.samples.join(', ')} ms). The store figure ends when the last line is in the app's history file (flushed every 100 ms; the file keeps the newest lines of the 1,500-line history, so lines older than that are never written). The drain figure ends when the last line reaches the receiver (${c.drain.dropped ?? 'n/m'} dropped: the publisher pauses while the drain's buffer is over half full). rsyslog receives the same lines framed as a Slipway drain frames them, over one TCP connection, and forwards them to the same kind of receiver. The default-limit figures are bounded by the limit by design; their ratios are judged against it.`);
    lines.push('', chart('logs-drain', barChart({ title: 'Syslog drain throughput', unit: 'lines/s', series: ['Slipway drain', 'rsyslog relay'], groups: [
      { label: 'limit raised', values: [c.drain.linesPerSec, rs.measured ? rs.linesPerSec : null] }, { label: `default limit (${u.rateLimit}/s)`, values: [u.drain.linesPerSec, null] }] })));
    const t = s.tail;
    lines.push('', `Tail delay at ${t.rate} lines/s for ${t.seconds} s (${t.published} lines): each line sent at once down three paths, each stamping it just before sending; delay = arrival at the reader − stamp.`, '');
    lines.push(table(['path', 'seen', 'p50 (ms)', 'p99 (ms)', 'max (ms)'], [
      ['log session: publish → logplex → API → SSE (`heroku logs --tail`)', t.logSession.seen, v(t.logSession.p50), v(t.logSession.p99), v(t.logSession.max)],
      t.rsyslog ? [`${rsName}: send → receiver`, t.rsyslog.seen, v(t.rsyslog.p50), v(t.rsyslog.p99), v(t.rsyslog.max)] : [rsName, 'not measured', '', '', ''],
      ['bare SSE server, same process as logplex (floor)', t.bareSse.seen, v(t.bareSse.p50), v(t.bareSse.p99), v(t.bareSse.max)],
    ]));
    lines.push('', chart('logs-tail', barChart({ title: 'Tail delay', unit: 'ms', series: ['log session', 'rsyslog relay', 'bare SSE'], groups: ['p50', 'p99'].map((p) => ({ label: p, values: [t.logSession[p], t.rsyslog?.[p] ?? null, t.bareSse[p]] })) })));
    return lines;
  },
  autoscale(s, chart) {
    const rows = [['Slipway', s.slipway], ["Heroku's policy", s.heroku], [`static (${s.staticPeak} dynos)`, s.static]].filter(([, r]) => r);
    const lines = [table(['policy', 'back under target (s)', 'requests over target', 'requests', 'failed', 'p95 over the step (ms)', 'dyno-seconds', 'peak dynos'],
      rows.map(([name, r]) => [name, r.backUnderTargetMs === null ? 'never' : v(round1(r.backUnderTargetMs / 1000)), v(r.overTarget), v(r.requests), v(r.failed), v(r.p95Ms), v(r.dynoSeconds), v(r.peakDynos)]))];
    lines.push('', `A step from ${s.baseRps} to ${s.peakRps} requests a second on an endpoint holding its dyno for 50 ms (one at a time per dyno), target p95 ${s.targetMs} ms, measured at the client in 5 s windows. Heroku's policy is the same platform with the monitor's strategy set to \`heroku\` (one dyno per decision, a minute apart).`);
    lines.push('', chart('autoscale', barChart({ title: 'Autoscaling: a 4x load step', unit: 's', series: ['back under target', 'dyno-seconds / 10'], groups: rows.map(([name, r]) => ({ label: name, values: [r.backUnderTargetMs === null ? null : r.backUnderTargetMs / 1000, r.dynoSeconds / 10] })) })));
    return lines;
  },
  starts(s, chart) {
    const lines = [table(['what', 'Slipway (ms)', 'bare runc run (ms)', 'Slipway − bare (ms)'], [
      ['1 dyno: PATCH formation web=1 → first 200 via the router', v(s.start1Ms), v(s.bare1Ms), v(round1(s.start1Ms - s.bare1Ms))],
      ['cold start: app scaled to zero, request → its 200 via the router', v(s.coldMs), v(s.bare1Ms), v(round1(s.coldMs - s.bare1Ms))],
      [`ps:scale web=10 → all 10 serving (goal ${s.absolute.goalMs} ms)`, v(s.scale10Ms), `${v(s.bare10Ms)} (10 at once)`, v(round1(s.scale10Ms - s.bare10Ms))],
    ]), '', `Command: \`${s.command}\` from the release's slug; median of ${s.repeats} rounds, each measuring bare runc first (samples: ${JSON.stringify(s.samples)}).`];
    const keys = [...new Set(Object.values(s.steps).flatMap((x) => Object.keys(x)))].filter((k) => k !== 'total');
    lines.push('', 'Where a start\'s time went, from the platform\'s `dyno.start_timeline` lines (median ms per step; for web=10, over the ten dynos):', '');
    lines.push(table(['step', ...Object.keys(s.steps)], [...keys, 'total'].map((k) => [k, ...Object.values(s.steps).map((x) => v(x[k]))])));
    lines.push('', chart('starts', barChart({ title: 'Starts', unit: 'ms', series: ['Slipway', 'bare runc'], groups: [
      { label: 'web=1', values: [s.start1Ms, s.bare1Ms] }, { label: 'cold (wake)', values: [s.coldMs, s.bare1Ms] }, { label: 'web=10', values: [s.scale10Ms, s.bare10Ms] }] })));
    return lines;
  },
  'swarm-starts'(s, chart) {
    const lines = [table(['what', 'swarm (ms)', 'runc (ms)', 'swarm / runc'], [
      ['1 dyno: PATCH formation web=1 → first 200 via the router', v(s.swarm.start1Ms), v(s.runc.start1Ms), v(Math.round(s.swarm.start1Ms / s.runc.start1Ms * 100) / 100)],
      ['ps:scale web=10 → all 10 serving', v(s.swarm.scale10Ms), v(s.runc.scale10Ms), v(Math.round(s.swarm.scale10Ms / s.runc.scale10Ms * 100) / 100)],
      ['first start after the push (swarm: stack and release images built and pushed, pulled by the node)', v(s.swarm.firstStartMs), v(s.runc.firstStartMs), ''],
    ]), '', `Swarm: ${s.nodes} dockerds in their own network namespaces on this machine, one service per dyno. Median of ${s.repeats} rounds (samples: swarm ${JSON.stringify(s.swarm.samples)}, runc ${JSON.stringify(s.runc.samples)}).`];
    lines.push('', chart('swarm-starts', barChart({ title: 'Starts: swarm beside runc', unit: 'ms', series: ['swarm', 'runc'], groups: [
      { label: 'web=1', values: [s.swarm.start1Ms, s.runc.start1Ms] }, { label: 'web=10', values: [s.swarm.scale10Ms, s.runc.scale10Ms] }] })));
    return lines;
  },
  addons(s, chart) {
    const lines = [table(['what', 'p50 (ms)', 'max (ms)', 'runs'], [
      ['`addons:create heroku-postgresql:essential-0` → DATABASE_URL answers `SELECT 1`', v(s.essential.p50), v(s.essential.max), s.rounds],
      ['bare `createdb` + `SELECT 1` on the same cluster', v(s.createdb.p50), v(s.createdb.max), s.rounds],
      ['first add-on of the platform (initdb and start of the shared cluster)', v(s.coldMs), '', 1],
      ['`standard-0` (a cluster of its own) → usable', v(s.dedicatedMs), '', s.dedicatedMs === null ? 0 : 1],
      ['bare `initdb` + `pg_ctl start` + `SELECT 1`', v(s.bareClusterMs), '', s.bareClusterMs === null ? 0 : 1],
    ])];
    lines.push('', chart('addons', barChart({ title: 'Time to a usable database', unit: 'ms', series: ['Slipway add-on', 'bare peer'], groups: [{ label: 'shared plan', values: [s.essential.p50, s.createdb.p50] }, ...(s.dedicatedMs === null ? [] : [{ label: 'own cluster', values: [s.dedicatedMs, s.bareClusterMs] }])] })));
    return lines;
  },
  density(s, chart) {
    const lines = [table(['idle web dynos', 'Slipway processes RSS (MB)', 'dyno processes RSS (MB)', 'own RSS per dyno (MB)', 'platform overhead per dyno (MB)', 'GET formation p50 / p99 (ms)'],
      s.rows.map((r) => [r.dynos, v(r.platformMb), v(r.dynosMb), v(r.perDynoOwnMb), v(r.overheadPerDynoMb), `${v(r.formationApiMs.p50)} / ${v(r.formationApiMs.p99)}`]))];
    if (s.rows.length > 1) lines.push('', chart('density', barChart({ title: 'Memory with idle dynos', unit: 'MB', series: ['Slipway processes', 'dyno processes'], groups: s.rows.map((r) => ({ label: `${r.dynos} dynos`, values: [r.platformMb, r.dynosMb] })) })));
    return lines;
  },
};

export function renderReport(result, { jsonRel, chartsRel, charts }) {
  const m = result.machine;
  const out = [
    `<!-- Generated by bench/report.mjs from ${jsonRel}; do not edit by hand: run \`npm run bench\`. -->`,
    `# Benchmarks${result.quick ? ' (quick run)' : ''}`,
    '',
    `Run of ${result.startedAt} (${result.quick ? '`npm run bench -- --quick`' : '`npm run bench`'}, ${result.seconds} s). Raw data: [${jsonRel}](${jsonRel}).`,
    '',
    table(['machine', ''], [['CPU', m.cpuModel], ['cores', m.cores], ['memory', `${m.memoryGb} GB`], ['kernel', m.kernel], ['node', m.node], ['load average at start / end (other work on the machine)', `${m.loadAverage.join(', ')} / ${(m.loadAverageAtEnd ?? []).join(', ')}`]]),
    '',
    `Peers: ${Object.entries(result.peers).map(([k, x]) => `${k} (${x ?? 'missing'})`).join(', ')}. The machine is small and shared, so every figure is set beside a peer measured in the same run, and the ratio is what is judged.`,
    '',
    '## Summary: every ratio and its goal',
    '',
  ];
  const all = [];
  for (const id of ORDER) for (const r of result.sections[id]?.ratios ?? []) all.push({ ...r, what: `${TITLES[id].replace(/^\d+\. /, '')}: ${r.what}` });
  out.push(all.length ? ratioTable(all) : 'No ratio was measured.');
  const missing = ORDER.filter((id) => result.sections[id] && result.sections[id].measured === false);
  if (missing.length) out.push('', ...missing.map((id) => `- ${TITLES[id]}: not measured: ${result.sections[id].reason}`));
  for (const id of ORDER) {
    const s = result.sections[id];
    out.push('', `## ${TITLES[id]}`, '');
    if (!s) { out.push('not measured: not part of this run (`--only`).'); continue; }
    if (s.measured === false) out.push(`not measured: ${s.reason}`, '');
    const chart = (name, svg) => { charts.set(`${name}.svg`, svg); return `![${name}](${chartsRel}/${name}.svg)`; };
    const hasData = s.measured !== false || (id === 'density' && s.rows?.length) || (id === 'dyno-start' && s.floor);
    if (hasData && !s.error) {
      try {
        if (s.measured === false && id === 'dyno-start') out.push(table(['floor', 'ms'], [['bare process spawn, 1', v(s.floor.spawn1Ms)], ['bare process spawns, 10', v(s.floor.spawn10Ms)], ['bare runc run, 1', s.floor.runc?.measured ? v(s.floor.runc.ms) : `not measured: ${s.floor.runc?.reason}`]]));
        else out.push(...sectionWriters[id](s, chart));
      } catch (err) {
        out.push(`(could not render: ${err.message})`);
      }
    }
    if (s.ratios?.length) out.push('', ratioTable(s.ratios));
    out.push('', `_Section time: ${s.seconds} s${s.fromRun ? `; from the full run of ${s.fromRun} (this run re-measured other sections with \`--only\`)` : ''}._`);
  }
  return out.join('\n') + '\n';
}

export async function writeReport(result, { jsonPath, mdPath, chartsDir }) {
  const mdDir = path.dirname(mdPath);
  const charts = new Map();
  const md = renderReport(result, { jsonRel: path.relative(mdDir, jsonPath), chartsRel: path.relative(mdDir, chartsDir), charts });
  await mkdir(chartsDir, { recursive: true });
  for (const [name, svg] of charts) await writeFile(path.join(chartsDir, name), svg);
  await writeFile(mdPath, md);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const jsonPath = path.resolve(process.argv[2] ?? '');
  const result = JSON.parse(await readFile(jsonPath, 'utf8'));
  const benchDir = path.dirname(fileURLToPath(import.meta.url));
  const mdPath = result.quick ? jsonPath.replace(/\.json$/, '.md') : path.join(benchDir, '..', 'docs', 'benchmarks.md');
  await writeReport(result, { jsonPath, mdPath, chartsDir: path.join(path.dirname(jsonPath), 'charts') });
  process.stdout.write(`wrote ${mdPath}\n`);
}
