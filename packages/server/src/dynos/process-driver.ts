/**
 * The `process` runtime driver: each dyno is a plain child process group on this host (no
 * isolation; the fallback for laptops and non-root). Per start: a fresh working copy of the slug
 * under `<dataDir>/dynos/<app>/<dyno>-<nonce>` (the ephemeral filesystem; removed when the dyno
 * ends), a free loopback port for web dynos, `/bin/sh -c` with `.profile.d/*.sh` and `.profile`
 * sourced first, as Heroku does. Stop signals the whole group (`kill(-pgid)`), then SIGKILL.
 *
 * Dynos do not outlive the manager's process in any useful way (their stdio pipes die with it), so
 * `recover` kills an orphan left by a crashed manager and returns false: the manager starts a fresh
 * one instead of running a duplicate.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readlink, rm } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { createLineSplitter } from './lines.js';
import { groupHasLiveMembers, groupUsage } from './proc-stat.js';
import { unpackSlug } from './slug-unpack.js';
import type { AttachedIo, DynoEvents, DynoExit, DynoHandle, DynoSpec, DynoUsage, RuntimeDriver } from './driver.js';

export interface ProcessDriverOptions {
  dataDir: string;
  /** Address dynos bind and the router connects to. */
  host?: string;
}

interface ProcessRef {
  pid: number;
  /** The dyno's directory (removed when it ends). */
  dir: string;
  appDir: string;
  [key: string]: unknown;
}

interface Running {
  child: ChildProcess;
  ref: ProcessRef;
  events: DynoEvents;
  exited: Promise<DynoExit>;
  stopping: boolean;
  graceMs: number;
  io?: AttachedIo;
}

/** Sourced before the command, as Heroku's dyno does; the command itself arrives as $1, never interpolated. */
const PRELUDE =
  'for f in "$HOME"/.profile.d/*.sh; do [ -r "$f" ] && . "$f"; done; ' +
  '[ -r "$HOME/.profile" ] && . "$HOME/.profile"; ' +
  'exec /bin/sh -c "$1"';

/**
 * Attached one-offs on a pseudo-terminal (`heroku run bash` from a terminal): util-linux `script`
 * allocates the pty and returns the command's status (-e). Its `-c` string is constant: the
 * command arrives in SLIPWAY_TTY_COMMAND (removed before the prelude runs), never interpolated.
 */
export const TTY_SCRIPT =
  'c=$SLIPWAY_TTY_COMMAND; unset SLIPWAY_TTY_COMMAND; ' +
  '[ -n "$COLUMNS" ] && [ -n "$LINES" ] && stty cols "$COLUMNS" rows "$LINES" 2>/dev/null; ' +
  `exec /bin/sh -c '${PRELUDE}' dyno "$c"`;

/** The program and arguments that run a dyno's command (on a pty for attached tty one-offs). */
export function dynoArgv(spec: Pick<DynoSpec, 'command' | 'attach' | 'tty'>): { file: string; args: string[]; env: Record<string, string> } {
  if (spec.attach && spec.tty) {
    return { file: 'script', args: ['-qfec', TTY_SCRIPT, '/dev/null'], env: { SHELL: '/bin/sh', SLIPWAY_TTY_COMMAND: spec.command } };
  }
  return { file: '/bin/sh', args: ['-c', PRELUDE, 'dyno', spec.command], env: {} };
}

export function createProcessDriver(opts: ProcessDriverOptions): RuntimeDriver {
  const host = opts.host ?? '127.0.0.1';
  const running = new Map<number, Running>();
  /** Attached dynos' stdio, kept as long as their handle lives (output may be read after the exit). */
  const ios = new WeakMap<DynoHandle, AttachedIo>();

  const signalGroup = (pgid: number, signal: NodeJS.Signals): boolean => {
    try {
      process.kill(-pgid, signal);
      return true;
    } catch {
      return false;
    }
  };
  const groupAlive = async (pgid: number): Promise<boolean> => {
    try {
      process.kill(-pgid, 0);
    } catch {
      return false;
    }
    return groupHasLiveMembers(pgid);
  };
  const waitGroupGone = async (pgid: number, ms: number): Promise<boolean> => {
    const deadline = Date.now() + ms;
    for (;;) {
      if (!(await groupAlive(pgid))) return true;
      if (Date.now() >= deadline) return false;
      await sleep(Math.min(50, Math.max(1, deadline - Date.now())));
    }
  };

  return {
    name: 'process',
    capabilities: { isolation: 'none', survivesManagerRestart: false, memoryLimit: false },

    async start(spec: DynoSpec, events: DynoEvents): Promise<DynoHandle> {
      const dir = path.join(opts.dataDir, 'dynos', safeName(spec.appName), `${safeName(spec.name)}-${randomBytes(6).toString('hex')}`);
      let appDir: string;
      try {
        appDir = await unpackSlug(spec.slugPath, dir);
      } catch (err) {
        await rm(dir, { recursive: true, force: true });
        throw err;
      }
      const port = spec.needsPort ? await freePort(host) : null;
      const argv = dynoArgv(spec);
      const env: Record<string, string> = { ...spec.env, ...argv.env, HOME: appDir, DYNO: spec.name };
      if (port !== null) env.PORT = String(port);
      if (env.PATH === undefined) env.PATH = defaultPath();
      const child = spawn(argv.file, argv.args, {
        cwd: appDir,
        env,
        detached: true,
        stdio: [spec.attach ? 'pipe' : 'ignore', 'pipe', 'pipe'],
      });
      const pid = await new Promise<number>((resolve, reject) => {
        child.once('spawn', () => resolve(child.pid as number));
        child.once('error', reject);
      }).catch(async (err) => {
        await rm(dir, { recursive: true, force: true });
        throw err;
      });
      const ref: ProcessRef = { pid, dir, appDir };
      let output: PassThrough | undefined;
      if (spec.attach && child.stdin) {
        output = new PassThrough();
        child.stdin.on('error', () => {});
      }
      const out = createLineSplitter((l) => current.events.onLine('stdout', l));
      const err = createLineSplitter((l) => current.events.onLine('stderr', l));
      child.stdout?.on('data', (d: Buffer) => {
        out.push(d);
        output?.write(d);
      });
      child.stderr?.on('data', (d: Buffer) => {
        err.push(d);
        output?.write(d);
      });
      const exited = new Promise<DynoExit>((resolve) => {
        let exit: DynoExit | undefined;
        let done = false;
        const finish = () => {
          if (done || !exit) return;
          done = true;
          out.end();
          err.end();
          output?.end();
          running.delete(pid);
          // The dyno is over when its main process is: nothing else in the group survives it,
          // except during a stop, where every process gets the whole grace period.
          if (!current.stopping) signalGroup(pid, 'SIGKILL');
          void waitGroupGone(pid, current.stopping ? current.graceMs + 10_000 : 2000).then(() => rm(dir, { recursive: true, force: true })).finally(() => {
            current.events.onExit(exit as DynoExit);
            resolve(exit as DynoExit);
          });
        };
        child.once('exit', (code, signal) => {
          exit = { code, signal };
          // stdio may be held open by a grandchild: do not wait for it forever.
          setTimeout(finish, 200).unref();
        });
        child.once('close', finish);
      });
      const current: Running = {
        child, ref, events, exited, stopping: false, graceMs: 0,
        io: output && child.stdin ? { stdin: child.stdin, output } : undefined,
      };
      running.set(pid, current);
      const handle: DynoHandle = { ref, host: port === null ? null : host, port };
      if (current.io) ios.set(handle, current.io);
      return handle;
    },

    async stop(handle, { graceMs, signal = 'SIGTERM' }) {
      const ref = handle.ref as ProcessRef;
      const r = running.get(ref.pid);
      if (r) {
        r.stopping = true;
        r.graceMs = graceMs;
      }
      if (!signalGroup(ref.pid, signal)) {
        if (r) await r.exited;
        return { killed: false };
      }
      let killed = false;
      if (!(await waitGroupGone(ref.pid, graceMs))) {
        killed = signalGroup(ref.pid, 'SIGKILL');
        await waitGroupGone(ref.pid, 5000);
      }
      if (r) await r.exited;
      else await rm(ref.dir, { recursive: true, force: true });
      return { killed };
    },

    async inspect(handle) {
      const ref = handle.ref as ProcessRef;
      return { running: running.has(ref.pid) || (await isOurs(ref)) };
    },

    async usage(handle): Promise<DynoUsage | undefined> {
      return groupUsage((handle.ref as ProcessRef).pid);
    },

    async recover(handle, events) {
      const ref = handle.ref as ProcessRef;
      const r = running.get(ref.pid);
      if (r) {
        r.events = events;
        return true;
      }
      if (await isOurs(ref)) {
        signalGroup(ref.pid, 'SIGKILL');
        await waitGroupGone(ref.pid, 5000);
      }
      if (typeof ref.dir === 'string') await rm(ref.dir, { recursive: true, force: true });
      return false;
    },

    async list() {
      return [...running.values()].map((r) => ({ ...r.ref }));
    },

    attach(handle) {
      return ios.get(handle) ?? running.get((handle.ref as ProcessRef).pid)?.io;
    },

    async close() {
      const all = [...running.values()];
      for (const r of all) signalGroup(r.ref.pid, 'SIGKILL');
      await Promise.all(all.map((r) => r.exited));
    },
  };
}

/** A pid from an earlier manager is ours only if it still runs in that dyno's directory (pids are reused). */
async function isOurs(ref: ProcessRef): Promise<boolean> {
  if (!Number.isInteger(ref.pid) || typeof ref.appDir !== 'string') return false;
  try {
    return (await readlink(`/proc/${ref.pid}/cwd`)) === ref.appDir;
  } catch {
    return false;
  }
}

function safeName(s: string): string {
  return s.replace(/[^a-zA-Z0-9._-]/g, '_');
}

function defaultPath(): string {
  return [path.dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'].join(':');
}

async function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
