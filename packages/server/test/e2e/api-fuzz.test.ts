/**
 * Issue 19, "Done when": a bounded fuzz-style pass over every route of the full platform (in this
 * process, the API's timings shortened through its config keys). Each route gets traversal ids,
 * NUL bytes in the path, the query and every likely body field, an oversized config and an
 * oversized body, and slow clients (headers and bodies that stop). Asserted: no 5xx, no state
 * change on a refused request, no connection held past the timeout, nothing logged at error level.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startInProcessPlatform, type InProcessPlatform } from '../helpers/in-process-platform.js';
import { closedWithin, rawSocket } from '../helpers/raw-http.js';
import { caller, fillPath, seedApps, snapshot, traversalPaths, type Call } from '../helpers/route-walk.js';

const A = 'fuzz-a';
const B = 'fuzz-b';
const TIMEOUT_MS = 800;
const SLACK_MS = 4000;

let p: InProcessPlatform;
let call: Call;
let fill: (param: string) => string;
const state = () => snapshot(call, [A, B]);
const NUL = '\u0000';

/** One body with a NUL in every field name any route reads. */
const nulBody = {
  name: `a${NUL}b`, url: `https://x.example.com/${NUL}`, hostname: `a${NUL}.example.com`, sni_endpoint: null, user: `a${NUL}@example.com`,
  email: `a${NUL}@example.com`, command: `echo ${NUL}`, env: { A: NUL }, quantity: NUL, size: `basic${NUL}`, type: `web${NUL}`,
  updates: [{ type: `web${NUL}`, quantity: 1, buildpack: `heroku/${NUL}` }], source_blob: { url: `https://x.example.com/${NUL}` },
  slug: NUL, release: NUL, maintenance: NUL, lines: NUL, tail: NUL, dyno: NUL, source: NUL, [`KEY${NUL}`]: 'x', NUL_VALUE: `x${NUL}`,
};

const bodyMethods = new Set(['POST', 'PATCH', 'PUT', 'DELETE']);

before(async () => {
  p = await startInProcessPlatform({ apiHeadersTimeoutMs: TIMEOUT_MS, apiBodyIdleTimeoutMs: TIMEOUT_MS, apiIdleTimeoutMs: TIMEOUT_MS });
  call = caller(p.url, p.token);
  fill = await seedApps(call, A, B);
});
after(async () => { await p?.stop(); });

// About 30 s on a quiet machine; the deadline leaves room for a shared one.
test('every route: traversal ids, NUL bytes, oversized config and bodies: no 5xx, refused requests change nothing', { timeout: 120_000 }, async () => {
  const problems: string[] = [];
  let baseline = await state();
  let sent = 0;
  for (const route of p.routes) {
    // Regenerating the caller's own API token takes any body and succeeds by design; walking it would
    // sign this test out (the dashboard's session tests cover it).
    if (route.method === 'POST' && route.path === '/account/tokens') continue;
    const real = fillPath(route.path, fill);
    const withBody = bodyMethods.has(route.method);
    // The traversal test tries every id and tail; here one encoded id per parameter and one tail.
    const traversal = traversalPaths(route.path, route.method, fill, ['%2e%2E'], B, ['/..']);
    const tries: [string, unknown][] = [
      ...traversal.map((path): [string, unknown] => [path, withBody ? {} : undefined]),
      [fillPath(route.path, (k) => (k === 'app' ? A : `x%00y`)), withBody ? {} : undefined],
      [`${real}?x=%00&extended=%00&lines=%00`, withBody ? {} : undefined],
    ];
    if (withBody) {
      tries.push([real, nulBody]);
      tries.push([real, Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`BIG_${i}`, 'x'.repeat(1024)]))]);
      tries.push([real, JSON.stringify({ A: 'x'.repeat(2 * 1024 * 1024) })]);
      tries.push([real, '{"__proto__": {"admin": true}, "name": "proto"}']);
    }
    for (const [path, body] of tries) {
      const r = await call(route.method, path, body);
      sent++;
      const what = `${route.method} ${path.slice(0, 80)} (${route.path})`;
      if (r.status >= 500) problems.push(`${what}: ${r.status} ${r.text.slice(0, 120)}`);
      // GET and HEAD change nothing whatever they answer; the others are checked one by one.
      if (route.method === 'GET' || route.method === 'HEAD') continue;
      const now = await state();
      if (r.status >= 400 && now !== baseline) problems.push(`${what}: refused with ${r.status} but changed state`);
      baseline = now;
    }
  }
  assert.deepEqual(problems, []);
  assert.ok(sent > p.routes.length * 6, `only ${sent} requests`);
  const errors = p.logLines.filter((l) => l.startsWith('level=error'));
  assert.deepEqual(errors, []);
});

test('every route: slow headers and stalled bodies are all closed by the timeouts', { timeout: 120_000 }, async () => {
  const opens = p.routes.flatMap((route) => {
    const path = fillPath(route.path, fill);
    const slowHead = () => rawSocket(p.url).then((s) => {
      s.write(`${route.method} ${path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${p.token}\r\n`);
      return { what: `${route.method} ${route.path} slow headers`, s };
    });
    const stalled = () => rawSocket(p.url).then((s) => {
      s.write(`${route.method} ${path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${p.token}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"a":`);
      return { what: `${route.method} ${route.path} stalled body`, s };
    });
    return bodyMethods.has(route.method) ? [slowHead, stalled] : [slowHead];
  });
  // Every route's connection may be held at most the timeout. The API caps a client at 256 open
  // connections (more are reset by design), so the routes go in batches under that cap.
  const BATCH = 200;
  const notClosed: string[] = [];
  for (let i = 0; i < opens.length; i += BATCH) {
    const sockets = await Promise.all(opens.slice(i, i + BATCH).map((open) => open()));
    const closed = await Promise.all(sockets.map(async ({ what, s }) => ({ what, ms: await closedWithin(s, TIMEOUT_MS + SLACK_MS) })));
    for (const { s } of sockets) s.destroy();
    notClosed.push(...closed.filter((c) => c.ms === null).map((c) => c.what));
  }
  assert.ok(opens.length > BATCH, `${opens.length} connections: the batching is exercised`);
  assert.deepEqual(notClosed, []);
  const r = await call('GET', '/account');
  assert.equal(r.status, 200);
});
