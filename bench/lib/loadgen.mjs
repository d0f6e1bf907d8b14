// Open-loop HTTP load generator: requests are fired on a fixed schedule whatever the server does,
// and latency is measured from the *intended* start time, so a slow server cannot hide its queue
// (no coordinated omission).
import http from 'node:http';

/**
 * @param {object} o
 * @param {string} o.url       target URL
 * @param {string} [o.host]    Host header
 * @param {number[]} o.schedule  intended start offsets in ms from t0, ascending
 * @param {(i:number)=>string} [o.path]  per-request path
 * @param {number} [o.timeoutMs]
 * @param {number} [o.maxSockets]
 */
export async function openLoop(o) {
  const target = new URL(o.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: o.maxSockets ?? 256 });
  const latencies = new Array(o.schedule.length);
  const statuses = new Map();
  let errors = 0;
  const t0 = performance.now() + 20;
  let done = 0;
  await new Promise((resolve) => {
    let next = 0;
    const fire = (i) => {
      const intended = t0 + o.schedule[i];
      let settled = false;
      const settle = (latency, status) => {
        if (settled) return;
        settled = true;
        if (status !== undefined) statuses.set(status, (statuses.get(status) ?? 0) + 1);
        if (latency === undefined) errors++;
        latencies[i] = latency;
        finish();
      };
      const req = http.request({
        agent, host: target.hostname, port: target.port, method: 'GET',
        path: o.path ? o.path(i) : target.pathname + target.search,
        headers: o.host ? { host: o.host } : {},
        timeout: o.timeoutMs ?? 60_000,
      }, (res) => {
        res.on('data', () => {});
        res.on('end', () => settle(res.statusCode === 200 ? performance.now() - intended : undefined, res.statusCode));
        res.on('error', () => settle(undefined, res.statusCode));
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => settle(undefined, undefined));
      req.end();
    };
    const finish = () => { if (++done === o.schedule.length) resolve(); };
    const tick = () => {
      const now = performance.now();
      while (next < o.schedule.length && t0 + o.schedule[next] <= now) fire(next++);
      if (next < o.schedule.length) setTimeout(tick, Math.max(0, Math.min(5, t0 + o.schedule[next] - performance.now())));
    };
    setTimeout(tick, Math.max(0, t0 - performance.now()));
  });
  agent.destroy();
  // `perRequest[i]` is request i's latency (undefined when it failed): routing-quality runs pair it
  // with request i's service time.
  return { latencies: latencies.filter((x) => x !== undefined), perRequest: latencies, statuses: Object.fromEntries(statuses), errors };
}

/** Evenly spaced schedule: `rate` requests per second for `seconds`. */
export function fixedRate(rate, seconds) {
  const n = Math.round(rate * seconds);
  return Array.from({ length: n }, (_, i) => (i * 1000) / rate);
}
