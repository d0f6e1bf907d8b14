/**
 * Supervision of the add-ons' `redis-server` processes. Each runs detached in its add-on dir (its
 * working directory, entered before it drops to the unprivileged `redis` user when the platform is
 * root), with its config on stdin, so it outlives a platform stop or SIGKILL and is re-adopted by
 * the next start (its pid file names it; it must still answer PING with its password). A server
 * that dies is started again on the next check (every `checkMs`), and that is logged.
 */
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../../log/index.js';
import { PID_FILE, redisConf, type RedisConfInput } from './redis-conf.js';
import { redisAnswers } from './redis-client.js';

export interface RedisServerSpec {
  /** The add-on's name, for logs. */
  name: string;
  dir: string;
  conf: RedisConfInput;
}

export interface RunAs {
  uid: number;
  gid: number;
}

export interface RedisServersOptions {
  binary?: string;
  /** The user servers run as (root platforms: Debian's `redis` user). */
  runAs?: RunAs;
  logger: Logger;
  checkMs?: number;
  startTimeoutMs?: number;
}

export const CONF_FILE = 'redis.conf';
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function readPid(dir: string): Promise<number | undefined> {
  try {
    const pid = Number((await readFile(path.join(dir, PID_FILE), 'utf8')).trim());
    return Number.isInteger(pid) && pid > 1 ? pid : undefined;
  } catch {
    return undefined;
  }
}

async function isRedisServer(pid: number): Promise<boolean> {
  try {
    return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).startsWith('redis-server');
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function createRedisServers(opts: RedisServersOptions) {
  const binary = opts.binary ?? 'redis-server';
  const logger = opts.logger;
  const watched = new Map<string, { spec: RedisServerSpec; pid: number }>();
  let timer: NodeJS.Timeout | undefined;
  let checking: Promise<void> | undefined;
  const target = (spec: RedisServerSpec) => ({ host: '127.0.0.1', port: spec.conf.port, password: spec.conf.password });

  const launch = async (spec: RedisServerSpec): Promise<number> => {
    const text = redisConf(spec.conf);
    // Kept beside the data (root-only) so an operator can read what the server runs with.
    await writeFile(path.join(spec.dir, CONF_FILE), text, { mode: 0o600 });
    const child = spawn(binary, ['-'], {
      cwd: spec.dir, detached: true, stdio: ['pipe', 'ignore', 'ignore'],
      ...(opts.runAs ? { uid: opts.runAs.uid, gid: opts.runAs.gid } : {}),
    });
    const spawned = new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    await spawned;
    // A server that exits at once (bad dir, port taken) closes its stdin: EPIPE must not be an
    // uncaught error of the platform; the readiness loop below reports the failure.
    child.stdin!.on('error', (err) => logger.warn('redis.config_write_failed', { addon: spec.name, error: String(err) }));
    child.stdin!.end(text);
    child.unref();
    const pid = child.pid!;
    const deadline = Date.now() + (opts.startTimeoutMs ?? 10_000);
    while (Date.now() < deadline) {
      if (child.exitCode !== null || !alive(pid)) break;
      if (await redisAnswers(target(spec), 500)) {
        logger.info('redis.started', { addon: spec.name, pid, port: spec.conf.port });
        return pid;
      }
      await sleep(20);
    }
    if (alive(pid)) process.kill(pid, 'SIGKILL');
    let log = '';
    try {
      log = (await readFile(path.join(spec.dir, 'redis.log'), 'utf8')).trim().split('\n').slice(-3).join(' | ');
    } catch {
      // no log written
    }
    throw new Error(`redis-server for ${spec.name} did not start${log ? `: ${log}` : ''}`);
  };

  const stopPid = async (pid: number, name: string): Promise<void> => {
    if (!alive(pid)) return;
    process.kill(pid, 'SIGTERM'); // redis saves (RDB) and exits
    for (let i = 0; i < 100 && alive(pid); i++) await sleep(100);
    if (alive(pid)) {
      logger.warn('redis.kill', { addon: name, pid });
      process.kill(pid, 'SIGKILL');
      for (let i = 0; i < 50 && alive(pid); i++) await sleep(100);
    }
  };

  const check = async () => {
    for (const [name, w] of watched) {
      if (alive(w.pid)) continue;
      logger.warn('redis.died', { addon: name, pid: w.pid });
      try {
        w.pid = await launch(w.spec);
      } catch (err) {
        logger.error('redis.restart_failed', { addon: name, error: String(err) });
      }
    }
  };

  return {
    /** Starts a new server and watches it. */
    async start(spec: RedisServerSpec): Promise<void> {
      watched.set(spec.name, { spec, pid: await launch(spec) });
    },
    /** Re-adopts the server a previous platform left running, or starts it. */
    async adopt(spec: RedisServerSpec): Promise<'adopted' | 'started'> {
      const pid = await readPid(spec.dir);
      if (pid && alive(pid) && (await isRedisServer(pid)) && (await redisAnswers(target(spec)))) {
        watched.set(spec.name, { spec, pid });
        logger.info('redis.adopted', { addon: spec.name, pid });
        return 'adopted';
      }
      await this.start(spec);
      return 'started';
    },
    /** Updates what a restart would run with (after a credential rotation). */
    update(spec: RedisServerSpec): void {
      const w = watched.get(spec.name);
      if (w) w.spec = spec;
    },
    async stop(name: string): Promise<void> {
      const w = watched.get(name);
      watched.delete(name);
      if (w) await stopPid(w.pid, name);
    },
    /** Stops a server found by its pid file (one this platform does not watch). */
    async stopIn(dir: string, name: string): Promise<void> {
      const pid = await readPid(dir);
      if (pid && (await isRedisServer(pid))) await stopPid(pid, name);
    },
    pid: (name: string) => watched.get(name)?.pid,
    startChecks(): void {
      if (timer) return;
      const loop = () => {
        checking = check().finally(() => {
          checking = undefined;
          if (timer) timer = setTimeout(loop, opts.checkMs ?? 5_000);
        });
      };
      timer = setTimeout(loop, opts.checkMs ?? 5_000);
    },
    /** Stops watching; `all` stops every server too, else they keep serving for the next start. */
    async close(mode: 'all' | 'control-plane'): Promise<void> {
      if (timer) clearTimeout(timer);
      timer = undefined;
      await checking;
      if (mode === 'all') for (const name of [...watched.keys()]) await this.stop(name);
      watched.clear();
    },
  };
}

export type RedisServers = ReturnType<typeof createRedisServers>;

/** A system user's uid and gid from /etc/passwd (Debian's `redis`), or undefined. */
export async function systemUser(name: string, passwd = '/etc/passwd'): Promise<RunAs | undefined> {
  try {
    for (const line of (await readFile(passwd, 'utf8')).split('\n')) {
      const f = line.split(':');
      if (f[0] === name && f.length >= 4) return { uid: Number(f[2]), gid: Number(f[3]) };
    }
  } catch {
    // no passwd file
  }
  return undefined;
}
