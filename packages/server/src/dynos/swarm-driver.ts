/**
 * The `swarm` runtime driver: each dyno is one Docker Swarm service (replicas 1, restart condition
 * none) created through the manager's Engine API (dockerode, `DOCKER_HOST` + TLS env as every Docker
 * client). The spec is swarm-driver-spec.ts; the output path is swarm-driver-logs.ts. The driver
 * decides nothing about lifecycle: it starts, watches, stops and re-adopts.
 *
 * Watching: one poll of the tasks of every watched service every `pollMs` (default 250 ms), plus
 * the nodes' states: a task that reaches a final state reports its container's exit code through
 * `onExit` exactly once (137 → SIGKILL, 143 → SIGTERM, as a shell reports them); a task whose node
 * is down is reported as exited with a line on stderr saying the node was lost, and its service is
 * removed so Swarm does not bring it back behind the manager's back.
 *
 * Stop: the service is scaled to 0; Swarm sends SIGTERM to the container's PID 1 (the dyno init,
 * which passes it to every process), waits the service's `StopGracePeriod`, then SIGKILLs. Swarm
 * has no call to signal a task, so the grace is fixed when the service is created: it is the
 * driver's `stopGraceMs` (SLIPWAY_STOP_GRACE_MS), and `stop()`'s `graceMs` is not used; `killed`
 * is read from the exit (SIGKILL). The service is removed once the exit has been reported.
 *
 * Attached one-offs (`heroku run bash`): the dyno dials back to the driver's attach listener
 * (swarm-driver-attach.ts) through the attach relay; `attach()` returns the listener's streams. Such
 * a dyno does not outlive the control plane (its connection dies with it): `recover` removes it.
 */
import { randomBytes } from 'node:crypto';
import type Docker from 'dockerode';
import type { Logger } from '../log/index.js';
import type { DriverCapabilities, DynoEvents, DynoExit, DynoHandle, DynoSpec, DynoUsage, RuntimeDriver } from './driver.js';
import { attachRelaySource, createAttachListener } from './swarm-driver-attach.js';
import { followDynoLogs, logCounts, type DynoLogReader } from './swarm-driver-logs.js';
import { appNetworkName, dynoServiceSpec, LABEL, serviceName } from './swarm-driver-spec.js';

/** What turns a release into an image every node can pull (swarm/images.ts). */
export interface ReleaseImageSource {
  imageFor(input: { appId: string; releaseVersion: number; slugPath: string | null }): Promise<string>;
}

export interface SwarmDriverOptions {
  docker: Docker;
  images: ReleaseImageSource;
  logger: Logger;
  stopGraceMs: number;
  /** Usage of a dyno's container on whatever node it runs (swarm/usage-intake.ts). */
  usageFor?: (containerId: string) => DynoUsage | undefined;
  /** How long `usage()` waits for a dyno's first sample from its node's agent (default 0: answer at once). */
  usageWaitMs?: number;
  pollMs?: number;
  /** Longest wait for a started dyno's task to run (image pull included). */
  startTimeoutMs?: number;
  /**
   * Where attached one-offs dial back (the advertise address, SLIPWAY_SWARM_ATTACH_PORT); the
   * listener starts at the first attached one-off. Without it `attach()` returns nothing.
   */
  attachListen?: { host: string; port: number };
}

interface SwarmRef { service: string; serviceId: string; dynoKey: string; tty: boolean; attached?: boolean }

interface TaskInfo {
  ID: string;
  NodeID?: string;
  DesiredState?: string;
  Status?: {
    State?: string;
    Err?: string;
    ContainerStatus?: { ContainerID?: string; ExitCode?: number };
    PortStatus?: { Ports?: { PublishedPort?: number; TargetPort?: number }[] };
  };
}

interface Watched {
  ref: SwarmRef;
  events: DynoEvents;
  logs?: DynoLogReader;
  exited?: DynoExit;
  exitReported: Promise<void>;
  resolveExit: () => void;
  containerId?: string;
  finishing?: boolean;
  /** stop() scaled the service to 0: Swarm deletes a scaled-down task soon after it shuts down. */
  stopping?: boolean;
}

const FINAL = new Set(['complete', 'failed', 'shutdown', 'rejected', 'orphaned', 'remove']);

export function createSwarmDriver(opts: SwarmDriverOptions): RuntimeDriver {
  const { docker, logger } = opts;
  const pollMs = opts.pollMs ?? 250;
  const startTimeoutMs = opts.startTimeoutMs ?? 120_000;
  const watched = new Map<string, Watched>();
  const networks = new Map<string, Promise<string>>();
  let timer: NodeJS.Timeout | undefined;
  let polling = false;
  let closed = false;
  const attachListener = opts.attachListen
    ? createAttachListener({ listenHost: opts.attachListen.host, port: opts.attachListen.port, logger })
    : undefined;

  const capabilities: DriverCapabilities = { isolation: 'container', survivesManagerRestart: true, memoryLimit: true };

  function refOf(handle: DynoHandle): SwarmRef {
    const r = handle.ref as Partial<SwarmRef>;
    if (typeof r.serviceId !== 'string' || typeof r.service !== 'string') throw new Error('not a swarm dyno handle');
    return { service: r.service, serviceId: r.serviceId, dynoKey: String(r.dynoKey ?? ''), tty: Boolean(r.tty), attached: Boolean(r.attached) };
  }

  async function appNetwork(appId: string, appName: string): Promise<string> {
    const name = appNetworkName(appId);
    let p = networks.get(name);
    if (!p) {
      p = (async () => {
        const found = (await docker.listNetworks({ filters: { name: [name] } })).find((n) => n.Name === name);
        if (found) return found.Id;
        try {
          const net = await docker.createNetwork({ Name: name, Driver: 'overlay', Attachable: true, CheckDuplicate: true, Labels: { [LABEL.appId]: appId, [LABEL.app]: appName } });
          return net.id;
        } catch (err) {
          const again = (await docker.listNetworks({ filters: { name: [name] } })).find((n) => n.Name === name);
          if (again) return again.Id;
          throw err;
        }
      })();
      networks.set(name, p);
      p.catch(() => networks.delete(name));
    }
    return p;
  }

  async function tasksOf(serviceIds: string[]): Promise<TaskInfo[]> {
    if (serviceIds.length === 0) return [];
    return (await docker.listTasks({ filters: { service: serviceIds } })) as TaskInfo[];
  }

  /** The service's current task: the newest (a replicas-1 service with restart none has one). */
  function latest(tasks: TaskInfo[]): TaskInfo | undefined {
    return tasks[tasks.length - 1];
  }

  function exitOf(task: TaskInfo): DynoExit {
    const code = task.Status?.ContainerStatus?.ExitCode;
    if (code === 137) return { code: null, signal: 'SIGKILL' };
    if (code === 143) return { code: null, signal: 'SIGTERM' };
    if (typeof code === 'number' && task.Status?.ContainerStatus?.ContainerID) return { code, signal: null };
    return { code: null, signal: null };
  }

  async function finish(w: Watched, exit: DynoExit, note?: string): Promise<void> {
    if (w.finishing) return;
    w.finishing = true;
    try {
      await w.logs?.finish();
    } catch (err) {
      logger.warn('swarm.logs_finish_failed', { service: w.ref.service, error: (err as Error).message });
    }
    if (note) w.events.onLine('stderr', note);
    w.exited = exit;
    watched.delete(w.ref.serviceId);
    attachListener?.drop(w.ref.dynoKey);
    w.events.onExit(exit);
    // stop() resolves once the service is gone too: nothing of a stopped dyno is left on the swarm.
    await docker.getService(w.ref.serviceId).remove().catch(() => undefined);
    w.resolveExit();
  }

  async function pollOnce(): Promise<void> {
    if (polling || watched.size === 0) return;
    polling = true;
    try {
      const ids = [...watched.keys()];
      const [tasks, nodes] = await Promise.all([tasksOf(ids), docker.listNodes()]);
      const down = new Set(nodes.filter((n) => n.Status?.State === 'down').map((n) => n.ID));
      const bySvc = new Map<string, TaskInfo[]>();
      for (const t of tasks as (TaskInfo & { ServiceID: string })[]) {
        bySvc.set(t.ServiceID, [...(bySvc.get(t.ServiceID) ?? []), t]);
      }
      for (const id of ids) {
        const w = watched.get(id);
        if (!w || w.finishing) continue;
        const list = bySvc.get(id) ?? [];
        const task = latest(list);
        if (task?.Status?.ContainerStatus?.ContainerID) w.containerId = task.Status.ContainerStatus.ContainerID;
        if (task && task.NodeID && down.has(task.NodeID)) {
          void finish(w, { code: null, signal: 'SIGKILL' }, `Node lost: the node running this dyno (${task.NodeID}) is down`);
        } else if (task && FINAL.has(task.Status?.State ?? '')) {
          const note = task.Status?.State === 'rejected' ? `Error: Swarm rejected the dyno: ${task.Status.Err ?? ''}` : undefined;
          void finish(w, exitOf(task), note);
        } else if (!task && list.length === 0 && w.stopping) {
          // The scaled-down task was reaped between two polls (several stops at once on a busy
          // manager): it was stopped as asked, but its exit code is no longer to be read.
          void finish(w, { code: null, signal: 'SIGTERM' });
        } else if (!task && list.length === 0 && (await serviceGone(id))) {
          void finish(w, { code: null, signal: 'SIGKILL' }, 'Node lost: the dyno\'s service is gone');
        }
      }
    } catch (err) {
      logger.warn('swarm.poll_failed', { error: (err as Error).message });
    } finally {
      polling = false;
    }
  }

  async function serviceGone(id: string): Promise<boolean> {
    try {
      await docker.getService(id).inspect();
      return false;
    } catch (err) {
      return (err as { statusCode?: number }).statusCode === 404;
    }
  }

  function ensureTimer(): void {
    if (timer || closed) return;
    timer = setInterval(() => void pollOnce(), pollMs);
  }

  async function watch(ref: SwarmRef, events: DynoEvents, skip?: { stdout: number; stderr: number }): Promise<Watched> {
    let resolveExit!: () => void;
    const exitReported = new Promise<void>((r) => (resolveExit = r));
    const w: Watched = { ref, events, exitReported, resolveExit };
    w.logs = await followDynoLogs({
      docker, serviceId: ref.serviceId, tty: ref.tty, events, skip,
      onError: (err) => logger.warn('swarm.logs_failed', { service: ref.service, error: err.message }),
    });
    watched.set(ref.serviceId, w);
    ensureTimer();
    return w;
  }

  async function nodeAddress(nodeId: string): Promise<string> {
    const node = (await docker.getNode(nodeId).inspect()) as { Status?: { Addr?: string } };
    if (!node.Status?.Addr) throw new Error(`node ${nodeId} has no address`);
    return node.Status.Addr;
  }

  /** Waits until the dyno's task runs (or already ended) and returns it. */
  async function waitRunning(serviceId: string): Promise<TaskInfo | undefined> {
    const deadline = Date.now() + startTimeoutMs;
    for (;;) {
      const task = latest(await tasksOf([serviceId]));
      const state = task?.Status?.State ?? '';
      if (task && (state === 'running' || FINAL.has(state))) return task;
      if (Date.now() > deadline) throw new Error(`the dyno's task did not start within ${startTimeoutMs} ms (state ${state || 'none'})`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  return {
    name: 'swarm',
    capabilities,

    async start(spec: DynoSpec, events: DynoEvents): Promise<DynoHandle> {
      const steps: Record<string, number> = {};
      let t = performance.now();
      const step = (name: string): void => { const now = performance.now(); steps[name] = Math.round(now - t); t = now; };
      const image = await opts.images.imageFor({ appId: spec.appId, releaseVersion: spec.releaseVersion, slugPath: spec.slugPath });
      step('image');
      const networkId = await appNetwork(spec.appId, spec.appName);
      step('network');
      const name = serviceName(spec);
      const dynoKey = randomBytes(8).toString('hex');
      const session = spec.attach && attachListener ? await attachListener.open(dynoKey) : undefined;
      const attach = session && { addr: session.addr, secret: session.secret, relaySource: attachRelaySource() };
      let created: { id: string };
      try {
        created = await docker.createService(dynoServiceSpec({ spec, name, dynoKey, image, networkId, stopGraceMs: opts.stopGraceMs, attach }) as Docker.CreateServiceOptions);
      } catch (err) {
        attachListener?.drop(dynoKey);
        throw err;
      }
      const ref: SwarmRef = { service: name, serviceId: created.id, dynoKey, tty: false, ...(session ? { attached: true } : {}) };
      step('create');
      await watch(ref, events);
      const task = await waitRunning(ref.serviceId);
      step('schedule');
      const containerId = task?.Status?.ContainerStatus?.ContainerID;
      const w = watched.get(ref.serviceId);
      if (containerId && w) {
        w.containerId = containerId;
        opts.usageFor?.(containerId); // asks the node agents about it from now on
      }
      let host: string | null = null;
      let port: number | null = null;
      if (spec.needsPort && task?.Status?.State === 'running' && task.NodeID) {
        port = task.Status.PortStatus?.Ports?.find((p) => p.PublishedPort)?.PublishedPort ?? null;
        host = await nodeAddress(task.NodeID);
      }
      logger.info('swarm.started', { app: spec.appName, dyno: spec.name, service: name, host, port });
      return { ref: { ...ref }, host, port, startSteps: steps };
    },

    async stop(handle) {
      const ref = refOf(handle);
      const w = watched.get(ref.serviceId);
      if (w) w.stopping = true;
      try {
        const svc = docker.getService(ref.serviceId);
        const info = (await svc.inspect()) as { Version: { Index: number }; Spec: Record<string, unknown> };
        await svc.update({ ...info.Spec, version: info.Version.Index, Mode: { Replicated: { Replicas: 0 } } });
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode !== 404) throw err;
      }
      if (w) {
        ensureTimer();
        await w.exitReported;
        return { killed: w.exited?.signal === 'SIGKILL' };
      }
      await docker.getService(ref.serviceId).remove().catch(() => undefined);
      return { killed: false };
    },

    async inspect(handle) {
      const ref = refOf(handle);
      const w = watched.get(ref.serviceId);
      if (w?.exited || (!w && (await serviceGone(ref.serviceId)))) return { running: false };
      const task = latest(await tasksOf([ref.serviceId]).catch(() => []));
      return { running: Boolean(task && !FINAL.has(task.Status?.State ?? '') && task.DesiredState !== 'shutdown') };
    },

    async usage(handle) {
      const w = watched.get(refOf(handle).serviceId);
      if (!w?.containerId || !opts.usageFor) return undefined;
      const deadline = Date.now() + (opts.usageWaitMs ?? 0);
      for (;;) {
        const u = opts.usageFor(w.containerId);
        if (u || Date.now() >= deadline || !watched.has(w.ref.serviceId)) return u;
        await new Promise((r) => setTimeout(r, 100));
      }
    },

    async recover(handle, events) {
      const ref = refOf(handle);
      if (watched.has(ref.serviceId)) return true;
      if (await serviceGone(ref.serviceId)) return false;
      if (ref.attached) {
        // An attached one-off of an earlier control plane: its connection died with it. End it.
        await docker.getService(ref.serviceId).remove().catch(() => undefined);
        return false;
      }
      // The service can go between the two calls (a dyno that just ended is removed): a 404 is "gone".
      const isGone = (err: unknown): false => {
        if ((err as { statusCode?: number }).statusCode === 404) return false;
        throw err;
      };
      const tasks = await tasksOf([ref.serviceId]).catch(isGone);
      if (tasks === false) return false;
      const task = latest(tasks);
      if (!task || FINAL.has(task.Status?.State ?? '') || task.DesiredState === 'shutdown') {
        await docker.getService(ref.serviceId).remove().catch(() => undefined);
        return false;
      }
      const skip = await logCounts(docker, ref.serviceId, ref.tty);
      await watch(ref, events, skip);
      return true;
    },

    async list() {
      const services = await docker.listServices({ filters: { label: [LABEL.dynoKey] } });
      const refs: Record<string, unknown>[] = [];
      for (const s of services) {
        const labels = (s.Spec?.Labels ?? {}) as Record<string, string>;
        if (s.Spec?.Mode?.Replicated?.Replicas === 0) continue;
        const tty = Boolean((s.Spec?.TaskTemplate as { ContainerSpec?: { TTY?: boolean } } | undefined)?.ContainerSpec?.TTY);
        refs.push({ service: s.Spec?.Name ?? '', serviceId: s.ID, dynoKey: labels[LABEL.dynoKey], tty });
      }
      return refs;
    },

    attach(handle) {
      return attachListener?.io(refOf(handle).dynoKey);
    },

    async close() {
      closed = true;
      await attachListener?.close();
      if (timer) clearInterval(timer);
      timer = undefined;
      for (const w of watched.values()) w.logs?.detach();
      watched.clear();
    },
  };
}
