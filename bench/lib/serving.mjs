// Waiting for an app to serve through the router: the time until the first 200 whose body passes
// `accept`, or a reason why it never did (router not listening, or its last error code).
import { httpGet, sleep } from './proc.mjs';

export async function firstServed(platform, app, { accept = () => true, timeoutMs, since = performance.now() }) {
  const deadline = since + timeoutMs;
  let last = 'no answer yet';
  let refused = 0;
  let h14Since;
  while (performance.now() < deadline) {
    try {
      const r = await httpGet(`${platform.routerUrl}/`, { host: `${app}.localhost`, timeoutMs: 5000 });
      if (r.status === 200 && accept(r.body)) return { ok: true, ms: performance.now() - since };
      const code = /H\d\d/.exec(r.body)?.[0];
      last = `HTTP ${r.status}${code ? ` ${code}` : ''}`;
      refused = 0;
      // H14 means no web dyno at all, not even a starting one: a working dyno manager creates one
      // within a second of the formation change, so 20 s of H14 will not end.
      if (code === 'H14') h14Since ??= performance.now();
      else h14Since = undefined;
      if (h14Since !== undefined && performance.now() - h14Since > 20_000) break;
    } catch (err) {
      last = err.code === 'ECONNREFUSED' ? 'nothing listens on the router port' : String(err.message);
      // The router not listening at all (not wired into main.ts) will not change while we wait.
      if (err.code === 'ECONNREFUSED' && ++refused >= 20) break;
    }
    await sleep(25);
  }
  return { ok: false, reason: last };
}

/** Distinct dynos answering through the router (their `dyno=` in the body), asking 2n at a time until n answered. */
export async function allServing(platform, app, n, since, timeoutMs) {
  const seen = new Set();
  while (performance.now() - since < timeoutMs) {
    const burst = await Promise.allSettled(Array.from({ length: 2 * n }, () => httpGet(`${platform.routerUrl}/`, { host: `${app}.localhost`, timeoutMs: 5000 })));
    for (const b of burst) {
      const m = b.status === 'fulfilled' && b.value.status === 200 ? /dyno=(\S+)/.exec(b.value.body) : null;
      if (m) seen.add(m[1]);
    }
    if (seen.size >= n) return { ok: true, ms: performance.now() - since };
    await sleep(25);
  }
  return { ok: false, reason: `${seen.size} of ${n} dynos answered` };
}
