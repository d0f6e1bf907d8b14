/**
 * One-off dynos (`heroku run`, `run:detached`, `POST /apps/{app}/dynos`) and the release phase
 * (`release:` in the Procfile, run by the builder before a release goes live). They never count
 * toward the formation, are never restarted, end at `time_to_live` and log `State changed from up
 * to complete` when they are over; their record then goes away.
 */
import { findDynoSize } from '@slipway/contract';
import type { Config } from '../config.js';
import { InvalidParamsError, SlipwayError } from '../errors.js';
import type { Logger } from '../log/index.js';
import type { AppRecord, DynoRecord, ReleaseRecord, Store } from '../store/types.js';
import type { AttachedIo, DynoHandle } from './driver.js';
import type { Live, Runner } from './dyno-runner.js';
import { sizeList } from './sizes.js';

export interface OneOffOptions {
  command: string;
  attach?: boolean;
  /** Dyno size name (`standard-2x`); default standard-1x. */
  size?: string;
  env?: Record<string, string>;
  /** Seconds; at most 86400 (the default). */
  timeToLive?: number;
  /** Email of the user who ran it (for the platform line). */
  user?: string;
  /** Attached only: run on a pseudo-terminal. */
  tty?: boolean;
  /** Attached only: called once, at once, with the dyno's session (the rendezvous relays it). */
  onSession?: (session: OneOffSession) => void;
  /**
   * A fixed name `scheduler.N` instead of a random `run.NNNN` (the scheduler add-on's runs): the
   * dyno's type is `scheduler`, and a name still in use (the job's last run is not over) is a
   * `conflict`, so one job never runs twice at once.
   */
  dynoName?: string;
}

/** Fixed one-off names the scheduler add-on uses: `scheduler.<job number>`. */
export const SCHEDULER_DYNO_NAME = /^scheduler\.[1-9]\d{0,5}$/;

/** An attached one-off dyno, for whoever relays its stdio (`dynos/rendezvous.ts`). */
export interface OneOffSession {
  appId: string;
  dynoName: string;
  tty: boolean;
  /** The dyno's stdio once it runs; undefined when it failed to start or the driver cannot attach. */
  io: Promise<AttachedIo | undefined>;
  /** Its exit status, once it is over. */
  exit: Promise<number>;
  /** Ends the dyno (its client went away, or never came). */
  stop(): void;
}

/** What the release phase runs against (the builder's ReleaseCandidate fits): the slug and config the release will have. */
export interface ReleasePhaseInput {
  slugPath: string;
  config: Record<string, string>;
}

export const MAX_TIME_TO_LIVE_S = 86_400;
export const MAX_ONE_OFFS_PER_APP = 50;

export interface OneOffDeps {
  config: Config;
  store: Store;
  runner: Runner;
  logger: Logger;
  now: () => Date;
  random: () => number;
  own: (p: Promise<unknown>) => void;
  lives: (appId: string) => Map<string, Live>;
  closed: () => boolean;
  /** The driver's `attach()`, for attached one-off dynos. */
  attachIo?: (handle: DynoHandle) => AttachedIo | undefined;
}

export function createOneOffs(deps: OneOffDeps) {
  const { store, runner } = deps;

  const isOneOff = (r: Pick<DynoRecord, 'type' | 'name'>): boolean => r.type === 'run' || r.type === 'release' || r.type === 'scheduler';

  const pickName = async (appId: string, prefix: string): Promise<string> => {
    for (let i = 0; i < 50; i++) {
      const name = `${prefix}.${1000 + Math.floor(deps.random() * 9000)}`;
      if (!deps.lives(appId).has(name) && !(await store.dynos.get(appId, name))) return name;
    }
    throw new SlipwayError('conflict', 'Could not pick a free one-off dyno name; try again.');
  };

  /** Creates the record and launches the process in the background. */
  const launch = async (
    app: AppRecord, release: ReleaseRecord | null, type: string, opts: OneOffOptions, ttlS: number,
    onEnd: (status: number) => void, phase?: ReleasePhaseInput & { onOutput?: (text: string) => void },
  ): Promise<Live> => {
    const slug = release?.slugId ? (await store.slugs.get(app.id, release.slugId)) ?? null : null;
    const size = findDynoSize(opts.size ?? 'standard-1x')!;
    const name = opts.dynoName ?? await pickName(app.id, type);
    let resolveEnded!: (status: number) => void;
    const ended = new Promise<number>((r) => (resolveEnded = r));
    let over = false;
    let stopped = false;
    const record = await store.dynos.upsert({
      appId: app.id, name, type, command: opts.command, size: size.name, state: 'starting',
      releaseId: release?.id ?? null, releaseVersion: release?.version ?? null, host: null, port: null,
      driverRef: null, attach: opts.attach ?? false, restartCount: 0, exitCode: null,
    });
    const live: Live = {
      appId: app.id, name, type, oneOff: true, record, proc: null, busy: true, jitterMs: 0, startedAt: null,
      endedAt: null, lastR14At: 0, memoryBytes: null, writes: Promise.resolve(),
    };
    live.onOutput = phase?.onOutput;
    live.onEnd = (status) => {
      deps.lives(app.id).delete(name);
      over = true;
      resolveEnded(status);
      onEnd(status);
    };
    deps.lives(app.id).set(name, live);
    const launched = runner.launch(live, {
      app, release, slug, command: opts.command, size: size.name, extraEnv: opts.env, attach: opts.attach, by: opts.user,
      slugFile: phase?.slugPath, config: phase?.config, tty: opts.attach ? opts.tty : undefined,
    }, { jitterMs: 0 });
    deps.own(launched);
    live.ttlTimer = setTimeout(() => end(live), ttlS * 1000);
    if (opts.attach && opts.onSession) {
      const io = launched.then((proc) => (proc.handle ? deps.attachIo?.(proc.handle) : undefined), () => undefined);
      opts.onSession({ appId: app.id, dynoName: name, tty: opts.tty ?? false, io, exit: ended, stop: () => {
        if (over || stopped) return;
        stopped = true;
        end(live);
      } });
    }
    return live;
  };

  /** Stops a one-off dyno for good. */
  const end = (live: Live) => {
    if (live.ttlTimer) clearTimeout(live.ttlTimer);
    live.ttlTimer = undefined;
    deps.own(runner.terminate(live, live.proc).then((status) => {
      if (status !== null || !live.proc) return runner.complete(live, status ?? 0);
    }));
  };

  return {
    isOneOff,
    end,

    async run(app: AppRecord, opts: OneOffOptions): Promise<DynoRecord> {
      if (typeof opts.command !== 'string' || opts.command.trim() === '') throw new InvalidParamsError('Missing required param: command.', 'command');
      if (opts.size !== undefined && !findDynoSize(opts.size)) throw new InvalidParamsError(`Invalid dyno size "${opts.size}". Available sizes: ${sizeList()}.`, 'size');
      const ttl = opts.timeToLive ?? MAX_TIME_TO_LIVE_S;
      if (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_TIME_TO_LIVE_S) throw new InvalidParamsError(`time_to_live must be an integer between 1 and ${MAX_TIME_TO_LIVE_S}.`, 'time_to_live');
      const count = [...deps.lives(app.id).values()].filter((l) => l.type === 'run').length;
      if (count >= MAX_ONE_OFFS_PER_APP) throw new InvalidParamsError(`Cannot run more than ${MAX_ONE_OFFS_PER_APP} concurrent one-off dynos.`, 'command');
      if (deps.closed()) throw new SlipwayError('unavailable', 'The dyno manager is stopping.');
      if (opts.dynoName !== undefined) {
        if (!SCHEDULER_DYNO_NAME.test(opts.dynoName)) throw new InvalidParamsError(`Invalid one-off dyno name "${opts.dynoName}".`, 'name');
        if (deps.lives(app.id).has(opts.dynoName) || (await store.dynos.get(app.id, opts.dynoName))) {
          throw new SlipwayError('conflict', `Dyno ${opts.dynoName} is still running.`);
        }
      }
      const release = (await store.releases.current(app.id)) ?? null;
      const live = await launch(app, release, opts.dynoName ? 'scheduler' : 'run', opts, ttl, () => {});
      return live.record;
    },

    /**
     * Runs `command` against the slug and config a release is about to have (before it exists) and
     * resolves with the exit status once it ends; never restarted. Output lines go to the app's log
     * as `app[release.N]` and to `onOutput`.
     */
    async releasePhase(app: AppRecord, input: ReleasePhaseInput, command: string, onOutput?: (text: string) => void): Promise<{ exitCode: number }> {
      if (deps.closed()) throw new SlipwayError('unavailable', 'The dyno manager is stopping.');
      return new Promise((resolve, reject) => {
        launch(app, null, 'release', { command }, MAX_TIME_TO_LIVE_S, (exitCode) => resolve({ exitCode }), { ...input, onOutput }).catch(reject);
      });
    },
  };
}
