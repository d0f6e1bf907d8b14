/**
 * The `runc` runtime driver: every dyno an OCI container (isolation/ builds the spec), started
 * detached under Debian's `conmon`, which holds its stdio in a log file and writes its exit
 * status to a file; so dynos outlive the manager and `recover` re-attaches (tail from the recorded
 * offset, watch the exit file). Per start: the app's own host uid (isolation/tenant-uids.ts); a
 * bundle with a fresh overlay upper layer over the release's slug, unpacked once (ephemeral
 * filesystem), on a size-limited scratch tmpfs that also holds `/tmp` (the disk limit); a network
 * namespace on the bridge with its own IP; `/etc/hosts` naming the app's other dynos
 * `<dyno>.<app>.internal`. When the dyno ends the container, bundle, scratch mount, cgroup, netns,
 * veth and IP lease are all removed.
 * `stop` signals every process in the container (`runc kill --all`), then SIGKILL after the grace.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { constants as osConstants } from 'node:os';
import path from 'node:path';
import type { Config } from '../config.js';
import type { Logger } from '../log/index.js';
import {
  attachContainer, cidrString, createAddressClaims, createDynoOpener, createFirewall, hostNameservers, loadInstanceId, createCgroupReader, createNetworkLock, createLogTailer, createRunc, createUnderConmon, detachContainer,
  createTenantUids, detectCgroupVersion, dynoIpRange, ensureParentCpuWeight, ensureBridge, ipToString, parseCidr, readExitFile, rewriteHosts,
  openFirewall, plugNamespace, tenantUidsDir, unplugNamespace,
  type BridgeNetwork, type CgroupReader, type DynoOpener, type Firewall, type HostsEntry, type LogTailer,
} from '../isolation/index.js';
import type { AttachedIo, DynoEvents, DynoExit, DynoHandle, DynoSpec, DynoUsage, RuntimeDriver } from './driver.js';
import { attachedSpec, runForeground } from './runc-driver-attached.js';
import { dynoDiskBytes } from './disk.js';
import { DYNO_PORT, internalName, writeDynoBundle } from './runc-driver-bundle.js';
import {
  allMetas, createLowerCache, dynoDir, ensureLayout, leaseIp, listLeases, readMeta, readNumberFile, readTextFile, releaseIp,
  runcLayout, writeMeta, type DynoMeta,
} from './runc-driver-disk.js';
import { mountScratch, scratchPaths, scratchUsage, unmountScratch } from './runc-driver-scratch.js';
import { createWarmNetnsPool, type WarmNetns } from './runc-driver-warm-netns.js';

export { DYNO_PORT };

export interface RuncDriverOptions {
  config: Config;
  logger: Logger;
  dataDir: string;
  /** Overrides of config.runcBridge / config.runcSubnet (tests use their own bridge). */
  network?: { bridge: string; subnet: string };
  /** How often attached dynos' logs and exit files are read (default 100 ms). */
  pollMs?: number;
  runcBinary?: string;
  conmonBinary?: string;
  /** Where host-wide address claims live (default /run/slipway/claims). */
  claimsDir?: string;
  /** Network namespaces kept ready for starts (default config.runcWarmNetns). */
  warmNetns?: number;
}

export interface RuncRef {
  id: string;
  dir: string;
  appId: string;
  name: string;
  ip: string | null;
  [key: string]: unknown;
}

interface Attached {
  meta: DynoMeta;
  dir: string;
  events: DynoEvents;
  tailer: LogTailer;
  timer: NodeJS.Timeout;
  savedOffset: number;
  finishing: boolean;
  exited: Promise<DynoExit>;
  resolveExited: (e: DynoExit) => void;
  /** Reads the log and the exit file now instead of at the next poll. */
  poke(): Promise<void>;
}

export function createRuncDriver(opts: RuncDriverOptions): RuntimeDriver {
  const log = opts.logger.child({ driver: 'runc' });
  const layout = runcLayout(opts.dataDir);
  const runc = createRunc({ stateDir: layout.state, binary: opts.runcBinary });
  const net: BridgeNetwork = {
    bridge: opts.network?.bridge ?? opts.config.runcBridge,
    subnet: parseCidr(opts.network?.subnet ?? opts.config.runcSubnet),
    routerPort: opts.config.routerPort,
    outboundBlock: opts.config.dynoOutboundBlock,
  };
  /** This platform instance's id (set by ready()): in container ids and firewall rule comments. */
  let instance = opts.config.instanceId;
  let fw!: Firewall;
  /** Dyno firewall openings, batched when starts come together (made with fw). */
  let openDyno!: DynoOpener;
  const pollMs = opts.pollMs ?? 100;
  /** Each app's dynos run as the app's own host uid (per-user kernel limits are per tenant). */
  const uids = createTenantUids({ dir: tenantUidsDir(opts.dataDir) });
  const lowers = createLowerCache(layout);
  const attached = new Map<string, Attached>();
  /** Attached one-offs: `runc run` children (runc-driver-attached.ts), by container id. */
  const foreground = new Map<string, { events: DynoEvents; exited: Promise<DynoExit> }>();
  const ios = new WeakMap<DynoHandle, AttachedIo>();
  const starting = new Set<string>();
  const netLock = createNetworkLock();
  const claims = createAddressClaims({ bridge: net.bridge, dir: opts.claimsDir });
  const inSubnet = (ip: string) => {
    const n = ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
    return n >= dynoIpRange(net.subnet).first && n <= dynoIpRange(net.subnet).last;
  };
  let closed = false;

  let readyP: Promise<{ cgroups: CgroupReader }> | undefined;
  const ready = () => (readyP ??= (async () => {
    await ensureLayout(layout);
    if (instance === '') instance = await loadInstanceId(opts.dataDir);
    net.instance = instance;
    fw = createFirewall({
      net: { bridge: net.bridge, cidr: cidrString(net.subnet) }, instance, routerPort: net.routerPort, outboundBlock: net.outboundBlock ?? 'link-local',
      resolvers: await hostNameservers(),
    });
    openDyno = createDynoOpener(fw, netLock);
    try {
      const { removed } = await ensureBridge(net, fw);
      if (removed > 0) log.warn('runc.firewall_reconciled', { bridge: net.bridge, removed, why: 'rules of dynos whose veth is gone, or of platforms no longer running' });
    } catch (err) {
      log.error('runc.firewall_failed', { bridge: net.bridge, error: String(err) });
      throw err;
    }
    const seeded = await claims.seed(inSubnet).catch(() => 0);
    if (seeded > 0) log.warn('runc.addresses_held', { bridge: net.bridge, subnet: cidrString(net.subnet), count: seeded, why: 'network namespaces this driver did not make hold them; they are skipped' });
    await sweepWarm();
    warm.fill();
    const v = await detectCgroupVersion();
    if (v === null) throw new Error('no cgroup filesystem mounted at /sys/fs/cgroup');
    if (!(await ensureParentCpuWeight(v))) log.warn('runc.cpu_weight_unset', { why: 'could not set the CPU weight of the dynos\' parent cgroup' });
    return { cgroups: createCgroupReader(v) };
  })());

  /** Warm namespaces are named like containers (`warm.netns.<instance><hex>`): `slipway cleanup` finds them too. */
  const WARM_PREFIX = 'warm.netns.';
  const makeWarm = async (): Promise<WarmNetns> => {
    const id = `${WARM_PREFIX}${instance}${randomBytes(3).toString('hex')}`;
    const ip = await leaseIp(layout, dynoIpRange(net.subnet), ipToString, id, claims);
    try {
      await plugNamespace(net, { containerId: id, netns: id, ip });
    } catch (err) {
      await releaseIp(layout, ip, id, claims);
      throw err;
    }
    return { id, ip };
  };
  const discardWarm = async (n: WarmNetns): Promise<void> => {
    await unplugNamespace(net, { containerId: n.id, netns: n.id, ip: n.ip });
    await releaseIp(layout, n.ip, n.id, claims);
  };
  const warm = createWarmNetnsPool({ size: opts.warmNetns ?? opts.config.runcWarmNetns, make: makeWarm, discard: discardWarm, logger: log });
  /**
   * Warm namespaces an earlier run of this platform left ready (it was killed): their leases say
   * which. Those a dyno took stay: the dyno still runs in it (its meta names it) and is re-adopted.
   */
  const sweepWarm = async (): Promise<void> => {
    const taken = new Set((await allMetas(layout)).map((m) => m.netns));
    for (const lease of await listLeases(layout)) {
      if (lease.owner.startsWith(WARM_PREFIX) && !taken.has(lease.owner)) await discardWarm({ id: lease.owner, ip: lease.ip }).catch((err) => log.warn('runc.warm_netns_sweep_failed', { id: lease.owner, error: String(err) }));
    }
  };

  const paths = (dir: string, id: string) => ({
    bundle: dir,
    logPath: path.join(dir, 'ctr.log'),
    exitDir: path.join(dir, 'exit'),
    pidFile: path.join(dir, 'ctr.pid'),
    conmonPidFile: path.join(dir, 'conmon.pid'),
    socketDir: layout.sockets,
    offsetFile: path.join(dir, 'log.offset'),
    signalFile: path.join(dir, 'signal'),
    exitFile: path.join(dir, 'exit', id),
  });

  const refOf = (m: DynoMeta): RuncRef => ({ id: m.id, dir: dynoDir(layout, m.id), appId: m.appId, name: m.name, ip: m.ip });

  /** `/etc/hosts` of every dyno of the app: each running dyno as `<dyno>.<app>.internal`. */
  const rewriteAppHosts = async (appId: string): Promise<void> => {
    const metas = (await allMetas(layout)).filter((m) => m.appId === appId);
    const entries: HostsEntry[] = metas.filter((m) => m.ip !== null).map((m) => ({ ip: m.ip as string, names: [internalName(m)] }));
    for (const m of metas) {
      await rewriteHosts(scratchPaths(dynoDir(layout, m.id)).etc, m.name, entries).catch(() => {});
    }
  };
  /**
   * Rewrites an app's hosts files, one pass at a time per app; requests made during a pass share
   * one more pass after it (ten dynos starting at once make two passes, not ten of ten files).
   */
  const hostsRunning = new Map<string, Promise<void>>();
  const hostsAgain = new Map<string, Promise<void>>();
  const refreshHosts = (appId: string): Promise<void> => {
    const running = hostsRunning.get(appId);
    if (!running) {
      const p = rewriteAppHosts(appId)
        .catch((err) => log.warn('dyno.hosts_failed', { app: appId, error: String(err) }))
        .finally(() => hostsRunning.delete(appId));
      hostsRunning.set(appId, p);
      return p;
    }
    let again = hostsAgain.get(appId);
    if (!again) {
      again = running.then(() => {
        hostsAgain.delete(appId);
        return refreshHosts(appId);
      });
      hostsAgain.set(appId, again);
    }
    return again;
  };
  /** Background work a start leaves behind (other dynos' hosts files), awaited by close(). */
  const background = new Set<Promise<void>>();
  const inBackground = (p: Promise<void>) => {
    background.add(p);
    void p.finally(() => background.delete(p));
  };

  /** Removes everything a dyno owns. Idempotent; called once it has exited (or failed to start). */
  const cleanup = async (meta: DynoMeta): Promise<void> => {
    const dir = dynoDir(layout, meta.id);
    await runc.delete(meta.id, true).catch((err) => log.warn('runc.delete_failed', { id: meta.id, error: String(err) }));
    if (meta.netns !== null && meta.ip !== null) {
      // The namespace's name is also its veth's seed (the container's id, or a warm namespace's).
      const att = { containerId: meta.netns, netns: meta.netns, ip: meta.ip, appId: meta.appId, addonPorts: meta.addonPorts };
      await detachContainer(net, att, fw, netLock).catch((err) => log.error('dyno.firewall_failed', { id: meta.id, ip: meta.ip, error: String(err) }));
    }
    await unmountScratch(dir).catch((err) => log.warn('dyno.scratch_unmount_failed', { id: meta.id, error: String(err) }));
    await rm(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
    // conmon's per-container attach socket dir (`<sockets>/<id>/attach`).
    await rm(path.join(layout.sockets, meta.id), { recursive: true, force: true });
    if (meta.ip !== null) await releaseIp(layout, meta.ip, meta.netns ?? meta.id, claims);
    await refreshHosts(meta.appId).catch(() => {});
    const inUse = new Set((await allMetas(layout)).map((m) => m.lowerKey));
    await lowers.gc(inUse).catch(() => {});
  };

  const exitOf = async (meta: DynoMeta, code: number | null, cgroups: CgroupReader): Promise<DynoExit> => {
    const p = paths(dynoDir(layout, meta.id), meta.id);
    const oomKilled = ((await cgroups.oomKills(meta.cgroupsPath)) ?? 0) > 0;
    const sent = await readTextFile(p.signalFile);
    if (code !== null && code > 128 && code < 128 + 65) {
      const sig = signalName(code - 128);
      if (sig !== undefined && (sig === sent || (sig === 'SIGKILL' && (oomKilled || sent !== null)))) {
        return { code: null, signal: sig, ...(oomKilled ? { oomKilled } : {}) };
      }
    }
    return { code, signal: null, ...(oomKilled ? { oomKilled } : {}) };
  };

  const watch = (meta: DynoMeta, events: DynoEvents, offset: number, cgroups: CgroupReader): Attached => {
    const dir = dynoDir(layout, meta.id);
    const p = paths(dir, meta.id);
    let resolveExited!: (e: DynoExit) => void;
    const exited = new Promise<DynoExit>((r) => (resolveExited = r));
    const a: Attached = {
      meta, dir, events, savedOffset: offset, finishing: false, exited, resolveExited,
      tailer: createLogTailer(p.logPath, offset, (stream, line) => a.events.onLine(stream, line)),
      timer: setInterval(() => void tick(), pollMs),
      poke: () => tick(),
    };
    let busy = false;
    const tick = async () => {
      if (busy || a.finishing) return;
      busy = true;
      try {
        const off = await a.tailer.poll();
        if (off !== a.savedOffset) {
          a.savedOffset = off;
          await writeFile(p.offsetFile, String(off)).catch(() => {});
        }
        const code = await readExitFile(p.exitDir, meta.id);
        if (code !== null) await finish(code);
      } catch (err) {
        log.warn('dyno.watch_failed', { id: meta.id, error: String(err) });
      } finally {
        busy = false;
      }
    };
    const finish = async (code: number) => {
      if (a.finishing) return;
      a.finishing = true;
      clearInterval(a.timer);
      await a.tailer.poll().catch(() => 0);
      a.tailer.end();
      const exit = await exitOf(meta, code, cgroups);
      await cleanup(meta);
      attached.delete(meta.id);
      log.info('dyno.exited', { id: meta.id, code: exit.code, signal: exit.signal, oom: exit.oomKilled ?? false });
      a.events.onExit(exit);
      a.resolveExited(exit);
    };
    attached.set(meta.id, a);
    return a;
  };

  /** Attached one-offs: the container as a `runc run` child; its exit ends the dyno as a watched one's does. */
  const startForeground = async (meta: DynoMeta, events: DynoEvents, cgroups: CgroupReader): Promise<AttachedIo> => {
    const entry = { events, exited: undefined as unknown as Promise<DynoExit> };
    const fg = await runForeground(runc, meta.id, dynoDir(layout, meta.id), () => entry.events);
    entry.exited = fg.exited.then(async (code) => {
      const exit = await exitOf(meta, code, cgroups);
      await cleanup(meta);
      foreground.delete(meta.id);
      log.info('dyno.exited', { id: meta.id, code: exit.code, signal: exit.signal, attached: true });
      entry.events.onExit(exit);
      return exit;
    });
    foreground.set(meta.id, entry);
    return fg.io;
  };

  const isAlive = async (id: string): Promise<boolean> => {
    const p = paths(dynoDir(layout, id), id);
    if ((await readExitFile(p.exitDir, id)) !== null) return false;
    const st = await runc.state(id);
    return st !== null && (st.status === 'running' || st.status === 'created' || st.status === 'paused');
  };

  /**
   * Waits until the container has ended (true) or `ms` passed (false). conmon's exit file says so
   * first and costs one small read, so it is polled often (a dyno that exits promptly on SIGTERM is
   * seen within ~20 ms); `runc state` (a process spawn) only every ~250 ms, for a container whose
   * conmon died.
   */
  const waitGone = async (id: string, ms: number): Promise<boolean> => {
    const exitDir = paths(dynoDir(layout, id), id).exitDir;
    const deadline = Date.now() + ms;
    let stateAt = 0;
    for (;;) {
      if ((await readExitFile(exitDir, id)) !== null) return true;
      if (Date.now() - stateAt >= 250) {
        stateAt = Date.now();
        if (!(await isAlive(id))) return true;
      }
      if (Date.now() >= deadline) return false;
      await sleep(Math.min(20, Math.max(1, deadline - Date.now())));
    }
  };

  return {
    name: 'runc',
    capabilities: { isolation: 'container', survivesManagerRestart: true, memoryLimit: true },

    async start(spec: DynoSpec, events: DynoEvents): Promise<DynoHandle> {
      if (closed) throw new Error('the runc driver is closed');
      const t = stepTimer();
      const { cgroups } = await ready();
      // The instance id in the container id (and so in its netns and cgroup names) lets
      // `slipway cleanup` find what this platform left on the host without its data dir.
      const id = `${safe(spec.appName)}.${safe(spec.name)}.${instance}${randomBytes(3).toString('hex')}`;
      const dir = dynoDir(layout, id);
      const p = paths(dir, id);
      const user = { ...(await uids.userFor(spec.appId)), name: 'dyno' };
      const lower = await lowers.get(spec.slugPath, user);
      t.step('slug');
      const meta: DynoMeta = {
        id, appId: spec.appId, appName: spec.appName, name: spec.name, uid: user.uid, ip: null, netns: null,
        cgroupsPath: `/slipway/${id}`, lowerKey: lower.key, startedAt: new Date().toISOString(),
        ...(spec.attach ? { attached: true } : {}),
      };
      let io: AttachedIo | undefined;
      let firewall: Promise<void> | null = null;
      /** How long each of the steps run side by side took (on the `dyno.started` line). */
      const side: Record<string, number> = {};
      const timed = <T>(name: string, p: Promise<T>): Promise<T> => {
        const t0 = performance.now();
        return p.finally(() => (side[`${name}_ms`] = Math.round(performance.now() - t0)));
      };
      await mkdir(dir, { recursive: true, mode: 0o711 });
      starting.add(id);
      try {
        await mkdir(path.join(dir, 'exit'));
        // A warm namespace if one is ready (its address leased already), else one made here.
        // Attached one-offs (`heroku run`) make their own: the pool is sized for formation starts.
        const taken = spec.attach ? null : warm.take();
        meta.ip = taken?.ip ?? (await leaseIp(layout, dynoIpRange(net.subnet), ipToString, id, claims));
        meta.netns = taken?.id ?? id;
        meta.addonPorts = [...(spec.addonPorts ?? [])];
        // Written before anything is made, so a failed or interrupted start is cleaned up whole.
        await writeMeta(dir, meta);
        t.step('lease');
        // The writable layer and the network do not depend on each other: made at once (each
        // waits on its own processes: mount, ip, iptables-restore), and the app's peers read meanwhile.
        const ip = meta.ip;
        const attach = { containerId: meta.netns, netns: meta.netns, ip, appId: spec.appId, addonPorts: meta.addonPorts };
        // A warm namespace is plugged in already: its firewall rules (one iptables-restore) are
        // written while the bundle is written and `runc create` runs, and awaited before `runc
        // start`, the first moment the app's own code runs and can send a packet. Until then
        // the bridge chains drop everything from its veth.
        firewall = taken ? timed('firewall', openFirewall(net, attach, fw, netLock, openDyno)) : null;
        // Its failure is thrown where it is awaited (or after a failure before that, in catch).
        firewall?.catch(() => undefined);
        const work = [
          timed('scratch', mountScratch(dir, dynoDiskBytes(spec.size, opts.config.dynoDiskMb), user, lower.dir)),
          taken ? Promise.resolve({ netnsPath: `/run/netns/${attach.netns}` }) : timed('netns', attachContainer(net, attach, fw, netLock, openDyno)),
          allMetas(layout),
        ] as const;
        // All settled before a failure is thrown: cleanup must not race a step still running.
        await Promise.allSettled(work);
        const [, att, metas] = await Promise.all(work);
        t.step('network');
        const peers = metas.filter((m) => m.appId === spec.appId && m.ip !== null);
        await writeDynoBundle({ dir, spec: spec.attach ? attachedSpec(spec) : spec, meta, netnsPath: att.netnsPath, peers, user });
        t.step('bundle');
        if (spec.attach) {
          io = await startForeground(meta, events, cgroups);
        } else {
          await createUnderConmon({ runc, id, paths: p, conmon: opts.conmonBinary });
          t.step('create');
          await firewall;
          t.step('firewall');
          await runc.start(id);
          t.step('start');
        }
      } catch (err) {
        // Cleanup must not race a firewall write still running.
        await firewall?.catch(() => undefined);
        log.error('dyno.start_failed', { id, error: String(err) });
        await killConmon(p.conmonPidFile, id);
        await cleanup(meta);
        throw err;
      } finally {
        starting.delete(id);
      }
      if (!spec.attach) watch(meta, events, 0, cgroups);
      // The new dyno's own hosts file already names its peers; theirs learn about it meanwhile.
      inBackground(refreshHosts(spec.appId));
      t.step('hosts');
      log.info('dyno.started', { id, app: spec.appName, dyno: spec.name, ip: meta.ip, attached: spec.attach ?? false, warm_netns: meta.netns !== id, ...side });
      const handle: DynoHandle = { ref: refOf(meta), host: spec.needsPort ? meta.ip : null, port: spec.needsPort ? DYNO_PORT : null, startSteps: t.steps() };
      if (io) ios.set(handle, io);
      return handle;
    },

    async stop(handle, { graceMs, signal = 'SIGTERM' }) {
      const ref = handle.ref as RuncRef;
      const a = attached.get(ref.id);
      const meta = a?.meta ?? (await readMeta(ref.dir));
      if (!meta) return { killed: false };
      const p = paths(dynoDir(layout, meta.id), meta.id);
      let killed = false;
      if (await isAlive(meta.id)) {
        await writeFile(p.signalFile, signal).catch(() => {});
        await runc.kill(meta.id, signal, true);
        if (!(await waitGone(meta.id, graceMs))) {
          await writeFile(p.signalFile, 'SIGKILL').catch(() => {});
          killed = await runc.kill(meta.id, 'SIGKILL', true);
          await waitGone(meta.id, 10_000);
        }
      }
      const f = foreground.get(meta.id);
      if (a) {
        await a.poke();
        await a.exited;
      }
      else if (f) await f.exited;
      else if (!attached.has(meta.id)) await cleanup(meta);
      return { killed };
    },

    async inspect(handle) {
      const ref = handle.ref as RuncRef;
      if (typeof ref.id !== 'string') return { running: false };
      return { running: await isAlive(ref.id) };
    },

    async usage(handle): Promise<DynoUsage | undefined> {
      const ref = handle.ref as RuncRef;
      const meta = attached.get(ref.id)?.meta ?? (await readMeta(ref.dir));
      if (!meta) return undefined;
      const { cgroups } = await ready();
      const [u, disk] = await Promise.all([cgroups.usage(meta.cgroupsPath), scratchUsage(dynoDir(layout, meta.id))]);
      return u && disk ? { ...u, disk } : u;
    },

    async recover(handle, events) {
      const ref = handle.ref as RuncRef;
      const a = attached.get(ref.id) ?? foreground.get(ref.id);
      if (a) {
        a.events = events;
        return true;
      }
      if (typeof ref.id !== 'string' || typeof ref.dir !== 'string') return false;
      const meta = await readMeta(ref.dir);
      if (!meta) return false;
      if (meta.attached) {
        // An attached one-off of an earlier manager: its stdio died with it. End it.
        await runc.kill(meta.id, 'SIGKILL', true).catch(() => false);
        await waitGone(meta.id, 10_000);
        await cleanup(meta);
        return false;
      }
      const { cgroups } = await ready();
      const p = paths(ref.dir, meta.id);
      const offset = await readNumberFile(p.offsetFile);
      if (!(await isAlive(meta.id))) {
        // It ended while no manager watched: hand over its last lines, then clean up.
        const t = createLogTailer(p.logPath, offset, (s, l) => events.onLine(s, l));
        await t.poll().catch(() => 0);
        t.end();
        await cleanup(meta);
        return false;
      }
      watch(meta, events, offset, cgroups);
      log.info('dyno.recovered', { id: meta.id, offset });
      return true;
    },

    async prepare() {
      await ready();
    },

    async list() {
      await ensureLayout(layout);
      const out: Record<string, unknown>[] = [];
      for (const m of await allMetas(layout)) {
        if (attached.get(m.id)?.finishing) continue;
        if (await isAlive(m.id)) {
          out.push(refOf(m));
          continue;
        }
        // Ended while nobody watched and nobody recovered it: remove what it left behind
        // (never a dyno still being started: those are young and have no container yet).
        const young = Date.now() - Date.parse(m.startedAt) < 5 * 60_000;
        if (!attached.has(m.id) && !starting.has(m.id) && !young) {
          log.info('dyno.swept', { id: m.id });
          await cleanup(m);
        }
      }
      return out;
    },

    attach(handle) {
      return ios.get(handle);
    },

    async close() {
      closed = true;
      await warm.close();
      await Promise.allSettled([...background]);
      for (const a of attached.values()) clearInterval(a.timer);
      attached.clear();
      // Attached one-offs cannot outlive us (their stdio is ours): end them.
      const ends = [...foreground.entries()].map(async ([id, f]) => {
        await runc.kill(id, 'SIGKILL', true).catch(() => false);
        await f.exited;
      });
      await Promise.all(ends);
    },
  };
}

/** Kills the conmon of a container whose start failed half-way (only if that pid is still its conmon). */
async function killConmon(pidFile: string, id: string): Promise<void> {
  const pid = Number(await readTextFile(pidFile));
  if (!Number.isInteger(pid) || pid <= 1) return;
  const cmdline = await readTextFile(`/proc/${pid}/cmdline`);
  if (cmdline === null || !cmdline.includes('conmon') || !cmdline.includes(id)) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

function safe(s: string): string {
  return s.replace(/[^a-zA-Z0-9_-]/g, '-').slice(0, 40) || 'x';
}

function signalName(n: number): NodeJS.Signals | undefined {
  for (const [name, num] of Object.entries(osConstants.signals)) if (num === n) return name as NodeJS.Signals;
  return undefined;
}

/** Milliseconds spent in each named step since the previous one (the handle's `startSteps`). */
function stepTimer(): { step(name: string): void; steps(): Record<string, number> } {
  let last = performance.now();
  const out: Record<string, number> = {};
  return {
    step(name) {
      const now = performance.now();
      out[name] = (out[name] ?? 0) + now - last;
      last = now;
    },
    steps: () => ({ ...out }),
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
