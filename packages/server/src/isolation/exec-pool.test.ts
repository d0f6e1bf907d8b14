import assert from 'node:assert/strict';
import childProcess from 'node:child_process';
import { syncBuiltinESMExports } from 'node:module';
import { test } from 'node:test';
import { createExecPool } from './exec-pool.js';
import { exec, execCapture, ExecError } from './exec.js';

test('a run gives stdout, stderr and the exit code, with stdin from input', async () => {
  const pool = createExecPool(2);
  try {
    const r = await pool.run({ cmd: 'sh', args: ['-c', 'read x; echo "got $x"; echo oops >&2; exit 3'], input: 'hello\n', maxCapture: 1024 });
    assert.deepEqual(r, { stdout: 'got hello\n', stderr: 'oops\n', code: 3 });
  } finally {
    await pool.close();
  }
});

test('many runs at once each get their own output', async () => {
  const pool = createExecPool(3);
  try {
    const rs = await Promise.all(Array.from({ length: 12 }, (_, i) => pool.run({ cmd: 'echo', args: [`n${i}`], maxCapture: 1024 })));
    assert.deepEqual(rs.map((r) => r.stdout), Array.from({ length: 12 }, (_, i) => `n${i}\n`));
  } finally {
    await pool.close();
  }
});

test('a missing program rejects with ENOENT; a run past its timeout is killed', async () => {
  const pool = createExecPool(1);
  try {
    await assert.rejects(pool.run({ cmd: 'no-such-program-slipway', args: [], maxCapture: 1024 }), (err: NodeJS.ErrnoException) => err.code === 'ENOENT');
    const r = await pool.run({ cmd: 'sleep', args: ['30'], timeoutMs: 100, maxCapture: 1024 });
    assert.equal(r.code, null);
  } finally {
    await pool.close();
  }
});

test('output past maxCapture is dropped, not buffered', async () => {
  const pool = createExecPool(1);
  try {
    const r = await pool.run({ cmd: 'head', args: ['-c', '1000000', '/dev/zero'], maxCapture: 1000 });
    assert.ok(r.stdout.length < 1000 + 65_536, `kept ${r.stdout.length}`);
    assert.equal(r.code, 0);
  } finally {
    await pool.close();
  }
});

test('exec and execCapture never spawn on the event loop thread', async () => {
  let onMain = 0;
  const original = childProcess.spawn;
  childProcess.spawn = ((...args: Parameters<typeof original>) => {
    onMain++;
    return original(...args);
  }) as typeof original;
  syncBuiltinESMExports();
  try {
    assert.equal(await exec('echo', ['ok']), 'ok\n');
    assert.equal((await execCapture('sh', ['-c', 'exit 2'])).code, 2);
    await assert.rejects(exec('sh', ['-c', 'echo bad >&2; exit 1']), (err) => err instanceof ExecError && /bad/.test(err.message));
  } finally {
    childProcess.spawn = original;
    syncBuiltinESMExports();
  }
  assert.equal(onMain, 0, 'spawned from the main thread');
});

test('an idle pool does not keep the process alive', () => {
  const script = `import('${new URL(import.meta.url.endsWith('.ts') ? './exec.ts' : './exec.js', import.meta.url).href}').then(async (m) => { process.stdout.write(await m.exec('echo', ['done'])); });`;
  const r = childProcess.spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.stdout, 'done\n', r.stderr);
  assert.equal(r.status, 0);
});
