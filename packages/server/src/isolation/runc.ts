/**
 * A thin wrapper over the runc CLI (`runc --root <stateDir> …`), always with argument arrays.
 * Container ids are checked against runc's own alphabet before they reach a command line.
 */
import { spawn } from 'node:child_process';
import { exec, execCapture, ExecError } from './exec.js';

export interface RuncContainerState {
  id: string;
  pid: number;
  status: 'creating' | 'created' | 'running' | 'paused' | 'stopped' | string;
  bundle: string;
}

export interface RuncStats {
  memoryBytes?: number;
  cpuNanos?: number;
  pids?: number;
}

export interface Runc {
  readonly binary: string;
  readonly stateDir: string;
  /** Global args (`--root <stateDir>`), for callers that let another program (conmon) run runc. */
  readonly globalArgs: readonly string[];
  create(id: string, bundle: string, pidFile: string): Promise<void>;
  start(id: string): Promise<void>;
  state(id: string): Promise<RuncContainerState | null>;
  /** Signals the init process, or every process in the container with `all`. False if it is gone. */
  kill(id: string, signal: NodeJS.Signals | 'KILL' | 'TERM', all?: boolean): Promise<boolean>;
  delete(id: string, force?: boolean): Promise<void>;
  list(): Promise<RuncContainerState[]>;
  stats(id: string): Promise<RuncStats | undefined>;
  /** Foreground `runc run`: stdio piped to `onOutput`; resolves with the exit code. */
  run(id: string, bundle: string, opts: { onOutput?: (stream: 'stdout' | 'stderr', chunk: Buffer) => void; timeoutMs?: number }): Promise<{ exitCode: number | null; timedOut: boolean }>;
}

const ID = /^[A-Za-z0-9][A-Za-z0-9_.+-]{0,127}$/;

export function assertContainerId(id: string): string {
  if (!ID.test(id)) throw new Error(`invalid container id "${id}"`);
  return id;
}

export function createRunc(opts: { stateDir: string; binary?: string }): Runc {
  const binary = opts.binary ?? 'runc';
  const globalArgs = ['--root', opts.stateDir];
  const runc = (args: string[], timeoutMs = 60_000) => exec(binary, [...globalArgs, ...args], { timeoutMs });

  return {
    binary,
    stateDir: opts.stateDir,
    globalArgs,
    async create(id, bundle, pidFile) {
      await runc(['create', '--bundle', bundle, '--pid-file', pidFile, assertContainerId(id)]);
    },
    async start(id) {
      await runc(['start', assertContainerId(id)]);
    },
    async state(id) {
      const r = await execCapture(binary, [...globalArgs, 'state', assertContainerId(id)], { timeoutMs: 30_000 });
      if (r.code !== 0) return null;
      return JSON.parse(r.stdout) as RuncContainerState;
    },
    async kill(id, signal, all = false) {
      const sig = signal.replace(/^SIG/, '');
      const args = ['kill', ...(all ? ['--all'] : []), assertContainerId(id), sig];
      const r = await execCapture(binary, [...globalArgs, ...args], { timeoutMs: 30_000 });
      return r.code === 0;
    },
    async delete(id, force = false) {
      const r = await execCapture(binary, [...globalArgs, 'delete', ...(force ? ['--force'] : []), assertContainerId(id)], { timeoutMs: 30_000 });
      if (r.code !== 0 && !/does not exist|not found/i.test(r.stderr)) throw new ExecError(binary, ['delete', id], r.code, r.stderr);
    },
    async list() {
      const out = await runc(['list', '--format', 'json']);
      const parsed = JSON.parse(out.trim() === '' ? 'null' : out) as RuncContainerState[] | null;
      return parsed ?? [];
    },
    async stats(id) {
      const r = await execCapture(binary, [...globalArgs, 'events', '--stats', assertContainerId(id)], { timeoutMs: 30_000 });
      if (r.code !== 0) return undefined;
      return parseRuncStats(r.stdout);
    },
    run(id, bundle, runOpts) {
      return new Promise((resolve, reject) => {
        const child = spawn(binary, [...globalArgs, 'run', '--bundle', bundle, assertContainerId(id)], { stdio: ['ignore', 'pipe', 'pipe'] });
        let timedOut = false;
        const timer = runOpts.timeoutMs === undefined ? undefined : setTimeout(() => {
          timedOut = true;
          void execCapture(binary, [...globalArgs, 'kill', '--all', id, 'KILL'], { timeoutMs: 30_000 });
        }, runOpts.timeoutMs);
        child.stdout.on('data', (d: Buffer) => runOpts.onOutput?.('stdout', d));
        child.stderr.on('data', (d: Buffer) => runOpts.onOutput?.('stderr', d));
        child.on('error', (err) => {
          if (timer) clearTimeout(timer);
          reject(err);
        });
        child.on('close', (code, signal) => {
          if (timer) clearTimeout(timer);
          resolve({ exitCode: code ?? (signal ? null : null), timedOut });
        });
      });
    },
  };
}

/** Parses `runc events --stats` output (one JSON event). */
export function parseRuncStats(out: string): RuncStats | undefined {
  try {
    const ev = JSON.parse(out) as { data?: { memory?: { usage?: { usage?: number } }; cpu?: { usage?: { total?: number } }; pids?: { current?: number } } };
    return { memoryBytes: ev.data?.memory?.usage?.usage, cpuNanos: ev.data?.cpu?.usage?.total, pids: ev.data?.pids?.current };
  } catch {
    return undefined;
  }
}
