/**
 * The runc build sandbox with real containers (skipped with the reason when runc is not usable):
 * who a step runs as, what it sees (processes, the data dir, /root), what it can write, and that
 * the time and memory limits kill it.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isRuncUsable, tenantUidCandidate } from '../isolation/index.js';
import { createLogger } from '../log/index.js';
import { BuildFailedError, runBuildpacks } from './buildpack-runner.js';
import { buildLimits, createRuncBuildSandbox } from './runc-sandbox.js';
import type { BuildSandbox, SandboxRun } from './sandbox.js';
import { createWorkspace, grantWorkspace, removeWorkspace, restoreCache, type Workspace } from './workspace.js';

const execFileP = promisify(execFile);
const usable = await isRuncUsable();
const logger = createLogger({ level: 'error', write: () => undefined });

describe('runc build sandbox', { skip: usable.usable ? false : `runc is not usable here: ${usable.reason}`, timeout: 180_000 }, () => {
  let tmp: string;
  let dataDir: string;
  let runDir: string;
  let sandbox: BuildSandbox;
  let ws: Workspace;

  /** Runs a shell script as a build step in BUILD_DIR; returns its exit code and output. */
  async function step(script: string, over: Partial<SandboxRun> = {}) {
    let output = '';
    const r = await sandbox.run({
      file: '/bin/sh', args: ['-c', script, 'step', ws.appDir, ws.cacheDir, ws.envDir], cwd: ws.appDir,
      env: { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: ws.appDir, TMPDIR: ws.tmpDir, SECRET_DIR: dataDir },
      timeoutMs: 60_000, onOutput: (c) => (output += c.toString('utf8')), ...over,
    });
    return { ...r, output };
  }

  before(async () => {
    tmp = await mkdtemp(path.join(tmpdir(), 'slipway-runc-sandbox-'));
    dataDir = path.join(tmp, 'data');
    runDir = path.join(dataDir, 'runc', 'builds');
    await mkdir(dataDir, { recursive: true });
    // World-readable on purpose: the data dir must be invisible, not merely forbidden.
    await chmod(tmp, 0o755);
    await chmod(dataDir, 0o755);
    await writeFile(path.join(dataDir, 'secret.txt'), 'platform secret\n', { mode: 0o644 });
    // `host`: the git test below serves a buildpack on the host's loopback (the platform gives
    // builds a namespace of their own instead: runc-sandbox-network.test.ts).
    sandbox = createRuncBuildSandbox({ logger, runDir, dataDir, limits: { ...buildLimits(2048), memoryBytes: 192 * 1024 * 1024 }, network: 'host' });
    ws = await createWorkspace();
    await restoreCache(path.join(tmp, 'no-cache-yet'), ws);
    await writeFile(path.join(ws.envDir, 'GREETING'), 'hello from ENV_DIR', { mode: 0o600 });
    await grantWorkspace(ws, sandbox.owner);
  });

  after(async () => {
    await sandbox?.close();
    if (ws) await removeWorkspace(ws);
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('runs a step as the unprivileged build user, in /app, with the buildpack API paths', async () => {
    const r = await step('id -u; id -g; pwd; echo "$1 $2 $3 $HOME $TMPDIR"; cat "$3/GREETING"; echo');
    assert.equal(r.code, 0, r.output);
    assert.deepEqual(r.output.trim().split('\n'), [
      String(sandbox.owner!.uid), String(sandbox.owner!.gid), '/app', '/app /tmp/cache /tmp/env /app /tmp/build-tmp', 'hello from ENV_DIR',
    ]);
    assert.notEqual(sandbox.owner!.uid, 0);
  });

  it('runs an app\'s steps as the app\'s own uid: one app exhausting inotify instances leaves another app\'s build working', async () => {
    const [a, b] = [await sandbox.forApp!('build-app-a'), await sandbox.forApp!('build-app-b')];
    assert.deepEqual(a.owner, { uid: tenantUidCandidate('build-app-a', 0), gid: tenantUidCandidate('build-app-a', 0) });
    assert.notEqual(a.owner!.uid, b.owner!.uid);
    const [wsA, wsB] = [await createWorkspace(), await createWorkspace()];
    try {
      for (const [w, sb] of [[wsA, a], [wsB, b]] as const) {
        await restoreCache(path.join(tmp, 'no-cache-yet'), w);
        await grantWorkspace(w, sb.owner);
      }
      const run = async (sb: BuildSandbox, w: Workspace, script: string) => {
        let output = '';
        const r = await sb.run({ file: '/bin/sh', args: ['-c', script], cwd: w.appDir, env: { PATH: '/usr/bin:/bin' }, timeoutMs: 60_000, onOutput: (c) => (output += c.toString('utf8')) });
        return { ...r, output: output.trim() };
      };
      const inotify = (hold: boolean) => `python3 -c "
import ctypes, os, time
libc = ctypes.CDLL(None, use_errno=True)
n = 0
while True:
    if libc.inotify_init1(0) < 0:
        break
    n += 1
    if not ${hold ? 'True' : 'False'}:
        break
print(os.getuid(), 'opened', n, os.strerror(ctypes.get_errno()) if ${hold ? 'True' : 'False'} else 'ok', flush=True)
${hold ? "open('/app/exhausted', 'w').close()\nfor _ in range(300):\n    if os.path.exists('/app/done'): break\n    time.sleep(0.1)" : ''}
"`;
      const hog = run(a, wsA, inotify(true));
      const deadline = Date.now() + 30_000;
      while (!(await stat(path.join(wsA.appDir, 'exhausted')).then(() => true, () => false))) {
        assert.ok(Date.now() < deadline, 'the hog never exhausted its inotify instances');
        await new Promise((r) => setTimeout(r, 100));
      }
      const other = await run(b, wsB, inotify(false));
      assert.equal(other.output, `${b.owner!.uid} opened 1 ok`);
      const same = await run(a, wsA, inotify(false));
      assert.equal(same.output, `${a.owner!.uid} opened 0 ok`, 'the same app is out of instances: the limit is real');
      await writeFile(path.join(wsA.appDir, 'done'), '');
      const h = await hog;
      assert.match(h.output, new RegExp(`^${a.owner!.uid} opened \\d+ Too many open files$`));
    } finally {
      await removeWorkspace(wsA);
      await removeWorkspace(wsB);
    }
  });

  it('sees only its own processes', async () => {
    const r = await step('echo "pid=$$"; ls /proc | grep -E "^[0-9]+$" | wc -l');
    assert.equal(r.code, 0, r.output);
    const [pid, count] = r.output.trim().split('\n');
    assert.equal(pid, 'pid=1');
    assert.ok(Number(count) <= 4, `a step sees ${count} processes`);
  });

  it('cannot read the data dir, /root or the rest of the host', async () => {
    const r = await step([
      'cat "$SECRET_DIR/secret.txt" && echo LEAK-data',
      'ls /root 2>/dev/null && echo LEAK-root',
      'ls /work 2>/dev/null && echo LEAK-work',
      `ls ${JSON.stringify(path.dirname(ws.root))} 2>/dev/null && echo LEAK-workspaces`,
      'cat /etc/shadow 2>/dev/null && echo LEAK-shadow',
      'echo done',
    ].join('; '));
    assert.equal(r.code, 0, r.output);
    assert.doesNotMatch(r.output, /LEAK|platform secret/);
    assert.match(r.output, /No such file or directory/);
  });

  it('can write BUILD_DIR, CACHE_DIR and TMPDIR, but not ENV_DIR, the buildpacks or the stack', async () => {
    const r = await step([
      'echo built > "$1/built.txt"', 'echo cached > "$2/cached.txt"', 'echo t > "$TMPDIR/t.txt"',
      'touch "$3/NEW" 2>/dev/null && echo WROTE-env', 'touch /opt/slipway/buildpacks/x 2>/dev/null && echo WROTE-bp',
      'touch /usr/bin/x 2>/dev/null && echo WROTE-usr', 'touch /x 2>/dev/null && echo WROTE-root', 'echo done',
    ].join('; '));
    assert.equal(r.code, 0, r.output);
    assert.doesNotMatch(r.output, /WROTE/);
    assert.equal(await readFile(path.join(ws.appDir, 'built.txt'), 'utf8'), 'built\n');
    assert.equal(await readFile(path.join(ws.cacheDir, 'cached.txt'), 'utf8'), 'cached\n');
    assert.equal(await readFile(path.join(ws.tmpDir, 't.txt'), 'utf8'), 't\n');
    await assert.rejects(stat(path.join(ws.envDir, 'NEW')));
  });

  it('runs the built-in buildpacks and the stack toolchains (node, python)', async () => {
    const r = await step('node -e "console.log(process.version)"; /usr/bin/python3 -c "print(42)"; test -r /opt/slipway/buildpacks/lib.sh && echo lib');
    assert.equal(r.code, 0, r.output);
    assert.match(r.output, /^v\d+\.\d+\.\d+\n42\nlib\n$/);
  });

  it('fetches a custom buildpack from a readable path, never from the data dir', async () => {
    const pack = path.join(tmp, 'my-buildpack');
    await mkdir(path.join(pack, 'bin'), { recursive: true });
    await writeFile(path.join(pack, 'bin', 'detect'), '#!/bin/sh\necho Mine\n', { mode: 0o755 });
    await chmod(pack, 0o755);
    await mkdir(path.join(dataDir, 'bp', 'bin'), { recursive: true });
    await writeFile(path.join(dataDir, 'bp', 'bin', 'detect'), '#!/bin/sh\n', { mode: 0o755 });
    const fetch = async (src: string, n: number) => {
      let output = '';
      const r = await sandbox.run({
        file: 'cp', args: ['-R', '--', src, path.join(ws.buildpacksDir, String(n))], cwd: ws.buildpacksDir,
        env: { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: ws.buildpacksDir }, timeoutMs: 60_000, onOutput: (c) => (output += c.toString()),
      });
      return { ...r, output };
    };
    const ok = await fetch(pack, 0);
    assert.equal(ok.code, 0, ok.output);
    assert.equal(await readFile(path.join(ws.buildpacksDir, '0', 'bin', 'detect'), 'utf8'), '#!/bin/sh\necho Mine\n');
    const refused = await fetch(path.join(dataDir, 'bp'), 1);
    assert.notEqual(refused.code, 0);
    assert.match(refused.output, /No such file or directory/);
    await assert.rejects(stat(path.join(ws.buildpacksDir, '1')));
    // Outside a fetch, the custom buildpacks are read-only.
    const r = await step(`touch /tmp/buildpacks/0/x 2>/dev/null && echo WROTE; /tmp/buildpacks/0/bin/detect`);
    assert.equal(r.output.trim(), 'Mine');
  });

  it('clones a git buildpack over the network (with network: host, a git server on loopback is reachable)', async () => {
    const repo = path.join(tmp, 'served', 'bp.git');
    const src = path.join(tmp, 'bp-src');
    await mkdir(path.join(src, 'bin'), { recursive: true });
    await writeFile(path.join(src, 'bin', 'detect'), '#!/bin/sh\necho Cloned\n', { mode: 0o755 });
    const git = (args: string[], cwd: string) => execFileP('git', args, { cwd, env: { PATH: '/usr/bin:/bin', HOME: tmp, GIT_CONFIG_NOSYSTEM: '1' } });
    await git(['init', '-q', '-b', 'main'], src);
    await git(['add', '.'], src);
    await git(['-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-q', '-m', 'bp'], src);
    await git(['clone', '-q', '--bare', src, repo], tmp);
    await git(['update-server-info'], repo);
    // A dumb-HTTP git server on the host's loopback.
    const root = path.join(tmp, 'served');
    const server = http.createServer((req, res) => {
      const file = path.join(root, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
      if (!file.startsWith(root + path.sep)) return void res.writeHead(403).end();
      readFile(file).then((b) => res.end(b), () => res.writeHead(404).end());
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as AddressInfo).port;
      let output = '';
      const r = await sandbox.run({
        file: 'git', args: ['clone', '--quiet', '--', `http://127.0.0.1:${port}/bp.git`, path.join(ws.buildpacksDir, '2')],
        cwd: ws.buildpacksDir, env: { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: ws.buildpacksDir, GIT_TERMINAL_PROMPT: '0' },
        timeoutMs: 60_000, onOutput: (c) => (output += c.toString()),
      });
      assert.equal(r.code, 0, output);
      assert.equal(await readFile(path.join(ws.buildpacksDir, '2', 'bin', 'detect'), 'utf8'), '#!/bin/sh\necho Cloned\n');
      assert.equal((await stat(path.join(ws.buildpacksDir, '2', 'bin', 'detect'))).uid, sandbox.owner!.uid, 'written as the build user');
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('kills every process of the step at the time limit', async () => {
    const r = await step('sleep 120 & sleep 120', { timeoutMs: 1_500 });
    assert.equal(r.timedOut, true);
    assert.notEqual(r.code, 0);
    assert.match(r.output, /time limit/);
    assert.deepEqual(await readdir(runDir).catch(() => []), [], 'no step state is left behind');
  });

  it('a buildpack running past the build deadline fails the build with a clear message', async () => {
    const pack = path.join(ws.buildpacksDir, 'slow');
    await mkdir(path.join(pack, 'bin'), { recursive: true });
    await writeFile(path.join(pack, 'bin', 'detect'), '#!/bin/sh\necho Slow\n', { mode: 0o755 });
    await writeFile(path.join(pack, 'bin', 'compile'), '#!/bin/sh\necho compiling; sleep 120\n', { mode: 0o755 });
    await grantWorkspace(ws, sandbox.owner);
    let out = '';
    await assert.rejects(runBuildpacks({
      sandbox, buildDir: ws.appDir, cacheDir: ws.cacheDir, envDir: ws.envDir, buildpacks: [{ name: 'slow', dir: pack }], auto: false,
      env: { PATH: '/usr/bin:/bin' }, deadline: Date.now() + 5_000, out: (t) => (out += t),
    }), (err: unknown) => err instanceof BuildFailedError && /Build timed out/.test(err.message));
    assert.match(out, /compiling/);
    assert.match(out, /Build step killed: the build ran past its time limit/);
  });

  it('is OOM-killed past its memory limit (and a step under it is not)', async () => {
    const small = await step('node -e "const b = Buffer.alloc(32 * 1024 * 1024, 1); console.log(b.length)"');
    assert.equal(small.code, 0, small.output);
    const big = await step('node -e "const k = []; for (let i = 0; i < 64; i++) k.push(Buffer.alloc(16 * 1024 * 1024, 1)); console.log(\'survived\')"');
    assert.equal(big.code, 137, big.output);
    assert.doesNotMatch(big.output, /survived/);
    assert.match(big.output, /memory limit of 192 MB/);
  });

  it('is stopped when the build is cancelled', async () => {
    const abort = new AbortController();
    let output = '';
    const running = sandbox.run({
      file: '/bin/sh', args: ['-c', 'echo started; sleep 120'], cwd: ws.appDir, env: { PATH: '/usr/bin:/bin' },
      timeoutMs: 120_000, signal: abort.signal, onOutput: (c) => (output += c.toString()),
    });
    await waitUntil(async () => output.includes('started'));
    abort.abort();
    const r = await running;
    assert.equal(r.aborted, true);
    assert.equal(r.timedOut, false);
    assert.notEqual(r.code, 0);
  });
});

async function waitUntil(cond: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
