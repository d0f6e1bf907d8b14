#!/usr/bin/env node
// Runs every compiled test file (`*.test.js` under packages/*/dist) with Node's built-in test runner,
// one `node --test` per file so that a file which hangs (an open handle after its tests) is killed
// after a deadline and reported, instead of stalling the whole run. Prints each file's TAP output and
// a closing summary (`# pass N`, `# fail N`, and the plain `N passed, N failed` line).
//
//
// Unit files run TEST_JOBS at a time (default 2): each uses its own temp dirs and ports. A unit file
// that touches host-wide state — runc, network namespaces, bridges, iptables, cgroups, the CI's
// PostgreSQL server, Docker daemons (its compiled text names one of them, HOST_WIDE below) — never runs beside
// another such file, only beside the pure ones. e2e files (test/e2e: the whole platform, timings
// measured against the client, real-time priorities) run after every unit file, one at a time.
//
// Usage: node scripts/run-tests.mjs [substring…]    only files whose path contains a substring
// Env:   TEST_FILE_TIMEOUT_S (default 600), TEST_JOBS (unit files run side by side, default 2; 1 = one at a time)
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawn } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const filters = process.argv.slice(2);
const fileTimeoutMs = Number(process.env.TEST_FILE_TIMEOUT_S ?? 600) * 1000;
const jobs = Math.max(1, Number(process.env.TEST_JOBS ?? 2));
const HOST_WIDE = /\brunc\b|iptables|cgroup|netns|SLIPWAY_TEST_DATABASE_URL|unshare|\bip\b', \[|\bdockerd?\b|DOCKER_HOST/;

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'fixtures') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

const files = [];
for (const pkg of readdirSync(join(root, 'packages'))) {
  const dist = join(root, 'packages', pkg, 'dist');
  try { statSync(dist); } catch { continue; }
  walk(dist, files);
}
const selected = files
  .map((f) => relative(root, f))
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  // e2e files last: the quick unit tests report first.
  .sort((a, b) => Number(a.includes('/e2e/')) - Number(b.includes('/e2e/')) || a.localeCompare(b));
if (selected.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}

const totals = { tests: 0, pass: 0, fail: 0, skipped: 0, todo: 0, cancelled: 0 };
const problems = [];
const started = Date.now();

function runFile(file) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, ['--test', '--test-reporter=tap', file], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ }
    }, fileTimeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      const count = (key) => Number(new RegExp(`^# ${key} (\\d+)$`, 'm').exec(out)?.[1] ?? 0);
      const c = { tests: count('tests'), pass: count('pass'), fail: count('fail'), skipped: count('skipped'), todo: count('todo'), cancelled: count('cancelled') };
      for (const k of Object.keys(totals)) totals[k] += c[k];
      const secs = ((Date.now() - t0) / 1000).toFixed(1);
      process.stdout.write(`\n## ${file} (${secs}s)\n${out}`);
      if (timedOut) problems.push(`${file}: killed after ${fileTimeoutMs / 1000}s (a test or an open handle kept it running)`);
      else if (code !== 0 && c.fail === 0 && c.cancelled === 0) problems.push(`${file}: exited with code ${code}`);
      if (timedOut || code !== 0) totals.fail += c.fail === 0 && c.cancelled === 0 ? 1 : 0;
      resolve();
    });
  });
}

const isE2e = (f) => f.includes('/e2e/');
const touchesHost = (f) => HOST_WIDE.test(readFileSync(join(root, f), 'utf8'));
// Host-wide files first: they run one at a time in one lane while the pure ones fill the others.
const units = selected.filter((f) => !isE2e(f)).map((f) => ({ file: f, host: touchesHost(f) })).sort((a, b) => Number(b.host) - Number(a.host));
const e2e = selected.filter(isE2e);
console.log(`running ${selected.length} test files: ${units.length} unit files ${jobs} at a time (${units.filter((u) => u.host).length} of them touch host-wide state, never two of those together), then ${e2e.length} e2e files one at a time`);

/** Runs the unit files `jobs` at a time; a host-wide file starts only while no other one runs. */
async function runUnits() {
  const queue = [...units];
  let hostBusy = false;
  const running = new Set();
  while (queue.length > 0 || running.size > 0) {
    while (running.size < jobs) {
      const i = queue.findIndex((u) => !u.host || !hostBusy);
      if (i < 0) break;
      const [u] = queue.splice(i, 1);
      if (u.host) hostBusy = true;
      const p = runFile(u.file).then(() => { if (u.host) hostBusy = false; running.delete(p); });
      running.add(p);
    }
    await Promise.race(running);
  }
}

await runUnits();
for (const f of e2e) await runFile(f);

const mins = ((Date.now() - started) / 60000).toFixed(1);
console.log(`\n# files ${selected.length}\n# tests ${totals.tests}\n# pass ${totals.pass}\n# fail ${totals.fail}\n# cancelled ${totals.cancelled}\n# skipped ${totals.skipped}\n# todo ${totals.todo}\n# duration ${mins} min`);
for (const p of problems) console.log(`# problem: ${p}`);
console.log(`${totals.pass} passed, ${totals.fail + totals.cancelled} failed, ${totals.skipped} skipped`);
process.exit(totals.fail + totals.cancelled > 0 || problems.length > 0 ? 1 : 0);
