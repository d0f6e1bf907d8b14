#!/usr/bin/env node
// Runs every compiled test file (`*.test.js` under packages/*/dist) with Node's built-in test runner,
// one `node --test` per file so that a file which hangs (an open handle after its tests) is killed
// after a deadline and reported, instead of stalling the whole run. Prints each file's TAP output and
// a closing summary (`# pass N`, `# fail N`, and the plain `N passed, N failed` line).
//
// Usage: node scripts/run-tests.mjs [substring…]    only files whose path contains a substring
// Env:   TEST_FILE_TIMEOUT_S (default 600), TEST_JOBS (files run side by side, default 1)
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawn } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const filters = process.argv.slice(2);
const fileTimeoutMs = Number(process.env.TEST_FILE_TIMEOUT_S ?? 600) * 1000;
const jobs = Math.max(1, Number(process.env.TEST_JOBS ?? 1));

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

console.log(`running ${selected.length} test files, ${jobs} at a time`);
const queue = [...selected];
await Promise.all(Array.from({ length: jobs }, async () => {
  while (queue.length > 0) await runFile(queue.shift());
}));

const mins = ((Date.now() - started) / 60000).toFixed(1);
console.log(`\n# files ${selected.length}\n# tests ${totals.tests}\n# pass ${totals.pass}\n# fail ${totals.fail}\n# cancelled ${totals.cancelled}\n# skipped ${totals.skipped}\n# todo ${totals.todo}\n# duration ${mins} min`);
for (const p of problems) console.log(`# problem: ${p}`);
console.log(`${totals.pass} passed, ${totals.fail + totals.cancelled} failed, ${totals.skipped} skipped`);
process.exit(totals.fail + totals.cancelled > 0 || problems.length > 0 ? 1 : 0);
