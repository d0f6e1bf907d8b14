/**
 * `heroku-redis`: a real `redis-server` per add-on (redis-servers.ts supervises them), with its
 * data under `<root>/<add-on name>/`, a random password, the plan's maxmemory and connections, and
 * TLS on the port after the plain one.
 *
 * Config published (by suffix): `URL` = `redis://:<password>@<host>:<port>` (the attached apps'
 * dynos, over the private network) and `TLS_URL` = `rediss://…:<port + 1>` (self-signed
 * certificate: clients skip verification, as Heroku tells them to). `redis:cli` from the host uses
 * the TLS port (api/routes/redis-data.ts). `hostPorts` names both ports for a runtime that
 * firewalls dynos from the host.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chown, copyFile, mkdir, readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import type { Logger } from '../../log/index.js';
import type { AddonHandle, InfoRow, PlanSpec, Provider, Provisioned, StepHook } from '../provider.js';
import { REDIS_SERVICE } from './plans.js';
import { CERT_FILE, KEY_FILE } from './redis-conf.js';
import { parseInfo, withRedis } from './redis-client.js';
import { CONF_FILE, createRedisServers, type RedisServers, type RedisServerSpec, type RunAs } from './redis-servers.js';

/** What the provider keeps per add-on (the add-on's `providerState`). */
export interface RedisState {
  port: number;
  tlsPort: number;
  password: string;
}

export interface RedisProviderOptions {
  /** Where the add-ons' dirs live (`<data dir>/addons/heroku-redis`). */
  root: string;
  /** The address in the published URLs: reachable by the attached apps' dynos and by the host. */
  host: string;
  /** Addresses the servers listen on (default: 127.0.0.1 and `host`). */
  bind?: readonly string[];
  /** The TLS certificate and key the servers present (copied into each add-on dir). */
  tls: { certPath: string; keyPath: string };
  runAs?: RunAs;
  logger: Logger;
  step?: StepHook;
  binary?: string;
  checkMs?: number;
}

export interface RedisProvider extends Provider {
  readonly servers: RedisServers;
  /** The host ports of the add-on's server (plain and TLS): what a firewalled runtime opens to the attached apps' dynos. */
  hostPorts(addon: AddonHandle): number[];
  /** The URL `redis:cli` connects to (TLS). */
  resourceUrl(addon: AddonHandle): string;
  /** `INFO` of the add-on's server, as key → value. */
  serverInfo(addon: AddonHandle): Promise<Record<string, string>>;
}

const newPassword = () => randomBytes(24).toString('hex');
const stateOf = (addon: AddonHandle): RedisState => addon.state as unknown as RedisState;

/** Two free consecutive TCP ports (P for plain, P + 1 for TLS). */
export async function freePortPair(host = '127.0.0.1'): Promise<number> {
  const tryPort = (port: number) => new Promise<number | undefined>((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(undefined));
    s.listen(port, host, () => {
      const got = (s.address() as { port: number }).port;
      s.close(() => resolve(got));
    });
  });
  for (let i = 0; i < 50; i++) {
    const p = await tryPort(0);
    if (p && p < 65535 && (await tryPort(p + 1))) return p;
  }
  throw new Error('no two free consecutive ports for a redis-server');
}

export function createRedisProvider(opts: RedisProviderOptions): RedisProvider {
  const step = opts.step ?? (() => undefined);
  const bind = [...new Set(opts.bind ?? ['127.0.0.1', opts.host])];
  const servers = createRedisServers({ binary: opts.binary, runAs: opts.runAs, logger: opts.logger, checkMs: opts.checkMs });
  const dirOf = (name: string) => path.join(opts.root, name);
  const spec = (name: string, plan: PlanSpec, s: RedisState): RedisServerSpec => ({
    name, dir: dirOf(name),
    conf: { bind, port: s.port, tlsPort: s.tlsPort, password: s.password, maxmemoryMb: plan.limits.memoryMb ?? 25, maxclients: plan.limits.connections ?? 20 },
  });
  const config = (s: RedisState): Record<string, string> => ({
    URL: `redis://:${s.password}@${opts.host}:${s.port}`,
    TLS_URL: `rediss://:${s.password}@${opts.host}:${s.tlsPort}`,
  });
  const ports = (s: RedisState) => [s.port, s.tlsPort];

  const prepareDir = async (dir: string) => {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await copyFile(opts.tls.certPath, path.join(dir, CERT_FILE));
    await copyFile(opts.tls.keyPath, path.join(dir, KEY_FILE));
    if (opts.runAs) {
      for (const f of [dir, path.join(dir, CERT_FILE), path.join(dir, KEY_FILE)]) await chown(f, opts.runAs.uid, opts.runAs.gid);
    }
  };

  return {
    service: REDIS_SERVICE,
    servers,
    async start(addons) {
      await mkdir(opts.root, { recursive: true, mode: 0o700 });
      for (const a of addons) {
        try {
          await servers.adopt(spec(a.name, a.plan, stateOf(a)));
        } catch (err) {
          opts.logger.error('redis.adopt_failed', { addon: a.name, error: String(err) });
        }
      }
      servers.startChecks();
    },
    stop: (mode) => servers.close(mode),
    async provision(req): Promise<Provisioned> {
      const dir = dirOf(req.name);
      let started = false;
      try {
        step('ports');
        const port = await freePortPair();
        const state: RedisState = { port, tlsPort: port + 1, password: newPassword() };
        step('dir');
        await prepareDir(dir);
        step('server');
        await servers.start(spec(req.name, req.plan, state));
        started = true;
        step('ready');
        return { state: { ...state }, config: config(state) };
      } catch (err) {
        if (started) await servers.stop(req.name);
        await rm(dir, { recursive: true, force: true });
        throw err;
      }
    },
    // Who reaches the ports is decided on the dynos' side (hostPorts): nothing to do per app here.
    async bind() {},
    async unbind() {},
    hostPorts: (addon) => ports(stateOf(addon)),
    async deprovision(addon) {
      await servers.stop(addon.name);
      await servers.stopIn(dirOf(addon.name), addon.name);
      await rm(dirOf(addon.name), { recursive: true, force: true });
    },
    async info(addon): Promise<InfoRow[]> {
      let status = 'available';
      let rows: InfoRow[] = [];
      try {
        const i = await this.serverInfo(addon);
        const uptimeS = Number(i.uptime_in_seconds ?? 0);
        rows = [
          { name: 'Version', values: [i.redis_version ?? 'unknown'] },
          { name: 'Created', values: [new Date(Date.now() - uptimeS * 1000).toISOString()] },
          { name: 'Uptime', values: [`${Math.floor(uptimeS / 86400)}d ${Math.floor((uptimeS % 86400) / 3600)}h ${Math.floor((uptimeS % 3600) / 60)}m`] },
          { name: 'Maxmemory', values: [i.maxmemory_policy ?? 'noeviction'] },
          { name: 'Memory', values: [`${i.used_memory_human ?? '?'} / ${addon.plan.limits.memoryMb ?? '?'}MB`] },
          { name: 'Clients', values: [`${i.connected_clients ?? '?'} / ${addon.plan.limits.connections ?? '?'}`] },
          { name: 'Keys', values: [String((i.db0 ?? '').match(/keys=(\d+)/)?.[1] ?? '0')] },
        ];
      } catch {
        status = 'unavailable';
      }
      return [{ name: 'Plan', values: [addon.plan.humanName] }, { name: 'Status', values: [status] }, ...rows];
    },
    async rotateCredentials(addon) {
      const old = stateOf(addon);
      const next: RedisState = { ...old, password: newPassword() };
      await withRedis({ host: '127.0.0.1', port: old.port, password: old.password }, async (c) => {
        await c.configSet('requirepass', next.password);
        // Sessions opened with the old password end too (this one is skipped by CLIENT KILL's default).
        await c.sendCommand(['CLIENT', 'KILL', 'TYPE', 'normal']);
      });
      servers.update(spec(addon.name, addon.plan, next));
      return { state: { ...next }, config: config(next) };
    },
    async prune(live) {
      const keep = new Set(live.map((a) => a.name));
      const removed: string[] = [];
      for (const name of await redisDirs(opts.root)) {
        // Only what this provider made: an add-on dir with the config file it writes.
        if (keep.has(name) || name === 'tls' || !existsSync(path.join(dirOf(name), CONF_FILE))) continue;
        await servers.stop(name);
        await servers.stopIn(dirOf(name), name);
        await rm(dirOf(name), { recursive: true, force: true });
        removed.push(name);
      }
      return removed;
    },
    resourceUrl: (addon) => config(stateOf(addon)).TLS_URL,
    async serverInfo(addon) {
      const s = stateOf(addon);
      return parseInfo(await withRedis({ host: '127.0.0.1', port: s.port, password: s.password }, (c) => c.info()));
    },
  };
}

/** The add-on dirs under `root` (the contract suite's leftovers). */
export async function redisDirs(root: string): Promise<string[]> {
  try {
    return (await readdir(root)).sort();
  } catch {
    return [];
  }
}
