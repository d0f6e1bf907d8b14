/**
 * The `runc` build sandbox: every buildpack step (detect, compile, release, a custom buildpack's
 * fetch, the release phase when no dyno runtime runs it) is a one-shot runc container
 * (`runIsolated`): own pid, mount, ipc, uts and cgroup namespaces; an unprivileged user (the
 * app's own tenant uid, the one its dynos run as, through `forApp`; uid 64000 otherwise) with no
 * capabilities, no new privileges and the dyno seccomp profile; the host's stack read-only and a
 * generated /etc; only the workspace dirs the step needs bound (runc-sandbox-plan.ts); a cgroup with a memory limit (no swap), CPU shares and a pids limit; the build's time limit, after
 * which every process in the container is killed. The platform's data dir, /root and the rest of
 * the host filesystem are simply not there.
 *
 * Network (`network`): by default (the platform passes a `BuildNetwork`) each step gets its own
 * network namespace on the dynos' bridge with outbound NAT only (runc-sandbox-network.ts): package
 * registries and git servers on the internet are reachable; other apps' dynos, every address of
 * the host (API, router, databases, sshd; loopback is the step's own) and link-local metadata are
 * not; no IPv6. `none` leaves loopback only (dependency installs then need a vendored cache);
 * `host` shares the host's network namespace (tests and trusted single-tenant hosts only: a build
 * then reaches every service on the host's loopback). Source URLs of builds are fetched the same
 * way, inside a step (`fetchSource`), never by the platform process.
 */
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { mkdir, readdir, realpath, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRunc, createTenantUids, DYNO_USER, execCapture, runIsolated, tenantUidsDir, type BindMount, type ContainerLimits, type ContainerUser, type TenantUids } from '../isolation/index.js';
import { InvalidParamsError } from '../errors.js';
import type { Logger } from '../log/index.js';
import { serverPackageRoot } from './buildpacks.js';
import { fetchSources, planBuildStep, toolchainBinds, type ApprovedSource, type SandboxLayout } from './runc-sandbox-plan.js';
import type { BuildNetwork } from './runc-sandbox-network.js';
import type { BuildSandbox, SandboxResult, SandboxRun } from './sandbox.js';

export interface RuncBuildSandboxDeps {
  logger: Logger;
  /** Where runc state and the steps' bundles live while they run (e.g. `<dataDir>/runc/builds`). */
  runDir: string;
  /** Never bound into a build, whatever a custom buildpack path says. */
  dataDir: string;
  /** Per step: memory hard limit (no swap), CPU shares, pids. */
  limits: ContainerLimits;
  /** The build user of builds not bound to an app; the workspace is chowned to it. Default: uid/gid 64000. */
  user?: ContainerUser;
  /** A namespace per step on the bridge (outbound NAT only), `none` (loopback only) or `host`. Default: `none`. */
  network?: 'host' | 'none' | BuildNetwork;
  /** Longest a source fetch may take (default 10 minutes). */
  fetchTimeoutMs?: number;
  /** Prefix of step container ids (`slipway-run-<instance>`), so `slipway cleanup` finds them. */
  idPrefix?: string;
  /** `forApp` binds builds to the app's tenant uid (the one its dynos run as); default true. */
  perAppUsers?: boolean;
  /** Defaults: `<tmp>/slipway-builds`, `packages/server/buildpacks`, node's prefix. */
  layout?: Partial<SandboxLayout>;
}

/**
 * Run by node inside a fetch step: streams the URL's body to stdout; a failure is one line on
 * stderr and a non-zero exit. `-e` scripts are CommonJS whatever package.json is near.
 */
const FETCH_SCRIPT = [
  'const u = process.argv[1];',
  "fetch(u, { redirect: 'follow' }).then(async (r) => {",
  "  if (!r.ok || !r.body) { process.stderr.write('HTTP ' + r.status + '\\n'); process.exit(2); }",
  '  for await (const c of r.body) if (!process.stdout.write(c)) await new Promise((ok) => process.stdout.once(\'drain\', ok));',
  "}).catch((e) => { process.stderr.write(String((e.cause && e.cause.code) || e.message) + '\\n'); process.exit(3); });",
].join('\n');

/** Builds get more processes than a dyno (npm, pip and compilers fork and thread a lot). */
export const BUILD_PIDS_LIMIT = 4096;
/** One standard CPU share: builds compete evenly with each other and with dynos. */
export const BUILD_CPU_SHARES = 1024;

export function buildLimits(memoryMb: number): ContainerLimits {
  return { memoryBytes: memoryMb * 1024 * 1024, cpuShares: BUILD_CPU_SHARES, pids: BUILD_PIDS_LIMIT };
}

function defaultLayout(over: Partial<SandboxLayout> | undefined, dataDir: string): SandboxLayout {
  // node's install prefix (`/usr` on most hosts, then nothing is added: the stack has it).
  const toolchains = over?.toolchainDirs ?? [path.dirname(path.dirname(process.execPath))];
  return {
    workspaceParent: over?.workspaceParent ?? path.join(tmpdir(), 'slipway-builds'),
    builtinDir: over?.builtinDir ?? path.join(serverPackageRoot(), 'buildpacks'),
    toolchainDirs: toolchains.filter((d) => !isUnder(path.resolve(dataDir), path.resolve(d))),
  };
}

function isUnder(p: string, dir: string): boolean {
  const rel = path.relative(dir, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** True when `user` could read `p` on the host (every parent traversable), as the process sandbox would. */
function readableBy(user: ContainerUser, p: string): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn('test', ['-r', p, '-a', '(', '!', '-d', p, '-o', '-x', p, ')'], {
      uid: user.uid, gid: user.gid, stdio: 'ignore', env: { PATH: '/usr/bin:/bin' },
    });
    child.on('error', () => resolve(false));
    child.on('close', (code) => resolve(code === 0));
  });
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(() => true, () => false);
}

/** What every view of one sandbox (the default user's and each app's) shares: its running steps. */
interface SandboxState {
  /** The steps still running (aborting one kills its container). */
  running: Set<AbortController>;
  waiters: (() => void)[];
  closed: boolean;
}

export function createRuncBuildSandbox(deps: RuncBuildSandboxDeps): BuildSandbox {
  const uids = deps.perAppUsers === false ? null : createTenantUids({ dir: tenantUidsDir(deps.dataDir) });
  const state: SandboxState = { running: new Set(), waiters: [], closed: false };
  return sandboxAs(deps, deps.user ?? { uid: DYNO_USER.uid, gid: DYNO_USER.gid }, state, uids);
}

function sandboxAs(deps: RuncBuildSandboxDeps, user: ContainerUser, state: SandboxState, uids: TenantUids | null): BuildSandbox {
  const layout = defaultLayout(deps.layout, deps.dataDir);
  const network = deps.network ?? 'none';
  const idPrefix = deps.idPrefix ?? 'slipway-run-';
  /** Runs `fn` with the step's container id and network. */
  const withNetwork = <T>(fn: (id: string, net: 'host' | 'none' | { netnsPath: string }) => Promise<T>): Promise<T> => {
    const id = `${idPrefix}${randomBytes(6).toString('hex')}`;
    if (typeof network === 'string') return fn(id, network);
    return network.use(id, (netnsPath) => fn(id, { netnsPath }));
  };
  const log = deps.logger.child({ sandbox: 'runc' });
  const { running, waiters } = state;
  const settled = () => {
    for (const w of waiters.splice(0)) w();
  };

  /** Kills whatever runs in a step's own runc state dir (there is at most one container). */
  async function killStep(stateDir: string): Promise<void> {
    const runc = createRunc({ stateDir });
    const list = await runc.list().catch(() => []);
    await Promise.all(list.map((c) => runc.kill(c.id, 'KILL', true)));
  }

  /** Local buildpack sources a fetch step may read: not the data dir, and only what the build user could read anyway. */
  async function approve(spec: SandboxRun): Promise<ApprovedSource[]> {
    const approved: ApprovedSource[] = [];
    const dataDir = await realpath(deps.dataDir).catch(() => path.resolve(deps.dataDir));
    for (const arg of fetchSources(spec, layout)) {
      const real = await realpath(arg).catch(() => undefined);
      if (!real || isUnder(real, dataDir) || isUnder(dataDir, real) || !(await readableBy(user, real))) {
        log.warn('build.source_refused', { path: arg });
        continue;
      }
      approved.push({ arg, realPath: real });
    }
    return approved;
  }

  async function runStep(spec: SandboxRun, stepDir: string, stop: AbortSignal): Promise<SandboxResult> {
    const plan = planBuildStep(spec, layout, await approve(spec));
    const binds: BindMount[] = [];
    for (const b of plan.binds) if (await exists(b.source)) binds.push(b);
    const stateDir = path.join(stepDir, 'state');
    await mkdir(stepDir, { recursive: true, mode: 0o700 });
    let killer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      // The container may not exist yet: keep killing until the run ends.
      void killStep(stateDir);
      killer ??= setInterval(() => void killStep(stateDir), 250);
    };
    stop.addEventListener('abort', onAbort, { once: true });
    try {
      if (stop.aborted) return { code: null, signal: null, timedOut: false, aborted: true };
      const r = await withNetwork((id, net) => runIsolated({
        id, stateDir, workDir: path.join(stepDir, 'bundles'), binds, appDir: plan.appDir,
        cmd: plan.cmd, env: plan.env, cwd: plan.cwd, user, limits: deps.limits,
        timeoutMs: Math.max(1, spec.timeoutMs), network: net, hostname: 'build',
        onOutput: (_stream, chunk) => spec.onOutput(chunk),
      }));
      if (r.timedOut) {
        spec.onOutput(Buffer.from('\n !     Build step killed: the build ran past its time limit; every process in it was stopped.\n'));
      } else if (r.exitCode === 137 && !stop.aborted) {
        spec.onOutput(Buffer.from(`\n !     Build step killed (SIGKILL): most likely it used more than the build memory limit of ${Math.round(deps.limits.memoryBytes / 1024 / 1024)} MB.\n`));
      }
      return { code: r.exitCode, signal: null, timedOut: r.timedOut, aborted: stop.aborted };
    } finally {
      if (killer) clearInterval(killer);
      stop.removeEventListener('abort', onAbort);
    }
  }

  return {
    name: 'runc',
    owner: { uid: user.uid, gid: user.gid },
    ...(uids ? { forApp: async (appId: string) => sandboxAs(deps, await uids.userFor(appId), state, null) } : {}),
    async run(spec) {
      const stepDir = path.join(deps.runDir, randomBytes(8).toString('hex'));
      const stop = new AbortController();
      const onAbort = () => stop.abort();
      spec.signal?.addEventListener('abort', onAbort, { once: true });
      if (spec.signal?.aborted || state.closed) stop.abort();
      running.add(stop);
      try {
        return await runStep(spec, stepDir, stop.signal).catch((err: unknown): SandboxResult => {
          const message = (err as Error)?.message ?? String(err);
          log.error('build.step_failed', { error: message });
          spec.onOutput(Buffer.from(`Could not run the build container: ${message}\n`));
          return { code: 127, signal: null, timedOut: false, aborted: stop.signal.aborted };
        });
      } finally {
        running.delete(stop);
        spec.signal?.removeEventListener('abort', onAbort);
        await rm(stepDir, { recursive: true, force: true }).catch(() => undefined);
        settled();
      }
    },
    async fetchSource(url) {
      if (typeof network === 'string') throw new InvalidParamsError('Could not fetch source_blob.url: builds on this platform have no network.', 'source_blob');
      const stream = new PassThrough();
      const stepDir = path.join(deps.runDir, randomBytes(8).toString('hex'));
      const stop = new AbortController();
      running.add(stop);
      const stateDir = path.join(stepDir, 'state');
      stop.signal.addEventListener('abort', () => void killStep(stateDir), { once: true });
      let stderr = '';
      const done = (async () => {
        try {
          await mkdir(stepDir, { recursive: true, mode: 0o700 });
          const r = await withNetwork((id, net) => runIsolated({
            id, stateDir, workDir: path.join(stepDir, 'bundles'), binds: toolchainBinds(layout),
            cmd: [process.execPath, '-e', FETCH_SCRIPT, url], env: {}, cwd: '/tmp', user, limits: deps.limits,
            timeoutMs: deps.fetchTimeoutMs ?? 10 * 60_000, network: net, hostname: 'build',
            onOutput: (which, chunk) => {
              if (which === 'stdout') stream.write(chunk);
              else if (stderr.length < 2048) stderr += chunk.toString('utf8');
            },
          }));
          if (r.exitCode !== 0) {
            const why = r.timedOut ? 'timed out' : stderr.trim().split('\n').at(-1) || `exit ${r.exitCode}`;
            throw new InvalidParamsError(`Could not fetch source_blob.url: ${why}.`, 'source_blob');
          }
          stream.end();
        } catch (err) {
          const e = err instanceof InvalidParamsError ? err : new InvalidParamsError(`Could not fetch source_blob.url: ${(err as Error).message}`, 'source_blob');
          stream.destroy(e);
          throw e;
        } finally {
          running.delete(stop);
          await rm(stepDir, { recursive: true, force: true }).catch(() => undefined);
          settled();
        }
      })();
      done.catch(() => undefined);
      return { stream, done };
    },
    async close() {
      state.closed = true;
      for (const stop of running) stop.abort();
      while (running.size > 0) await new Promise<void>((r) => waiters.push(r));
      if (typeof network !== 'string') await network.close().catch((err: unknown) => log.error('build.firewall_failed', { error: String(err) }));
    },
  };
}

/**
 * After a crash, steps of the previous run may still be running (a foreground `runc run` whose
 * parent died leaves its container behind): kill and delete them, and remove their bundles.
 */
export async function sweepBuildRuns(runDir: string, logger: Logger): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(runDir);
  } catch {
    return;
  }
  for (const name of entries) {
    const runc = createRunc({ stateDir: path.join(runDir, name, 'state') });
    for (const c of await runc.list().catch(() => [])) {
      logger.warn('build.step_swept', { container: c.id });
      await runc.kill(c.id, 'KILL', true);
      await runc.delete(c.id, true).catch(() => undefined);
    }
    // Each bundle's rootfs lives on a tmpfs of its own (isolation/run-isolated.ts).
    for (const bundle of await readdir(path.join(runDir, name, 'bundles')).catch(() => [] as string[])) {
      await execCapture('umount', ['--lazy', path.join(runDir, name, 'bundles', bundle, 'scratch')]).catch(() => undefined);
    }
    await rm(path.join(runDir, name), { recursive: true, force: true });
  }
}
