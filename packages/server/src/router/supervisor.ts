/**
 * Runs the router as its own process for main.ts: spawns process-main with the platform's config
 * in its env, restarts it with backoff when it dies, and stops it (SIGTERM, then SIGKILL) on
 * shutdown. A router left running by an earlier platform process (its pid file in the data dir) is
 * adopted instead of started twice, so restarting the API never drops routed traffic; `detach()`
 * leaves the router running when the platform process exits for an upgrade. The current internal
 * token is written to `<data>/router.token` before a router is spawned or adopted: an adopted
 * router was started with the previous platform process's token and re-reads it from there.
 * The router runs in its own session (and systemd scope): a SIGKILL of the platform's whole process
 * group does not reach it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONFIG_TABLE, type Config } from '../config.js';
import { outsideKillScope, systemdBooted } from '../isolation/index.js';
import type { Logger } from '../log/index.js';
import { ROUTER_PID_FILE, ROUTER_TOKEN_FILE } from './process-main.js';

export interface RouterSupervisorDeps {
  config: Config;
  logger: Logger;
  /** Extra variables for the child (tests). */
  env?: Record<string, string>;
  /** Node flags for the child; default: this process's (keeps `--import tsx` in development). */
  execArgv?: string[];
  stopGraceMs?: number;
  /** Whether systemd is the init system (default: probed): the router then gets its own scope unit. */
  systemd?: boolean;
}

export interface RouterSupervisor {
  readonly name: 'router';
  /** Resolves once a router is listening (spawned or adopted). */
  start(): Promise<{ port: number; pid: number; adopted: boolean }>;
  /** Stops supervising and stops the router process. */
  stop(): Promise<void>;
  /** Stops supervising but leaves the router process running (it is adopted by the next start). */
  detach(): void;
  readonly pid: number | undefined;
  /** The port the current router process listens on (changes on restart only with port 0). */
  readonly port: number | undefined;
}

/**
 * V8 flags for the router process. A young generation that starts at 16 MB instead of growing from
 * 1 MB: at 1,000 req/s the router otherwise scavenges ~8 times a second (1–3 ms pauses each, over
 * 1 % of the time, which lands in the p99), and 1–2 times with it. Only effective on the command
 * line (v8.setFlagsFromString after start does not resize the heap), so whoever spawns
 * process-main (this supervisor, the benchmark) passes them.
 */
export const ROUTER_NODE_FLAGS: readonly string[] = ['--min-semi-space-size=16'];

/** The child's environment: every config key as its env var, so the child's loadConfig sees the same config. */
export function configEnv(config: Config): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, entry] of Object.entries(CONFIG_TABLE)) {
    const value = (config as unknown as Record<string, unknown>)[key];
    if (value !== undefined) env[entry.env] = String(value);
  }
  return env;
}

export function processMainPath(): string {
  const here = fileURLToPath(import.meta.url);
  return path.join(path.dirname(here), `process-main${path.extname(here)}`);
}

export function createRouterSupervisor(deps: RouterSupervisorDeps): RouterSupervisor {
  const { config, logger } = deps;
  const graceMs = deps.stopGraceMs ?? 15_000;
  let child: ChildProcess | undefined;
  let adoptedPid: number | undefined;
  let watch: NodeJS.Timeout | undefined;
  let restartTimer: NodeJS.Timeout | undefined;
  let supervising = false;
  let backoff = 250;
  let port: number | undefined;

  function adoptable(): number | undefined {
    try {
      const pid = Number(readFileSync(path.join(config.dataDir, ROUTER_PID_FILE), 'utf8').trim());
      if (!Number.isInteger(pid) || pid <= 1 || pid === process.pid) return undefined;
      process.kill(pid, 0);
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      return cmdline.includes('process-main') ? pid : undefined;
    } catch {
      return undefined;
    }
  }

  /** Hands the current internal token to the router (spawned or adopted) through the data dir. */
  function writeToken(): void {
    const file = path.join(config.dataDir, ROUTER_TOKEN_FILE);
    mkdirSync(config.dataDir, { recursive: true });
    writeFileSync(file, `${config.internalToken}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
  }

  function alive(pid: number): boolean {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }

  function spawnRouter(): Promise<{ port: number; pid: number }> {
    return new Promise((resolve, reject) => {
      const startedAt = Date.now();
      // Outside the platform's kill scope (isolation/service-scope.ts): its own session, and its own
      // systemd scope where systemd runs, so killing the platform's process group or service cgroup
      // leaves routed traffic flowing until the next platform process adopts the router.
      const cmd = outsideKillScope(process.execPath, [...ROUTER_NODE_FLAGS, ...(deps.execArgv ?? process.execArgv), processMainPath()], {
        systemd: deps.systemd ?? systemdBooted(), unit: `slipway-router-${process.pid}-${Date.now()}`,
      });
      const proc = spawn(cmd.cmd, cmd.args, {
        env: { ...configEnv(config), ...deps.env },
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        detached: true,
      });
      child = proc;
      let listening = false;
      proc.on('message', (msg: { type?: string; port?: number }) => {
        if (msg?.type !== 'listening' || listening) return;
        listening = true;
        port = msg.port;
        logger.info('router.process_started', { pid: proc.pid, port: msg.port });
        resolve({ port: msg.port ?? config.routerPort, pid: proc.pid ?? 0 });
      });
      proc.on('error', (err) => {
        if (!listening) reject(err);
      });
      proc.on('exit', (code, signal) => {
        if (child === proc) child = undefined;
        if (!listening) reject(new Error(`router process exited before listening (code ${code}, signal ${signal})`));
        if (!supervising) return;
        if (Date.now() - startedAt > 30_000) backoff = 250;
        logger.warn('router.process_exited', { code, signal, restart_in_ms: backoff });
        scheduleRestart();
      });
    });
  }

  function scheduleRestart() {
    clearTimeout(restartTimer);
    restartTimer = setTimeout(() => {
      if (!supervising) return;
      spawnRouter().catch((err) => logger.error('router.process_start_failed', { error: String(err) }));
    }, backoff);
    backoff = Math.min(10_000, backoff * 2);
  }

  function watchAdopted(pid: number) {
    watch = setInterval(() => {
      if (alive(pid)) return;
      clearInterval(watch);
      adoptedPid = undefined;
      logger.warn('router.adopted_process_gone', { pid });
      if (supervising) scheduleRestart();
    }, 1000);
  }

  return {
    name: 'router',
    async start() {
      supervising = true;
      writeToken();
      const pid = adoptable();
      if (pid !== undefined) {
        adoptedPid = pid;
        port = config.routerPort;
        logger.info('router.process_adopted', { pid });
        watchAdopted(pid);
        return { port: config.routerPort, pid, adopted: true };
      }
      try {
        const started = await spawnRouter();
        return { ...started, adopted: false };
      } catch (err) {
        supervising = false;
        clearTimeout(restartTimer);
        throw err;
      }
    },
    async stop() {
      supervising = false;
      clearTimeout(restartTimer);
      clearInterval(watch);
      if (adoptedPid !== undefined) {
        const pid = adoptedPid;
        adoptedPid = undefined;
        try {
          process.kill(pid, 'SIGTERM');
        } catch {
          return;
        }
        const deadline = Date.now() + graceMs;
        while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
        if (alive(pid)) process.kill(pid, 'SIGKILL');
        return;
      }
      const proc = child;
      if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
    detach() {
      supervising = false;
      clearTimeout(restartTimer);
      clearInterval(watch);
      child?.disconnect?.();
      child?.unref();
      child = undefined;
      adoptedPid = undefined;
    },
    get pid() {
      return child?.pid ?? adoptedPid;
    },
    get port() {
      return port;
    },
  };
}
