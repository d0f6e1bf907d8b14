/**
 * The pre-receive hook Slipway writes into each app's bare repo, run as git runs it, with the data
 * dir inside a package whose package.json says `"type": "module"` (the default `./.slipway` inside a
 * clone of this repository is exactly that). A hook written as a node script there dies with
 * "require is not defined in ES module scope" and every push is rejected (issue 20).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createRepoKeeper, HOOK_PROGRAM, shellQuote } from './repo.js';

/** A stand-in for the builder's hook callback: records the request and answers like builder.ts. */
async function hookReceiver(exitCode: number): Promise<{ url: string; requests: { auth: string; body: unknown }[]; close(): Promise<void> }> {
  const requests: { auth: string; body: unknown }[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      requests.push({ auth: String(req.headers.authorization), body: JSON.parse(body) });
      res.writeHead(200, { 'content-type': 'text/plain', trailer: 'x-slipway-exit' });
      res.write('-----> Building on the Slipway stack\n');
      res.addTrailers({ 'x-slipway-exit': String(exitCode) });
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hook`, requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Runs `<repo>/hooks/pre-receive` the way git does: from the repo dir, ref updates on stdin. */
function runHook(repo: string, stdin: string, env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('hooks/pre-receive', [], { cwd: repo, env: { PATH: '/usr/bin:/bin', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
    child.stdin.end(stdin);
  });
}

async function moduleScope(): Promise<string> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'slipway-esm-scope-'));
  await writeFile(path.join(root, 'package.json'), JSON.stringify({ name: 'an-esm-project', type: 'module' }));
  return root;
}

for (const exitCode of [0, 1]) {
  test(`the pre-receive hook works in a "type": "module" scope (build exits ${exitCode})`, async () => {
    const root = await moduleScope();
    const receiver = await hookReceiver(exitCode);
    try {
      const repo = path.join(root, '.slipway', 'repos', 'app-1.git');
      await createRepoKeeper().ensure(repo);
      const sha = 'a'.repeat(40);
      const r = await runHook(repo, `${'0'.repeat(40)} ${sha} refs/heads/main\n`, {
        SLIPWAY_HOOK_URL: receiver.url, SLIPWAY_HOOK_TOKEN: 'tok-1', SLIPWAY_PUSH_TICKET: 'ticket-1',
      });
      assert.doesNotMatch(r.out, /require is not defined/);
      assert.equal(r.code, exitCode, r.out);
      assert.match(r.out, /-----> Building on the Slipway stack/);
      assert.equal(receiver.requests.length, 1);
      assert.equal(receiver.requests[0].auth, 'Bearer tok-1');
      assert.deepEqual((receiver.requests[0].body as { ticket: string; updates: unknown[] }).updates, [{ old: '0'.repeat(40), new: sha, ref: 'refs/heads/main' }]);
      assert.equal((receiver.requests[0].body as { ticket: string }).ticket, 'ticket-1');
    } finally {
      await receiver.close();
      await rm(root, { recursive: true, force: true });
    }
  });
}

test('the hook rejects the push with a message when the builder cannot be reached', async () => {
  const root = await moduleScope();
  try {
    const repo = path.join(root, 'repos', 'app-2.git');
    await createRepoKeeper().ensure(repo);
    const r = await runHook(repo, `${'0'.repeat(40)} ${'b'.repeat(40)} refs/heads/main\n`, { SLIPWAY_HOOK_URL: 'http://127.0.0.1:1/' });
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /Slipway could not reach its builder/);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('an old hook (a node script) is rewritten into the shell hook and its .cjs program', async () => {
  const root = await moduleScope();
  try {
    const repo = path.join(root, 'repos', 'app-3.git');
    const keeper = createRepoKeeper();
    await keeper.ensure(repo);
    await writeFile(path.join(repo, 'hooks', 'pre-receive'), `#!${process.execPath}\nrequire('node:http');\n`);
    keeper.forget(repo);
    await keeper.ensure(repo);
    assert.match(await readFile(path.join(repo, 'hooks', 'pre-receive'), 'utf8'), /^#!\/bin\/sh\n/);
    assert.equal((await stat(path.join(repo, 'hooks', 'pre-receive'))).mode & 0o777, 0o755);
    assert.match(await readFile(path.join(repo, 'hooks', HOOK_PROGRAM), 'utf8'), /require\('node:http'\)/);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('shellQuote survives quotes and spaces', async () => {
  const r = await new Promise<string>((resolve) => {
    const child = spawn('/bin/sh', ['-c', `printf %s ${shellQuote("/opt/it's a node")}`]);
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('close', () => resolve(out));
  });
  assert.equal(r, "/opt/it's a node");
});
