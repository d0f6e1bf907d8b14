/**
 * Supervision that outlives Slipway: Debian's `conmon` creates the container with runc, holds its
 * stdio and writes it to a log file (`k8s-file` format: `<time> <stdout|stderr> <F|P> <text>`),
 * then writes the exit status to `<exitDir>/<id>` when the container's init ends. conmon detaches
 * itself, so a restarted manager re-attaches by tailing the log from a recorded offset and watching
 * the exit file. Parsing is pure; the tailer is a small polling reader that never blocks the dyno.
 */
import { spawn } from 'node:child_process';
import { open, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { resolveBinary } from './exec.js';
import type { Runc } from './runc.js';
import { outsideKillScope, systemdBooted } from './service-scope.js';

export interface ConmonPaths {
  bundle: string;
  logPath: string;
  exitDir: string;
  pidFile: string;
  conmonPidFile: string;
  socketDir: string;
}

/** Starts conmon for `id`; resolves once conmon has run `runc create` (the container is `created`). */
export async function createUnderConmon(opts: { runc: Runc; id: string; paths: ConmonPaths; conmon?: string; logSizeMax?: number; runtimePath?: string; systemd?: boolean }): Promise<void> {
  const p = opts.paths;
  const args = [
    '--api-version', '1',
    '-c', opts.id, '-u', opts.id, '-n', opts.id,
    '-r', opts.runtimePath ?? (await resolveBinary(opts.runc.binary)),
    '-b', p.bundle,
    '-p', p.pidFile,
    '-P', p.conmonPidFile,
    '-l', `k8s-file:${p.logPath}`,
    '--log-size-max', String(opts.logSizeMax ?? 64 * 1024 * 1024),
    '--exit-dir', p.exitDir,
    '--socket-dir-path', p.socketDir,
    '--log-level', 'error',
  ];
  for (const a of opts.runc.globalArgs) args.push('--runtime-arg', a);
  const sync = await new Promise<{ pid: number; message: string }>((resolve, reject) => {
    // conmon reports through the sync pipe (fd 3): `{"data": <pid>}` once runc create is done,
    // or a negative data and a message when it failed. Its parent exits at once (it daemonizes).
    // Its own session (detached) and, under systemd, its own scope unit (service-scope.ts): a kill
    // of the platform's process group or service cgroup must not reach the dyno's supervisor.
    const cmd = outsideKillScope(opts.conmon ?? 'conmon', args, { systemd: opts.systemd ?? systemdBooted(), unit: `slipway-conmon-${opts.id}-${Date.now()}` });
    const child = spawn(cmd.cmd, cmd.args, {
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
      detached: true,
      // conmon writes an `oom` marker file into its working directory when the container is
      // OOM-killed: keep it in the dyno's bundle (removed with it), not the platform's cwd.
      cwd: p.bundle,
      env: { _OCI_SYNCPIPE: '3', PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' },
    });
    let out = '';
    let syncBuf = '';
    let settled = false;
    const done = (err: Error | null, v?: { pid: number; message: string }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      syncPipe.destroy();
      child.stdout?.destroy();
      child.stderr?.destroy();
      if (err) reject(err);
      else resolve(v as { pid: number; message: string });
    };
    const timer = setTimeout(() => done(new Error(`conmon did not report on ${opts.id} within 60 s: ${out.trim()}`)), 60_000);
    const keep = (d: Buffer) => {
      if (out.length < 8192) out += d.toString('utf8');
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const syncPipe = child.stdio[3] as NodeJS.ReadableStream & { destroy(): void };
    syncPipe.on('data', (d: Buffer) => {
      syncBuf += d.toString('utf8');
      try {
        const msg = JSON.parse(syncBuf) as { data?: number; message?: string };
        done(null, { pid: Number(msg.data ?? -1), message: msg.message ?? '' });
      } catch {
        // not a whole message yet
      }
    });
    syncPipe.on('error', () => {});
    syncPipe.on('end', () => done(new Error(`conmon exited without reporting on ${opts.id}: ${out.trim().slice(0, 800)}`)));
    child.on('error', (err) => done(err));
    child.unref();
  });
  // conmon reports a positive pid only after `runc create` exited 0 and wrote the pid file: the
  // container is `created`. No `runc state` to confirm it (a runc spawn, ~30 ms of every start).
  if (sync.pid <= 0) throw new Error(`conmon could not create container ${opts.id}: ${sync.message.trim().slice(0, 800)}`);
}

export interface LogRecord {
  stream: 'stdout' | 'stderr';
  /** True when the line continues in the next record (conmon splits long lines). */
  partial: boolean;
  text: string;
}

/** One line of a k8s-file log, or null when it is not one. */
export function parseK8sLogLine(line: string): LogRecord | null {
  const m = /^\S+ (stdout|stderr) ([FP]) ?(.*)$/s.exec(line);
  if (!m) return null;
  return { stream: m[1] as 'stdout' | 'stderr', partial: m[2] === 'P', text: m[3] };
}

/** The exit status conmon wrote, or null if there is none yet. */
export async function readExitFile(exitDir: string, id: string): Promise<number | null> {
  try {
    const t = (await readFile(path.join(exitDir, id), 'utf8')).trim();
    return /^-?\d+$/.test(t) ? Number(t) : null;
  } catch {
    return null;
  }
}

export interface LogTailer {
  /** Reads what was appended since the last call; emits complete lines; returns the new offset. */
  poll(): Promise<number>;
  /** Emits unfinished partial lines (output without a final newline), at exit. */
  end(): void;
  readonly offset: number;
}

/**
 * Follows a conmon log from `offset`. Partial records are joined until their final piece; a file
 * that shrank (conmon rotated it at --log-size-max) is read again from the start.
 */
export function createLogTailer(file: string, offset: number, onLine: (stream: 'stdout' | 'stderr', line: string) => void): LogTailer {
  let pos = offset;
  const pending: Record<'stdout' | 'stderr', string> = { stdout: '', stderr: '' };
  const MAX_READ = 1024 * 1024;
  const MAX_LINE_CHARS = 10_000;
  const tailer: LogTailer = {
    get offset() {
      return pos;
    },
    async poll() {
      let size: number;
      try {
        size = (await stat(file)).size;
      } catch {
        return pos;
      }
      if (size < pos) pos = 0;
      while (size > pos) {
        const len = Math.min(size - pos, MAX_READ);
        const buf = Buffer.alloc(len);
        const fh = await open(file, 'r');
        let read: number;
        try {
          ({ bytesRead: read } = await fh.read(buf, 0, len, pos));
        } finally {
          await fh.close();
        }
        if (read === 0) break;
        const chunk = buf.subarray(0, read);
        const lastNl = chunk.lastIndexOf(0x0a);
        if (lastNl < 0) break; // an incomplete record (conmon's are a few KB at most): wait for the rest
        for (const raw of chunk.subarray(0, lastNl).toString('utf8').split('\n')) {
          const rec = parseK8sLogLine(raw);
          if (!rec) continue;
          if (rec.partial) {
            pending[rec.stream] += rec.text;
            // A runaway line without newline is cut into pieces rather than held in memory.
            if (pending[rec.stream].length >= MAX_LINE_CHARS) {
              onLine(rec.stream, pending[rec.stream]);
              pending[rec.stream] = '';
            }
            continue;
          }
          const text = pending[rec.stream] + rec.text;
          pending[rec.stream] = '';
          onLine(rec.stream, text);
        }
        pos += lastNl + 1;
      }
      return pos;
    },
    end() {
      for (const stream of ['stdout', 'stderr'] as const) {
        if (pending[stream] === '') continue;
        const text = pending[stream];
        pending[stream] = '';
        onLine(stream, text);
      }
    },
  };
  return tailer;
}
