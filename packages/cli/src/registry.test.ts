import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { COMMANDS, findCommand } from './registry.js';
import { renderReadme } from './readme.js';

const commandsDir = path.join(import.meta.dirname, 'commands');
/** packages/cli, from src/ or from dist/src/. */
let packageDir = path.dirname(import.meta.dirname);
while (!existsSync(path.join(packageDir, 'package.json'))) packageDir = path.dirname(packageDir);

function commandFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) return commandFiles(p);
    return /\.[jt]s$/.test(name) && !/\.test\.[jt]s$/.test(name) && !name.endsWith('.d.ts') ? [p] : [];
  });
}

describe('registry', () => {
  it('registers exactly one command per file, with the id from its path', () => {
    const ids = commandFiles(commandsDir).map((f) => path.relative(commandsDir, f).replace(/\.[jt]s$/, '').replace(/\/index$/, '').split(path.sep).join(':')).sort();
    assert.deepEqual([...COMMANDS.keys()].sort(), ids);
  });

  it('gives every command a summary, a usage starting with its id, and examples with output', () => {
    for (const [id, c] of COMMANDS) {
      assert.ok(c.summary.length > 0, id);
      assert.ok(c.usage.startsWith(id), `${id} usage: ${c.usage}`);
      assert.ok(c.examples.length > 0 && c.examples.every((e) => e.startsWith(`$ slipway ${id.split(':')[0]}`) || e.startsWith('$ ') || e.startsWith('$ printf')), id);
    }
  });

  it('has no alias that shadows a command or another alias', () => {
    const seen = new Set(COMMANDS.keys());
    for (const c of COMMANDS.values()) {
      for (const a of c.aliases ?? []) {
        assert.ok(!seen.has(a), `alias ${a} is taken`);
        seen.add(a);
      }
    }
    assert.equal(findCommand('create')?.id, 'apps:create');
    assert.equal(findCommand('nope'), undefined);
  });

  it('keeps packages/cli/README.md in sync with the registry (regenerate with scripts/gen-readme.ts)', () => {
    const readme = readFileSync(path.join(packageDir, 'README.md'), 'utf8');
    assert.equal(readme, renderReadme());
  });
});
