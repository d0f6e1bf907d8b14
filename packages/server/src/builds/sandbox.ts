/**
 * BuildSandbox: where buildpack steps run. The `process` sandbox runs each step as an unprivileged
 * user (uid/gid 65534 when the platform is root) in its own session and process group, with a clean
 * environment, killed as a group on timeout or abort. A runc-container sandbox can implement the
 * same interface (own mount/pid namespaces and a cgroup); the builder does not care which it gets.
 */
import { spawn } from 'node:child_process';
import type { Logger } from '../log/index.js';
import type { OpenedSource } from './source.js';

export interface SandboxRun {
  /** Executable (absolute path, or a name looked up in env.PATH). */
  file: string;
  args: string[];
  cwd: string;
  /** The complete environment: nothing is inherited from the platform. */
  env: Record<string, string>;
  timeoutMs: number;
  /** Raw stdout and stderr bytes, interleaved as they come. */
  onOutput(chunk: Buffer): void;
  signal?: AbortSignal;
}

export interface SandboxResult {
  code: number | null;
  signal: string | null;
  timedOut: boolean;
  aborted: boolean;
}

export interface BuildSandbox {
  readonly name: string;
  /** uid/gid the steps run as (files they must write are chowned to it); undefined = the platform's own. */
  readonly owner: { uid: number; gid: number } | undefined;
  run(spec: SandboxRun): Promise<SandboxResult>;
  /**
   * Fetches an http(s) source URL from inside the sandbox's network (not the platform's), when the
   * sandbox has one of its own; the stream fails with a user-facing InvalidParamsError.
   */
  fetchSource?(url: string): Promise<OpenedSource>;
  /**
   * The same sandbox with steps run as the app's own uid (a tenant uid, as its dynos: per-user
   * kernel limits are per app); absent when every build runs as `owner`.
   */
  forApp?(appId: string): Promise<BuildSandbox>;
  /** Kills every step still running. */
  close(): Promise<void>;
}

export const NOBODY = { uid: 65534, gid: 65534 };

export function createProcessSandbox(deps: { logger: Logger; owner?: { uid: number; gid: number } | null }): BuildSandbox {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const owner = deps.owner === null ? undefined : deps.owner ?? (isRoot ? NOBODY : undefined);
  if (!owner) deps.logger.warn('build.sandbox_unprivileged', { reason: 'not root: buildpacks run as the platform user' });
  const running = new Set<number>();

  const killGroup = (pid: number) => {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };

  return {
    name: 'process',
    owner,
    run(spec) {
      return new Promise((resolve) => {
        let timedOut = false;
        let aborted = false;
        const child = spawn(spec.file, spec.args, {
          cwd: spec.cwd,
          env: spec.env,
          stdio: ['ignore', 'pipe', 'pipe'],
          detached: true,
          ...(owner ? { uid: owner.uid, gid: owner.gid } : {}),
        });
        const pid = child.pid;
        if (pid !== undefined) running.add(pid);
        const timer = setTimeout(() => {
          timedOut = true;
          if (pid !== undefined) killGroup(pid);
        }, spec.timeoutMs);
        const onAbort = () => {
          aborted = true;
          if (pid !== undefined) killGroup(pid);
        };
        spec.signal?.addEventListener('abort', onAbort, { once: true });
        if (spec.signal?.aborted) onAbort();
        child.stdout.on('data', (d: Buffer) => spec.onOutput(d));
        child.stderr.on('data', (d: Buffer) => spec.onOutput(d));
        const finish = (code: number | null, signal: string | null) => {
          clearTimeout(timer);
          spec.signal?.removeEventListener('abort', onAbort);
          if (pid !== undefined) {
            // Leftover background processes of the step die with it.
            killGroup(pid);
            running.delete(pid);
          }
          resolve({ code, signal, timedOut, aborted });
        };
        child.on('error', (err) => {
          spec.onOutput(Buffer.from(`${err.message}\n`));
          finish(127, null);
        });
        child.on('close', finish);
      });
    },
    async close() {
      for (const pid of running) killGroup(pid);
      running.clear();
    },
  };
}
