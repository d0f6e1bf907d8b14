import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { platformNodeArgs, runChild } from './spawn.js';

async function waitFor(cond: () => boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met before the deadline');
    await sleep(50);
  }
}

describe('slipway server: spawning the platform', () => {
  it('finds @slipway/server/main, built or from source through tsx', () => {
    const args = platformNodeArgs();
    const entry = args[args.length - 1];
    assert.ok(/server[\\/](dist[\\/]src[\\/]main\.js|src[\\/]main\.ts)$/.test(entry), entry);
    assert.ok(existsSync(entry));
    if (entry.endsWith('.ts')) assert.equal(args[0], '--import');
  });

  it('resolves to the child exit code, and forwards SIGTERM so the child can stop gracefully', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'slipway-spawn-'));
    try {
      const exit3 = path.join(dir, 'exit3.mjs');
      await writeFile(exit3, 'process.exit(3);\n');
      assert.equal(await runChild({ execPath: process.execPath, args: [exit3], stdio: 'ignore' }), 3);

      const ready = path.join(dir, 'ready');
      const graceful = path.join(dir, 'graceful.mjs');
      await writeFile(graceful, `import { writeFileSync } from 'node:fs';
process.on('SIGTERM', () => { writeFileSync(${JSON.stringify(path.join(dir, 'stopped'))}, 'y'); process.exit(0); });
writeFileSync(${JSON.stringify(ready)}, 'y');
setInterval(() => {}, 1000);
`);
      const signals = new EventEmitter();
      const done = runChild({ execPath: process.execPath, args: [graceful], stdio: 'ignore', signals: signals as never });
      await waitFor(() => existsSync(ready));
      signals.emit('SIGTERM');
      assert.equal(await done, 0);
      assert.ok(existsSync(path.join(dir, 'stopped')));
      assert.equal(signals.listenerCount('SIGTERM'), 0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
