// The real platform for the benchmarks: the compiled `packages/server/dist/src/main.js` as a child
// process with a temp data dir, free ports and a known admin token, plus a small API client.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { freePort, sleep, waitFor } from './proc.mjs';

const ACCEPT = 'application/vnd.heroku+json; version=3';

export async function startPlatform(scope, { serverDist, repoRoot, env = {} }) {
  const dataDir = await scope.tmpdir('platform');
  const apiPort = await freePort();
  const routerPort = await freePort();
  const token = `slw_bench_${randomBytes(16).toString('hex')}`;
  const fullEnv = {
    PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? dataDir,
    SLIPWAY_DATA_DIR: dataDir, SLIPWAY_API_PORT: String(apiPort), SLIPWAY_ROUTER_PORT: String(routerPort),
    SLIPWAY_LISTEN_HOST: '127.0.0.1', SLIPWAY_ADMIN_TOKEN: token, SLIPWAY_LOG_LEVEL: 'info', SLIPWAY_API_RATE_LIMIT: '0',
    ...env,
  };
  const child = scope.spawn(process.execPath, [path.join(serverDist, 'src/main.js')], { cwd: repoRoot, env: fullEnv });
  const url = `http://127.0.0.1:${apiPort}`;
  const api = createApiClient(url, token);
  await waitFor('the platform API', async () => {
    if (child.exitCode !== null) throw new Error(`the platform exited (${child.exitCode}):\n${child.output()}`);
    return (await api('GET', '/account')).status === 200;
  }, 90_000, 200);
  return {
    url, apiPort, routerPort, token, dataDir, pid: child.pid, child, api, env: fullEnv,
    routerUrl: `http://127.0.0.1:${routerPort}`,
    output: () => child.output(),
    stop: () => child.stop(40_000),
  };
}

export function createApiClient(base, token) {
  return async function api(method, p, body) {
    const t0 = performance.now();
    const res = await fetch(base + p, {
      method,
      headers: { Authorization: `Bearer ${token}`, Accept: ACCEPT, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    const ms = performance.now() - t0;
    let json;
    try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
    return { status: res.status, body: json ?? text, ms };
  };
}

/** Which runtime driver the platform chose, from its startup log (logfmt), if it says. */
export function driverFromOutput(output) {
  const m = /runtime\.chosen[^\n]*\bruntime=(\w+)/.exec(output);
  return m ? m[1] : null;
}

export { sleep };
