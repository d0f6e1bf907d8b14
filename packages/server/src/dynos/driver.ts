/**
 * RuntimeDriver: how the dyno manager starts, stops, watches and re-adopts dynos, whatever runs
 * them (plain processes, runc containers, Docker Swarm). Every driver passes the same contract
 * suite (`dynos/driver.case.ts`). Drivers decide nothing about lifecycle policy: restarts, backoff,
 * boot timeouts and cycling belong to the manager.
 */
import type { DynoSize } from '@slipway/contract';

export interface DynoSpec {
  appId: string;
  appName: string;
  /** `web.1`, `worker.2`, `run.4821` */
  name: string;
  type: string;
  /** Shell command line as in the Procfile (run with `/bin/sh -c` inside the dyno). */
  command: string;
  /** Absolute path of the release's slug tar.gz (the driver unpacks it; the filesystem is ephemeral). */
  slugPath: string | null;
  releaseVersion: number;
  size: DynoSize;
  /** Config vars plus platform vars (DYNO, PORT is set by the driver). */
  env: Record<string, string>;
  /**
   * Ports on the platform's host of the add-on servers the app is attached to: a driver that
   * firewalls dynos from the host (runc) opens exactly these to this dyno.
   */
  addonPorts?: readonly number[];
  /** Web dynos get a port to bind; the driver allocates it and reports where the router reaches it. */
  needsPort: boolean;
  /** One-off dynos with attach: stdin is kept open and exposed through `attach()`. */
  attach?: boolean;
  /** Attached one-off dynos only: run the command on a pseudo-terminal (`heroku run bash` from a terminal). */
  tty?: boolean;
}

export interface DynoHandle {
  /** Driver-specific, JSON-serialisable: stored so a restarted manager can re-adopt the dyno. */
  ref: Record<string, unknown>;
  /** Where the router reaches the dyno's $PORT (web dynos). */
  host: string | null;
  port: number | null;
  /** What the start spent in each of the driver's steps (ms, in order), for the start timeline. */
  startSteps?: Record<string, number>;
}

export interface DynoExit {
  /** Exit code, or null when killed by a signal. */
  code: number | null;
  signal: string | null;
  /** Set when the runtime killed it for memory (R15). */
  oomKilled?: boolean;
}

export interface DynoUsage {
  /** Memory in use (resident, without reclaimable cache): what R14/R15 judge. */
  memoryBytes: number;
  /** Cumulative CPU time in microseconds (the metrics' load average is computed from it). */
  cpuMicros: number;
  /** The dyno's writable filesystem (`/app`'s layer and `/tmp`), where the driver limits it. */
  disk?: { usedBytes: number; limitBytes: number };
  /** Resident anonymous memory, swap and page cache, where the runtime tells them apart. */
  rssBytes?: number;
  swapBytes?: number;
  cacheBytes?: number;
}

export interface DynoEvents {
  /** One line of stdout/stderr, without the trailing newline. Must not block the dyno. */
  onLine(stream: 'stdout' | 'stderr', line: string): void;
  /** The dyno's main process ended. Called exactly once. */
  onExit(exit: DynoExit): void;
}

export interface AttachedIo {
  stdin: NodeJS.WritableStream;
  /** Raw stdout/stderr bytes, for attached one-off dynos (`heroku run bash`). */
  output: NodeJS.ReadableStream;
}

export interface DriverCapabilities {
  isolation: 'none' | 'container';
  /** Dynos survive a restart of the manager and can be re-adopted. */
  survivesManagerRestart: boolean;
  memoryLimit: boolean;
}

export interface RuntimeDriver {
  readonly name: 'process' | 'runc' | 'swarm' | 'fake';
  readonly capabilities: DriverCapabilities;
  start(spec: DynoSpec, events: DynoEvents): Promise<DynoHandle>;
  /** SIGTERM (or `signal`) to every process in the dyno; SIGKILL after graceMs; resolves when it is gone. */
  stop(handle: DynoHandle, opts: { graceMs: number; signal?: NodeJS.Signals }): Promise<{ killed: boolean }>;
  /** Is it still running? */
  inspect(handle: DynoHandle): Promise<{ running: boolean }>;
  usage(handle: DynoHandle): Promise<DynoUsage | undefined>;
  /** Re-attach to a dyno started by an earlier manager (same driver). Returns false if it is gone. */
  recover(handle: DynoHandle, events: DynoEvents): Promise<boolean>;
  /** Refs of every dyno this driver is running (to find orphans after a crash). */
  list(): Promise<Record<string, unknown>[]>;
  /** Makes what every dyno shares (runc: the bridge and its firewall) now rather than at the first start: add-on servers listen on it. */
  prepare?(): Promise<void>;
  /** For attached one-off dynos. */
  attach?(handle: DynoHandle): AttachedIo | undefined;
  /** Stop owning resources (not the dynos themselves if they survive restarts). */
  close(): Promise<void>;
}
