#!/usr/bin/env node
// Runs every compiled test file (`*.test.js` under packages/*/dist) with Node's built-in test runner.
// Usage: node scripts/run-tests.mjs [substring…]  — only files whose path contains one of the substrings.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const filters = process.argv.slice(2);

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
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();
if (selected.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
console.log(`running ${selected.length} test files`);
const r = spawnSync(process.execPath, ['--test', '--test-reporter=spec', ...selected.map((f) => relative(root, f))], { stdio: 'inherit', cwd: root });
process.exit(r.status ?? 1);
