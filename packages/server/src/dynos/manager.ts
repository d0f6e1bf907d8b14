/**
 * The dyno manager: the one owner of dyno lifecycle. It reconciles every app's formation with what
 * runs (pure `reconcile`, applied here through the runner), reacts within a second to formation,
 * release and config changes, restarts crashed dynos with Heroku's backoff, cycles dynos, samples
 * memory (R14/R15), runs one-off and release-phase dynos, and re-adopts running dynos after a
 * restart of the platform. See docs/dynos.md.
 */
import path from 'node:path';
import type { Config } from '../config.js';
import { NotFoundError } from '../errors.js';
import type { EventBus } from '../events/index.js';
import type { Logger } from '../log/index.js';
import type { LogSink } from '../logplex/types.js';
import type { AppRecord, DynoRecord, SlugRecord, Store } from '../store/types.js';
import type { DynoUsage, RuntimeDriver } from './driver.js';
import { createRunner, sizeOf, type Desired, type Live } from './dyno-runner.js';
import { DISK_R18_REPEAT_MS, diskFull, diskLine } from './disk.js';
import { hardLimitBytes, memoryLine, memoryVerdict } from './memory.js';
import { createOneOffs, type OneOffOptions, type ReleasePhaseInput } from './one-off.js';
import { reconcile, type Action, type ObservedDyno } from './reconcile.js';

export interface DynoManagerDeps {
  config: Config;
  store: Store;
  driver: RuntimeDriver;
  logs: LogSink;
  events: EventBus;
  logger: Logger;
  /** Wall clock (tests inject one); default `new Date()`. */
  clock?: () => Date;
  /** Uniform in [0, 1): cycle jitter and one-off numbers; default Math.random. */
  random?: () => number;
  /** Absolute path of a slug's tar.gz; default `<dataDir>/<slug.blobPath>`. */
  slugPath?: (slug: SlugRecord) => string | null;
  /** How often memory is sampled (default 5 s). */
  memorySampleMs?: number;
  /** Every usage sample of a running dyno (the metrics room keeps memory and load from these). */
  onUsage?: (sample: DynoUsageSample) => void;
  /** Full resync of every app, whatever the events said (default 30 s). */
  resyncMs?: number;
  /** Host ports of the add-on servers an app is attached to (the driver opens them to its dynos). */
  addonPorts?: (appId: string) => Promise<number[]>;
  /** Delay that batches a burst of events for one app (default 0: the next turn of the event loop; reconcileApp coalesces the rest). */
  debounceMs?: number;
}

export interface DynoUsageSample {
  appId: string;
  /** `web.1` */
  dyno: string;
  dynoId: string;
  type: string;
  /** The size's memory quota (R14 above it). */
  quotaBytes: number;
  atMs: number;
  usage: DynoUsage;
  /** Set when this sample is over the quota (R14) or the hard limit (R15). */
  verdict?: 'R14' | 'R15';
}

export interface DynoTarget {
  type?: string;
  dynoName?: string;
}

export interface DynoUsageView {
  appId: string;
  name: string;
  memoryBytes: number | null;
}

export interface DynoManager {
  start(): Promise<void>;
  /** Stops reconciling; stops the dynos gracefully unless the driver's dynos survive the manager (or `detach`). */
  stop(opts?: { detach?: boolean }): Promise<void>;
  /** Reconcile one app now (and wait for the plan to be launched). */
  reconcileApp(appId: string): Promise<void>;
  restart(appId: string, target?: DynoTarget): Promise<void>;
  /** `ps:stop`: formation dynos are restarted (Common Runtime), one-off dynos end. */
  stopDyno(appId: string, target: DynoTarget): Promise<void>;
  runOneOff(app: AppRecord, opts: OneOffOptions): Promise<DynoRecord>;
  /** The builder's `RunReleasePhase`: runs `command` on the candidate's slug and config; never restarted. */
  runReleasePhase(app: AppRecord, candidate: ReleasePhaseInput, command: string, onOutput?: (text: string) => void): Promise<{ exitCode: number }>;
  /** Attached one-off dynos' stdio (for the API's run endpoints). */
  attach(appId: string, dynoName: string): ReturnType<NonNullable<RuntimeDriver['attach']>>;
  usage(appId?: string): DynoUsageView[];
}

const MAX_TIMER_MS = 2 ** 31 - 1;

export function createDynoManager(deps: DynoManagerDeps): DynoManager {
  const { config, store, driver, events, logger } = deps;
  const now = deps.clock ?? (() => new Date());
  const random = deps.random ?? Math.random;
  const debounceMs = deps.debounceMs ?? 0;
  const lives = new Map<string, Map<string, Live>>();
  const inflight = new Set<Promise<unknown>>();
  const timers = new Map<string, NodeJS.Timeout>();
  const wakeTimers = new Map<string, NodeJS.Timeout>();
  const running = new Map<string, Promise<void>>();
  const dirty = new Set<string>();
  const unsubscribe: (() => void)[] = [];
  const intervals: NodeJS.Timeout[] = [];
  let closed = false;

  const own = (p: Promise<unknown>) => {
    const q = p.catch((err) => logger.error('dynos.task_failed', { error: (err as Error)?.stack ?? String(err) })).finally(() => inflight.delete(q));
    inflight.add(q);
  };
  const appLives = (appId: string) => {
    let m = lives.get(appId);
    if (!m) lives.set(appId, (m = new Map()));
    return m;
  };

  const schedule = (appId: string, delay = debounceMs) => {
    if (closed || timers.has(appId)) return;
    timers.set(appId, setTimeout(() => {
      timers.delete(appId);
      own(reconcileApp(appId));
    }, delay));
  };

  const runner = createRunner({
    config, store, driver, logs: deps.logs, events, logger, now,
    slugPath: deps.slugPath ?? ((slug) => (slug.blobPath ? path.resolve(config.dataDir, slug.blobPath) : null)),
    settled: (appId) => schedule(appId),
    closed: () => closed,
    addonPorts: deps.addonPorts ?? (async () => []),
  });

  const oneOffs = createOneOffs({
    config, store, runner, logger, now, random, own, lives: appLives, closed: () => closed, attachIo: (h) => driver.attach?.(h),
  });

  const newLive = (appId: string, record: DynoRecord): Live => ({
    appId, name: record.name, type: record.type, oneOff: oneOffs.isOneOff(record),
    record, proc: null, busy: false, jitterMs: 0, startedAt: null, endedAt: null, lastR14At: 0, memoryBytes: null, writes: Promise.resolve(),
  });

  /** Reconcile one app; concurrent requests for the same app coalesce into one more pass. */
  function reconcileApp(appId: string): Promise<void> {
    if (closed) return Promise.resolve();
    const current = running.get(appId);
    if (current) {
      dirty.add(appId);
      return current;
    }
    const p = (async () => {
      try {
        do {
          dirty.delete(appId);
          await reconcileOnce(appId);
        } while (dirty.has(appId) && !closed);
      } finally {
        running.delete(appId);
      }
    })();
    running.set(appId, p);
    return p;
  }

  async function reconcileOnce(appId: string): Promise<void> {
    const app = await store.apps.get(appId);
    const mine = appLives(appId);
    if (!app) {
      for (const live of mine.values()) if (!live.busy) apply(undefined, live, { kind: 'stop', name: live.name, reason: 'scale' });
      return;
    }
    const [release, formation] = await Promise.all([store.releases.current(appId), store.formation.list(appId)]);
    const slug = release?.slugId ? (await store.slugs.get(appId, release.slugId)) ?? null : null;
    const runnable = release && slug ? release : null;
    const desired = formation.filter((f) => f.command !== '').map((f) => ({ type: f.type, quantity: f.quantity, size: normSize(f.size), command: f.command }));
    const clocks = desired.find((f) => f.type === 'clock' && f.quantity > 1);
    if (clocks) logger.warn('dynos.clock_scaled_above_one', { app: app.name, quantity: clocks.quantity });
    const observed: ObservedDyno[] = [...mine.values()].filter((l) => !l.oneOff).map((l) => ({
      name: l.name, type: l.type, state: l.record.state, releaseVersion: l.record.releaseVersion, size: normSize(l.record.size),
      command: l.record.command, busy: l.busy, startedAt: l.startedAt, cycleJitterMs: l.jitterMs,
      crashCount: l.record.restartCount, endedAt: l.endedAt,
    }));
    const plan = reconcile({
      now: now(), formation: desired, release: runnable ? { version: runnable.version } : null, preboot: app.preboot,
      dynos: observed, cyclePeriodMs: config.cyclePeriodMs, restartCooloffMaxMs: config.restartCooloffMaxMs,
    });
    const want = (type: string): Desired => {
      const f = desired.find((d) => d.type === type)!;
      return { app, release: runnable, slug, command: f.command, size: f.size };
    };
    for (const action of plan.actions) {
      let live = mine.get(action.name);
      if (!live) {
        if (action.kind !== 'start') continue;
        const record = await store.dynos.upsert({
          appId, name: action.name, type: action.type, command: want(action.type).command, size: want(action.type).size,
          state: 'starting', releaseId: null, releaseVersion: null, host: null, port: null, driverRef: null,
          attach: false, restartCount: 0, exitCode: null,
        });
        live = newLive(appId, record);
        mine.set(action.name, live);
      }
      apply(action.kind === 'stop' ? undefined : want(live.type), live, action);
    }
    setWake(appId, plan.wakeAt);
  }

  function setWake(appId: string, at: Date | null) {
    const old = wakeTimers.get(appId);
    if (old) clearTimeout(old);
    wakeTimers.delete(appId);
    if (!at || closed) return;
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, at.getTime() - now().getTime()));
    wakeTimers.set(appId, setTimeout(() => {
      wakeTimers.delete(appId);
      schedule(appId, 0);
    }, delay));
  }

  /** Applies one action of the plan in the background; the dyno is busy until it is done. */
  function apply(want: Desired | undefined, live: Live, action: Action | { kind: 'restart' }) {
    live.busy = true;
    const jitterMs = Math.floor(random() * config.cycleJitterMs);
    own((async () => {
      try {
        if (action.kind === 'stop') {
          await runner.terminate(live, live.proc);
          await live.writes;
          appLives(live.appId).delete(live.name);
          if (!closed) {
            await store.dynos.delete(live.record.id);
            events.emit('dyno.changed', { appId: live.appId, dynoName: live.name });
          }
          return;
        }
        if (!want) return;
        const reason = action.kind === 'restart' ? 'restart' : action.reason;
        // Only a crash counts towards the crash cool-off: a start for any other reason (scale,
        // release, restart, cycle) forgives the earlier crashes, in the store too (a restart of
        // the platform reads the count from there).
        if (action.kind === 'start') {
          if (reason !== 'crash' && live.record.restartCount !== 0) await runner.persist(live, { restartCount: 0 });
          await runner.launch(live, want, { jitterMs });
          return;
        }
        runner.say(live, reason === 'cycle' ? 'Cycling' : 'Restarting');
        if (live.record.restartCount !== 0) await runner.persist(live, { restartCount: 0 });
        const order = action.kind === 'replace' ? action.order : live.type === 'web' ? 'start-first' : 'stop-first';
        if (order === 'stop-first' || !live.proc) {
          if (live.proc) await runner.setState(live, 'starting');
          await runner.terminate(live, live.proc);
          await runner.launch(live, want, { jitterMs });
        } else {
          const old = live.proc;
          const fresh = await runner.launch(live, want, { jitterMs, keepAddress: true });
          await fresh.up;
          await runner.terminate(live, old);
        }
      } finally {
        live.busy = false;
        schedule(live.appId);
      }
    })());
  }

  const targets = (appId: string, target: DynoTarget = {}): Live[] => {
    const all = [...appLives(appId).values()];
    if (target.dynoName) {
      const live = appLives(appId).get(target.dynoName);
      if (!live) throw new NotFoundError('dyno', `Couldn't find that dyno.`);
      return [live];
    }
    return all.filter((l) => !l.oneOff && (!target.type || l.type === target.type));
  };

  async function restart(appId: string, target: DynoTarget = {}): Promise<void> {
    const app = await store.apps.get(appId);
    if (!app) throw new NotFoundError('app');
    for (const live of targets(appId, target)) {
      if (live.oneOff) {
        oneOffs.end(live);
        continue;
      }
      if (live.busy) continue;
      const f = await store.formation.get(appId, live.type);
      const release = await store.releases.current(appId);
      const slug = release?.slugId ? (await store.slugs.get(appId, release.slugId)) ?? null : null;
      if (!f || !release || !slug) continue;
      apply({ app, release, slug, command: f.command, size: normSize(f.size) }, live, { kind: 'restart' });
    }
  }

  function sampleMemory() {
    for (const mine of lives.values()) {
      for (const live of mine.values()) {
        const proc = live.proc;
        if (!proc?.handle || proc.exited) continue;
        own(driver.usage(proc.handle).then((u) => {
          if (!u || closed || proc.exited) return;
          if (u.disk) sampleDisk(live, u.disk);
          live.memoryBytes = u.memoryBytes;
          const size = sizeOf(live.record.size);
          const verdict = memoryVerdict(u.memoryBytes, size);
          if (!live.oneOff) {
            deps.onUsage?.({
              appId: live.appId, dyno: live.name, dynoId: live.record.id, type: live.type, quotaBytes: size.memoryMb * 1024 * 1024, atMs: now().getTime(), usage: u,
              ...(verdict === 'ok' ? {} : { verdict }),
            });
          }
          if (verdict === 'ok') return;
          if (verdict === 'R15' && !driver.capabilities.memoryLimit) {
            runner.say(live, memoryLine(u.memoryBytes, size));
            proc.oomKilled = 'R15';
            return runner.kill(live, proc);
          }
          if (now().getTime() - live.lastR14At < 20_000 && u.memoryBytes <= hardLimitBytes(size)) return;
          live.lastR14At = now().getTime();
          runner.say(live, memoryLine(u.memoryBytes, size));
          runner.say(live, 'Error R14 (Memory quota exceeded)');
        }));
      }
    }
  }

  /** R18 while the dyno's writable filesystem is full: once, then every DISK_R18_REPEAT_MS while it stays full. */
  function sampleDisk(live: Live, disk: { usedBytes: number; limitBytes: number }) {
    if (!diskFull(disk.usedBytes, disk.limitBytes)) {
      live.lastR18At = 0;
      return;
    }
    if (live.lastR18At && now().getTime() - live.lastR18At < DISK_R18_REPEAT_MS) return;
    live.lastR18At = now().getTime();
    runner.say(live, diskLine(disk.usedBytes, disk.limitBytes));
    runner.say(live, 'Error R18 (Disk quota exceeded)');
  }

  async function recover(): Promise<void> {
    const records = await store.dynos.listAll();
    const adopted: Record<string, unknown>[] = [];
    for (const record of records) {
      const live = newLive(record.appId, record);
      const alive = record.driverRef !== null && (record.state === 'starting' || record.state === 'up');
      let ok = false;
      if (alive) {
        const proc = runner.newProc();
        proc.handle = { ref: record.driverRef as Record<string, unknown>, host: record.host, port: record.port };
        live.proc = proc;
        try {
          ok = await driver.recover(proc.handle, runner.eventsFor(live, proc));
        } catch (err) {
          logger.warn('dynos.recover_failed', { dyno: record.name, error: String(err) });
        }
        if (ok) {
          adopted.push(proc.handle.ref);
          live.startedAt = record.updatedAt;
          live.jitterMs = Math.floor(random() * config.cycleJitterMs);
          if (record.state === 'starting' && record.type === 'web' && record.host && record.port) {
            runner.watchWeb(live, proc, { updatedAt: now() });
          } else proc.resolveUp(true);
        } else live.proc = null;
      }
      if (live.oneOff && !ok) {
        await store.dynos.delete(record.id);
        continue;
      }
      if (!ok && alive) {
        live.endedAt = now();
        await runner.setState(live, 'down', { driverRef: null, host: null, port: null });
      } else if (!ok) live.endedAt = record.updatedAt;
      appLives(record.appId).set(record.name, live);
    }
    logger.info('dynos.recovered', { dynos: records.length, adopted: adopted.length });
    for (const ref of await driver.list()) {
      if (adopted.some((a) => JSON.stringify(a) === JSON.stringify(ref))) continue;
      logger.warn('dynos.orphan_stopped', { ref: JSON.stringify(ref) });
      await driver.stop({ ref, host: null, port: null }, { graceMs: config.stopGraceMs }).catch(() => {});
    }
  }

  async function reconcileAll(): Promise<void> {
    const appIds = new Set([...(await store.formation.listAll()).map((f) => f.appId), ...lives.keys()]);
    for (const appId of appIds) schedule(appId, 0);
  }

  return {
    async start() {
      await recover();
      const on = <K extends 'formation.changed' | 'release.created' | 'config.changed' | 'app.created'>(name: K) =>
        unsubscribe.push(events.on(name, (p) => schedule(p.appId)));
      on('formation.changed');
      on('release.created');
      on('config.changed');
      unsubscribe.push(events.on('app.destroyed', (p) => schedule(p.appId, 0)));
      unsubscribe.push(events.on('dynos.restart', (p) => own(restart(p.appId, p))));
      unsubscribe.push(events.on('dynos.stop', (p) => own(this.stopDyno(p.appId, p))));
      intervals.push(setInterval(sampleMemory, deps.memorySampleMs ?? 5000));
      intervals.push(setInterval(() => own(reconcileAll()), deps.resyncMs ?? 30_000));
      await reconcileAll();
    },

    async stop(opts = {}) {
      if (closed) return;
      const leave = opts.detach ?? driver.capabilities.survivesManagerRestart;
      for (const u of unsubscribe.splice(0)) u();
      for (const t of intervals.splice(0)) clearInterval(t);
      for (const t of [...timers.values(), ...wakeTimers.values()]) clearTimeout(t);
      timers.clear();
      wakeTimers.clear();
      await Promise.allSettled([...running.values()]);
      if (!leave) {
        for (const mine of lives.values()) {
          for (const live of mine.values()) {
            if (live.ttlTimer) clearTimeout(live.ttlTimer);
            if (!live.proc) continue;
            own(runner.terminate(live, live.proc).then((status) => (live.oneOff
              ? runner.complete(live, status ?? 0)
              // The platform stopped it, not a crash: no cool-off when it starts again.
              : runner.setState(live, 'down', { driverRef: null, host: null, port: null, restartCount: 0 }))));
          }
        }
      }
      while (inflight.size > 0) await Promise.allSettled([...inflight]);
      closed = true;
      for (const mine of lives.values()) for (const live of mine.values()) if (live.ttlTimer) clearTimeout(live.ttlTimer);
      await Promise.allSettled([...lives.values()].flatMap((m) => [...m.values()].map((l) => l.writes)));
      // Dynos left running (detach) now belong to whoever recovers them next.
      lives.clear();
    },

    reconcileApp,
    restart,

    async stopDyno(appId, target) {
      const found = targets(appId, target);
      for (const live of found.filter((l) => l.oneOff)) oneOffs.end(live);
      const formation = found.filter((l) => !l.oneOff);
      if (formation.length > 0) {
        if (target.dynoName) await restart(appId, target);
        else await restart(appId, { type: target.type });
      }
    },

    runOneOff: (app, opts) => oneOffs.run(app, opts),
    runReleasePhase: (app, candidate, command, onOutput) => oneOffs.releasePhase(app, candidate, command, onOutput),

    attach(appId, dynoName) {
      const live = appLives(appId).get(dynoName);
      return live?.proc?.handle ? driver.attach?.(live.proc.handle) : undefined;
    },

    usage(appId) {
      const out: DynoUsageView[] = [];
      for (const [id, mine] of lives) {
        if (appId && id !== appId) continue;
        for (const l of mine.values()) out.push({ appId: id, name: l.name, memoryBytes: l.memoryBytes });
      }
      return out;
    },
  };
}

/** Formation sizes may be stored as displayed (`Standard-1X`); compare and start by canonical name. */
function normSize(size: string): string {
  return sizeOf(size).name;
}
