// The real platform for the benchmarks: the compiled `packages/server/dist/src/main.js` as a child
// process with a temp data dir, free ports and a known admin token, plus a small API client.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { existsSync } from 'node:fs';
import { freePort, run, sleep, waitFor } from './proc.mjs';
import { killUnder } from './procfs.mjs';

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
  // Runs after the platform stopped (scope cleanups run in reverse): runc dynos outlive the
  // platform process by design, so whatever is still running under the data dir is ended here.
  scope.defer(async () => {
    const stateDir = path.join(dataDir, 'runc', 'state');
    if (existsSync(stateDir)) {
      const list = await run('runc', ['--root', stateDir, 'list', '-q']);
      for (const id of list.output.split('\n').map((x) => x.trim()).filter(Boolean)) await run('runc', ['--root', stateDir, 'delete', '-f', id]);
    }
    await killUnder(dataDir);
  });
  // SIGINT stops everything, the router process and every dyno (SIGTERM would leave the data plane
  // serving, by design, and a benchmark must leave nothing behind).
  const child = scope.spawn(process.execPath, [path.join(serverDist, 'src/main.js')], { cwd: repoRoot, env: fullEnv, stopSignal: 'SIGINT' });
  // Runs before the platform is stopped: scale every app to 0 and wait for its dynos to be gone.
  scope.defer(() => scaleEverythingDown(api).catch(() => undefined));
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

async function scaleEverythingDown(api) {
  const apps = await api('GET', '/apps');
  if (apps.status !== 200 || !Array.isArray(apps.body)) return;
  for (const app of apps.body) {
    const formation = await api('GET', `/apps/${app.name}/formation`);
    for (const f of Array.isArray(formation.body) ? formation.body : []) {
      // An autoscaling monitor refuses a scale below its minimum (the autoscale section leaves one
      // on): it goes first, or this would wait out its minute for dynos that never stop.
      const monitors = await api('GET', `/apps/${app.name}/formation/${f.type}/monitors`);
      for (const m of Array.isArray(monitors.body) ? monitors.body : []) await api('DELETE', `/apps/${app.name}/formation/${f.type}/monitors/${m.id}`);
      if (f.quantity > 0) await api('PATCH', `/apps/${app.name}/formation/${f.type}`, { quantity: 0 });
    }
    await waitFor(`${app.name}'s dynos to stop`, async () => {
      const r = await api('GET', `/apps/${app.name}/dynos`);
      return r.status !== 200 || (Array.isArray(r.body) && r.body.length === 0);
    }, 60_000, 200).catch(() => undefined);
  }
}
