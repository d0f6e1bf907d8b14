/**
 * contrib/systemd/slipway.service keeps the stop semantics docs/service.md promises: a stop signals
 * the platform process only, with SIGTERM (control plane only), and ExecStart runs the platform's
 * entry point straight (no npm or CLI process in between to swallow or reorder signals).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, here.includes(`${path.sep}dist${path.sep}`) ? '../../../../..' : '../../../..');

function unitSettings(text: string): Map<string, string[]> {
  const settings = new Map<string, string[]>();
  let section = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const s = /^\[(.+)\]$/.exec(line);
    if (s) {
      section = s[1];
      continue;
    }
    const eq = line.indexOf('=');
    assert.ok(eq > 0, `not a key=value line: ${line}`);
    const key = `${section}.${line.slice(0, eq)}`;
    settings.set(key, [...(settings.get(key) ?? []), line.slice(eq + 1)]);
  }
  return settings;
}

test('the systemd unit: SIGTERM to the main process only, restart always, node on the platform entry', () => {
  const unit = unitSettings(readFileSync(path.join(repoRoot, 'contrib/systemd/slipway.service'), 'utf8'));
  assert.deepEqual(unit.get('Service.KillMode'), ['process']);
  assert.deepEqual(unit.get('Service.KillSignal'), ['SIGTERM']);
  assert.deepEqual(unit.get('Service.Restart'), ['always']);
  assert.deepEqual(unit.get('Install.WantedBy'), ['multi-user.target']);
  const [exec] = unit.get('Service.ExecStart') ?? [];
  const [node, entry, ...rest] = exec.split(/\s+/);
  assert.match(node, /^\/usr\/bin\/node$/);
  assert.deepEqual(rest, []);
  assert.equal(entry, 'packages/server/dist/src/main.js');
  // The entry is the one `slipway server` runs (package export ./main), built from src/main.ts.
  const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'packages/server/package.json'), 'utf8')) as { exports: Record<string, string> };
  assert.equal(path.join('packages/server', pkg.exports['./main']), entry);
  assert.ok(existsSync(path.join(repoRoot, 'packages/server/src/main.ts')));
});
