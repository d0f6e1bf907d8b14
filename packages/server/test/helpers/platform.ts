/**
 * Starts the real platform as a child process (`node --import tsx src/main.ts`, or the compiled
 * `dist/src/main.js` when the tests run from dist) with a temp data dir and free ports, waits until
 * the API answers, and returns its URL, an admin token and a stop function. Reused by every e2e test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface StartOptions {
  /** Extra SLIPWAY_* variables (they win over the helper's defaults). */
  env?: Record<string, string>;
  /** Reuse a data dir (restart tests); it is then not deleted on stop. */
  dataDir?: string;
  /** How long to wait for the API (default 90 s: the machine is shared). */
  readyTimeoutMs?: number;
  /** Start the platform in its own process group (pgid = its pid), as a shell or a service manager
   * would, so a test can SIGKILL the whole group (`kill -KILL -<pgid>`) without killing itself. */
  ownProcessGroup?: boolean;
}

export interface RunningPlatform {
  /** `http://localhost:<apiPort>` */
  url: string;
  apiPort: number;
  routerPort: number;
  /** An admin token (SLIPWAY_ADMIN_TOKEN). */
  token: string;
  dataDir: string;
  /** The platform process's pid (its process group too with `ownProcessGroup`). */
  pid: number;
  /** Environment the platform was started with (pass it to a restart). */
  env: Record<string, string>;
  /** Everything the platform printed so far (stdout and stderr, last 1 MB). */
  output(): string;
  /**
   * SIGINT (stop everything: router process and dynos too), or `signal: 'SIGTERM'` (stop the control
   * plane, leaving the router and surviving dynos serving, as a service-manager restart does), then
   * SIGKILL after a grace period; deletes the data dir unless it was given or `keepData` is set (to
   * restart on it).
   */
  stop(opts?: { keepData?: boolean; signal?: 'SIGINT' | 'SIGTERM' }): Promise<void>;
}

const here = path.dirname(fileURLToPath(import.meta.url));
/** `packages/server`, whether this file runs from `test/helpers` or `dist/test/helpers`. */
const serverRoot = here.includes(`${path.sep}dist${path.sep}`) ? path.resolve(here, '../../..') : path.resolve(here, '../..');
const fromDist = here.includes(`${path.sep}dist${path.sep}`);

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function entryArgs(): string[] {
  return fromDist ? [path.join(serverRoot, 'dist/src/main.js')] : ['--import', 'tsx', path.join(serverRoot, 'src/main.ts')];
}

function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => { child.off('exit', onExit); resolve(false); }, ms);
    const onExit = () => { clearTimeout(timer); resolve(true); };
    child.once('exit', onExit);
  });
}

export async function startPlatform(opts: StartOptions = {}): Promise<RunningPlatform> {
  const ownDataDir = opts.dataDir === undefined;
  const dataDir = opts.dataDir ?? (await mkdtemp(path.join(os.tmpdir(), 'slipway-e2e-')));
  const apiPort = opts.env?.SLIPWAY_API_PORT ? Number(opts.env.SLIPWAY_API_PORT) : await freePort();
  const routerPort = opts.env?.SLIPWAY_ROUTER_PORT ? Number(opts.env.SLIPWAY_ROUTER_PORT) : await freePort();
  const env: Record<string, string> = {
    SLIPWAY_DATA_DIR: dataDir,
    SLIPWAY_API_PORT: String(apiPort),
    SLIPWAY_ROUTER_PORT: String(routerPort),
    SLIPWAY_LISTEN_HOST: '127.0.0.1',
    SLIPWAY_ADMIN_TOKEN: `slw_test_${randomBytes(16).toString('hex')}`,
    SLIPWAY_RUNTIME: 'process',
    SLIPWAY_RENDEZVOUS_PORT: '0',
    SLIPWAY_LOG_LEVEL: 'info',
    ...opts.env,
  };
  const child = spawn(process.execPath, entryArgs(), {
    cwd: path.resolve(serverRoot, '../..'),
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? os.tmpdir(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: opts.ownProcessGroup === true,
  });
  let out = '';
  const keep = (chunk: Buffer) => {
    out += chunk.toString('utf8');
    if (out.length > 1_000_000) out = out.slice(-1_000_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const url = `http://localhost:${apiPort}`;
  const token = env.SLIPWAY_ADMIN_TOKEN;

  const stop = async (stopOpts: { keepData?: boolean; signal?: 'SIGINT' | 'SIGTERM' } = {}) => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill(stopOpts.signal ?? 'SIGINT');
      if (!(await waitExit(child, 20_000))) {
        child.kill('SIGKILL');
        await waitExit(child, 5_000);
      }
    }
    if (ownDataDir && !stopOpts.keepData) await rm(dataDir, { recursive: true, force: true });
  };

  const deadline = Date.now() + (opts.readyTimeoutMs ?? 90_000);
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await stop();
      throw new Error(`the platform exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${out}`);
    }
    try {
      const res = await fetch(`${url}/account`, { headers: { Authorization: `Bearer ${token}`, Accept: 'application/vnd.heroku+json; version=3' } });
      await res.arrayBuffer();
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the platform did not answer on ${url} in time:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { url, apiPort, routerPort, token, dataDir, pid: child.pid ?? 0, env, output: () => out, stop };
}
