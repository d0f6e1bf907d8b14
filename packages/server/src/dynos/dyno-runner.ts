/**
 * The lifecycle of one dyno, applied: launching a process through the driver, watching it boot
 * (web: its port accepts connections, else R10), stopping it (SIGTERM, grace, SIGKILL + R12), and
 * what its exit means (crash bookkeeping, one-off completion). Every state change is persisted in
 * the store (the since-time), logged on the app's channel as Heroku does and announced with
 * `dyno.changed`. Policy (what to start or stop, and when) is the reconciler's, not this file's.
 */
import { constants as osConstants } from 'node:os';
import { findDynoSize, DEFAULT_DYNO_SIZE, type DynoSize } from '@slipway/contract';
import type { Config } from '../config.js';
import type { EventBus } from '../events/index.js';
import type { Logger } from '../log/index.js';
import type { LogSink } from '../logplex/types.js';
import type { AppRecord, DynoRecord, DynoState, ReleaseRecord, SlugRecord, Store } from '../store/types.js';
import { watchBoot, type BootWatch } from './boot-watch.js';
import type { DynoExit, DynoHandle, RuntimeDriver } from './driver.js';
import { dynoEnv } from './dyno-env.js';
import { exitStatus } from './memory.js';
import { nextCrashCount } from './reconcile.js';

export interface RunnerDeps {
  config: Config;
  store: Store;
  driver: RuntimeDriver;
  logs: LogSink;
  events: EventBus;
  logger: Logger;
  now: () => Date;
  slugPath: (slug: SlugRecord) => string | null;
  /** An exit or finished action: the app should be reconciled again. */
  settled: (appId: string) => void;
  /** True once the manager has stopped: late callbacks do nothing. */
  closed: () => boolean;
  /** Host ports of the add-on servers the app is attached to. */
  addonPorts: (appId: string) => Promise<number[]>;
}

/** One process of a dyno (during a start-first replacement a dyno briefly has two). */
export interface Proc {
  handle: DynoHandle | null;
  stopping: boolean;
  exited: DynoExit | null;
  exit: Promise<DynoExit>;
  resolveExit: (e: DynoExit) => void;
  boot?: BootWatch;
  up: Promise<boolean>;
  resolveUp: (up: boolean) => void;
  oomKilled?: 'R15';
}

export interface Live {
  appId: string;
  name: string;
  type: string;
  oneOff: boolean;
  record: DynoRecord;
  proc: Proc | null;
  busy: boolean;
  jitterMs: number;
  startedAt: Date | null;
  endedAt: Date | null;
  lastR14At: number;
  /** When R18 (disk full) was last logged; 0 = not full. */
  lastR18At?: number;
  memoryBytes: number | null;
  writes: Promise<unknown>;
  ttlTimer?: NodeJS.Timeout;
  /** One-off dynos: called with the exit status when they end. */
  onEnd?: (status: number) => void;
  /** Release phase: every output line is also handed here (the builder streams it to `git push`). */
  onOutput?: (text: string) => void;
}

export interface Desired {
  app: AppRecord;
  release: ReleaseRecord | null;
  slug: SlugRecord | null;
  command: string;
  size: string;
  extraEnv?: Record<string, string>;
  attach?: boolean;
  /** Attached one-off dynos: on a pseudo-terminal. */
  tty?: boolean;
  /** One-off dynos: the user's email, for `Starting process with command … by user …`. */
  by?: string;
  /** Release phase of a release not created yet: its slug file and config instead of `release`'s. */
  slugFile?: string;
  config?: Record<string, string>;
}

const SIGNALS = osConstants.signals as unknown as Record<string, number>;

export function sizeOf(name: string): DynoSize {
  return findDynoSize(name) ?? (findDynoSize(DEFAULT_DYNO_SIZE) as DynoSize);
}

export function createRunner(deps: RunnerDeps) {
  const { driver, logs, store, events, logger } = deps;

  const say = (live: Live, message: string) => {
    if (!deps.closed()) logs.publish(live.appId, { source: 'heroku', dyno: live.name, message });
  };

  /** Serialised writes of one dyno's record. */
  const persist = (live: Live, patch: Partial<Omit<DynoRecord, 'id' | 'appId' | 'createdAt'>>): Promise<void> => {
    const next = live.writes.then(async () => {
      if (deps.closed()) return;
      try {
        live.record = await store.dynos.update(live.record.id, patch);
      } catch (err) {
        logger.warn('dyno.persist_failed', { app: live.appId, dyno: live.name, error: String(err) });
        return;
      }
      events.emit('dyno.changed', { appId: live.appId, dynoName: live.name });
    });
    live.writes = next;
    return next;
  };

  const setState = (live: Live, state: DynoState, patch: Partial<DynoRecord> = {}): Promise<void> => {
    const from = live.record.state;
    if (from !== state) say(live, `State changed from ${from} to ${state}`);
    live.record = { ...live.record, state };
    return persist(live, { ...patch, state });
  };

  const newProc = (): Proc => {
    let resolveExit!: (e: DynoExit) => void;
    let resolveUp!: (up: boolean) => void;
    const exit = new Promise<DynoExit>((r) => (resolveExit = r));
    const up = new Promise<boolean>((r) => (resolveUp = r));
    return { handle: null, stopping: false, exited: null, exit, resolveExit, up, resolveUp };
  };

  /** The driver callbacks of one process. */
  const eventsFor = (live: Live, proc: Proc) => ({
    onLine(_stream: 'stdout' | 'stderr', line: string) {
      if (!deps.closed()) logs.publish(live.appId, { source: 'app', dyno: live.name, message: line });
      live.onOutput?.(line + '\n');
    },
    onExit(exit: DynoExit) {
      proc.exited = exit;
      proc.boot?.cancel();
      proc.resolveUp(false);
      if (!proc.stopping && !deps.closed()) void crashed(live, proc, exit);
      proc.resolveExit(exit);
    },
  });

  /** A process that ended on its own (or was killed for R10/R15). */
  const crashed = async (live: Live, proc: Proc, exit: DynoExit): Promise<void> => {
    if (exit.oomKilled || proc.oomKilled) say(live, 'Error R15 (Memory quota vastly exceeded)');
    say(live, `Process exited with status ${exitStatus(exit, SIGNALS)}`);
    if (live.proc !== proc) return;
    live.proc = null;
    if (live.oneOff) return complete(live, exitStatus(exit, SIGNALS));
    const now = deps.now();
    const upFor = live.startedAt ? now.getTime() - live.startedAt.getTime() : null;
    live.endedAt = now;
    live.startedAt = null;
    const restartCount = nextCrashCount(live.record.restartCount, upFor);
    await setState(live, exit.code === 0 ? 'down' : 'crashed', {
      exitCode: exitStatus(exit, SIGNALS), restartCount, driverRef: null, host: null, port: null,
    });
    deps.settled(live.appId);
  };

  /** A one-off dyno is over: `complete`, and its record goes away. */
  const complete = async (live: Live, status: number): Promise<void> => {
    if (live.ttlTimer) clearTimeout(live.ttlTimer);
    say(live, `State changed from ${live.record.state} to complete`);
    await live.writes;
    if (!deps.closed()) {
      await store.dynos.delete(live.record.id).catch((err) => logger.warn('dyno.delete_failed', { dyno: live.name, error: String(err) }));
      events.emit('dyno.changed', { appId: live.appId, dynoName: live.name });
    }
    live.onEnd?.(status);
    deps.settled(live.appId);
  };

  /**
   * Starts a new process for the dyno. `keepAddress`: a start-first replacement: the record keeps
   * the old process's state and address until the new one is up.
   */
  const launch = async (live: Live, want: Desired, opts: { keepAddress?: boolean; jitterMs: number }): Promise<Proc> => {
    const proc = newProc();
    const previous = live.proc;
    live.proc = proc;
    const release = want.release;
    const size = sizeOf(want.size);
    const web = live.type === 'web';
    say(live, `Starting process with command \`${want.command}\`${want.by ? ` by user ${want.by}` : ''}`);
    if (!opts.keepAddress) {
      await setState(live, 'starting', {
        command: want.command, size: want.size, releaseId: release?.id ?? null, releaseVersion: release?.version ?? null,
        exitCode: null, ...(previous ? {} : { host: null, port: null, driverRef: null }),
      });
    }
    let handle: DynoHandle;
    try {
      const addonPorts = await deps.addonPorts(live.appId);
      handle = await driver.start({
        appId: live.appId, appName: want.app.name, name: live.name, type: live.type, command: want.command,
        slugPath: want.slugFile ?? (want.slug ? deps.slugPath(want.slug) : null), releaseVersion: release?.version ?? 0, size,
        env: dynoEnv({
          config: want.config ?? release?.config ?? {}, appId: live.appId, appName: want.app.name, dynoName: live.name,
          dynoId: live.record.id, releaseVersion: release?.version ?? null, slugCommit: want.slug?.commit ?? null,
          extra: want.extraEnv,
        }),
        needsPort: web, attach: want.attach, tty: want.tty, addonPorts,
      }, eventsFor(live, proc));
    } catch (err) {
      logger.error('dyno.start_failed', { app: live.appId, dyno: live.name, error: String(err) });
      say(live, `Error R99 (Platform error) -> Failed to launch the dyno`);
      proc.handle = null;
      eventsFor(live, proc).onExit({ code: 1, signal: null });
      return proc;
    }
    proc.handle = handle;
    live.startedAt = deps.now();
    live.jitterMs = opts.jitterMs;
    const address = { driverRef: handle.ref, host: handle.host, port: handle.port };
    if (proc.exited) return proc;
    if (!web || handle.port === null || handle.host === null) {
      if (live.proc === proc) await setState(live, 'up', { ...address, command: want.command, size: want.size, releaseId: release?.id ?? null, releaseVersion: release?.version ?? null, updatedAt: deps.now() });
      proc.resolveUp(true);
      return proc;
    }
    if (!opts.keepAddress) await persist(live, { driverRef: handle.ref });
    watchWeb(live, proc, { ...address, command: want.command, size: want.size, releaseId: release?.id ?? null, releaseVersion: release?.version ?? null });
    return proc;
  };

  /** Web dynos: `up` when $PORT accepts connections, R10 and SIGKILL after the boot timeout. */
  const watchWeb = (live: Live, proc: Proc, patch: Partial<DynoRecord>) => {
    const handle = proc.handle as DynoHandle;
    proc.boot = watchBoot(handle.host as string, handle.port as number, deps.config.bootTimeoutMs);
    void proc.boot.result.then(async (result) => {
      if (result === 'cancelled' || deps.closed() || proc.exited) return;
      if (result === 'up') {
        if (live.proc === proc) await setState(live, 'up', { ...patch, updatedAt: deps.now() });
        proc.resolveUp(true);
        return;
      }
      const secs = Math.ceil(deps.config.bootTimeoutMs / 1000);
      say(live, `Error R10 (Boot timeout) -> Web process failed to bind to $PORT within ${secs} second${secs === 1 ? '' : 's'} of launch`);
      await kill(live, proc);
    });
  };

  /** SIGKILL now (R10, R15): the exit is then handled as a crash. */
  const kill = async (live: Live, proc: Proc): Promise<void> => {
    if (!proc.handle || proc.exited) return;
    say(live, 'Stopping process with SIGKILL');
    await driver.stop(proc.handle, { graceMs: 0, signal: 'SIGKILL' }).catch((err) => logger.warn('dyno.kill_failed', { dyno: live.name, error: String(err) }));
  };

  /** Graceful stop of one process: SIGTERM to all of it, SIGKILL after the grace period (R12). */
  const terminate = async (live: Live, proc: Proc | null): Promise<number | null> => {
    if (!proc) return null;
    proc.boot?.cancel();
    if (proc.exited || !proc.handle) return proc.exited ? exitStatus(proc.exited, SIGNALS) : null;
    proc.stopping = true;
    say(live, 'Stopping all processes with SIGTERM');
    let killed = false;
    try {
      ({ killed } = await driver.stop(proc.handle, { graceMs: deps.config.stopGraceMs }));
    } catch (err) {
      logger.warn('dyno.stop_failed', { app: live.appId, dyno: live.name, error: String(err) });
    }
    if (killed) {
      const secs = Math.ceil(deps.config.stopGraceMs / 1000);
      say(live, `Error R12 (Exit timeout) -> At least one process failed to exit within ${secs} second${secs === 1 ? '' : 's'} of SIGTERM`);
      say(live, 'Stopping remaining processes with SIGKILL');
    }
    const status = exitStatus(await proc.exit, SIGNALS);
    say(live, `Process exited with status ${status}`);
    if (live.proc === proc) live.proc = null;
    return status;
  };

  return { say, persist, setState, launch, terminate, kill, complete, eventsFor, newProc, watchWeb };
}

export type Runner = ReturnType<typeof createRunner>;
