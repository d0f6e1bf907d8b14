/** waitForCi against a real HTTP server answering GitHub's combined status API. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { combinedStatusUrl, pollDelay, repoFullName, waitForCi } from './ci-status.js';

async function statusServer(states: string[]) {
  const seen: { url: string; auth: string | undefined }[] = [];
  const server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', auth: req.headers.authorization });
    const state = states[Math.min(seen.length - 1, states.length - 1)]!;
    if (state.startsWith('HTTP ')) {
      res.writeHead(Number(state.slice(5))).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ state, sha: 'x', statuses: [] }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe('wait for CI', () => {
  it('builds the status URL from the repository URL', () => {
    assert.equal(repoFullName('https://github.com/acme/widgets.git'), 'acme/widgets');
    assert.equal(repoFullName('https://gitea.example/git/acme/widgets'), 'acme/widgets');
    assert.equal(repoFullName('https://host/only'), undefined);
    assert.equal(combinedStatusUrl('https://api.github.com/', 'https://github.com/acme/widgets.git', 'a'.repeat(40)),
      `https://api.github.com/repos/acme/widgets/commits/${'a'.repeat(40)}/status`);
  });

  it('backs off: at once, then doubling up to the cap', () => {
    assert.deepEqual([0, 1, 2, 3, 4, 5, 9].map((n) => pollDelay(n, 100, 1000)), [0, 100, 200, 400, 800, 1000, 1000]);
  });

  it('polls through pending and HTTP errors until success, with the token', async () => {
    const s = await statusServer(['pending', 'HTTP 502', 'pending', 'success']);
    try {
      const states: string[] = [];
      const outcome = await waitForCi({ statusUrl: `${s.url}/repos/a/b/commits/c/status`, token: 'tok', firstDelayMs: 10, maxDelayMs: 40, timeoutMs: 10_000, signal: new AbortController().signal, onState: (x) => states.push(x) });
      assert.equal(outcome, 'success');
      assert.equal(s.seen.length, 4);
      assert.deepEqual(states, ['pending', 'HTTP 502', 'pending', 'success']);
      assert.ok(s.seen.every((r) => r.auth === 'token tok' && r.url === '/repos/a/b/commits/c/status'));
    } finally {
      await s.close();
    }
  });

  it('stops at failure, at the timeout, and when aborted', async () => {
    const failing = await statusServer(['pending', 'failure']);
    const stuck = await statusServer(['pending']);
    try {
      const base = { token: null, firstDelayMs: 10, maxDelayMs: 20, signal: new AbortController().signal };
      assert.equal(await waitForCi({ ...base, statusUrl: failing.url, timeoutMs: 10_000 }), 'failure');
      assert.equal(await waitForCi({ ...base, statusUrl: stuck.url, timeoutMs: 100 }), 'timeout');
      const abort = new AbortController();
      const waiting = waitForCi({ ...base, statusUrl: stuck.url, timeoutMs: 10_000, signal: abort.signal });
      setTimeout(() => abort.abort(), 50);
      assert.equal(await waiting, 'aborted');
    } finally {
      await failing.close();
      await stuck.close();
    }
  });
});
