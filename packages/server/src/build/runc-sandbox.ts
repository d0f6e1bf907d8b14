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
 * Network: `host` by default, so npm/pip/git reach registries the same way the platform does. The
 * trade-off: a build shares the host's network namespace, so it can connect to services listening
 * on the host's loopback (the API, a local PostgreSQL, the router's internal endpoints — all of
 * which still require their credentials, which the build does not have) and to abstract unix
 * sockets. Builds run code from the app's own repository and its dependencies, as on Heroku, but
 * an operator who shares a host with untrusted tenants should bind platform services to a private
 * address or set `network: 'none'` (dependency installs then need a vendored cache).
 */
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { mkdir, readdir, realpath, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRunc, createTenantUids, DYNO_USER, execCapture, runIsolated, tenantUidsDir, type ContainerLimits, type ContainerUser, type TenantUids } from '../isolation/index.js';
import type { Logger } from '../log/index.js';
import { serverPackageRoot } from './buildpacks.js';
import { fetchSources, planBuildStep, type ApprovedSource, type SandboxLayout } from './runc-sandbox-plan.js';
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
  /** `forApp` binds builds to the app's tenant uid (the one its dynos run as); default true. */
  perAppUsers?: boolean;
  /** `host` (default): builds reach package registries. `none`: loopback only. */
  network?: 'host' | 'none';
  /** Defaults: `<tmp>/slipway-builds`, `packages/server/buildpacks`, node's prefix. */
  layout?: Partial<SandboxLayout>;
}

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
  const network = deps.network ?? 'host';
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
    const binds = [];
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
      const r = await runIsolated({
        stateDir, workDir: path.join(stepDir, 'bundles'), binds, appDir: plan.appDir,
        cmd: plan.cmd, env: plan.env, cwd: plan.cwd, user, limits: deps.limits,
        timeoutMs: Math.max(1, spec.timeoutMs), network, hostname: 'build',
        onOutput: (_stream, chunk) => spec.onOutput(chunk),
      });
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
    async close() {
      state.closed = true;
      for (const stop of running) stop.abort();
      while (running.size > 0) await new Promise<void>((r) => waiters.push(r));
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
