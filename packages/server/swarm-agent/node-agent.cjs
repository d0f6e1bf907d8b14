/**
 * Slipway's node agent: runs on every Swarm node as one task of a global service and, every few
 * seconds, ships one usage summary of the Slipway dynos on its node to the control plane's usage
 * intake (packages/server/src/swarm/usage-intake.ts).
 *
 * Which containers: the intake answers each summary with the container ids the control plane is
 * asking about (its own task → container map); the agent reads the cgroups of those that live on
 * its node. It needs no Docker socket and reads nothing else.
 *
 * Self-contained on purpose (Node's built-ins only): the service runs it with `node -e` from the
 * stack image, so no image has to be built for it. The cgroup arithmetic is the same as
 * src/isolation/cgroups.ts (memory = usage − inactive file cache, as `docker stats` counts it).
 *
 * Environment: SLIPWAY_USAGE_URL, SLIPWAY_USAGE_TOKEN, SLIPWAY_NODE_ID, SLIPWAY_NODE_HOSTNAME,
 * SLIPWAY_USAGE_INTERVAL_MS (default 5000), SLIPWAY_CGROUP_ROOT (default /host/cgroup).
 */
'use strict';
const fs = require('node:fs/promises');
const os = require('node:os');
const path = require('node:path');

const CONTAINER_ID = /^[0-9a-f]{12,64}$/;

function parseFlatKeyed(text) {
  const out = {};
  for (const line of String(text).split('\n')) {
    const [k, v] = line.trim().split(/\s+/);
    if (k && v !== undefined && /^\d+$/.test(v)) out[k] = Number(v);
  }
  return out;
}

async function readText(p) {
  try { return await fs.readFile(p, 'utf8'); } catch { return undefined; }
}

async function readNumber(p) {
  const t = await readText(p);
  if (t === undefined) return undefined;
  const n = Number(t.trim());
  return Number.isFinite(n) ? n : undefined;
}

/** 1 or 2: v2 when the root itself is the unified hierarchy (it has cgroup.controllers). */
async function cgroupVersion(root) {
  return (await readText(path.join(root, 'cgroup.controllers'))) === undefined ? 1 : 2;
}

/** Where Docker puts a container's cgroup: cgroupfs driver (`docker/<id>`) or systemd driver (`system.slice/docker-<id>.scope`). */
function containerCgroups(id) {
  return [`docker/${id}`, `system.slice/docker-${id}.scope`];
}

/** One container's usage, or undefined when its cgroup is not on this node. */
async function readContainer(root, version, id) {
  for (const rel of containerCgroups(id)) {
    if (version === 2) {
      const dir = path.join(root, rel);
      const current = await readNumber(path.join(dir, 'memory.current'));
      if (current === undefined) continue;
      const stat = parseFlatKeyed((await readText(path.join(dir, 'memory.stat'))) ?? '');
      const cpu = parseFlatKeyed((await readText(path.join(dir, 'cpu.stat'))) ?? '');
      const swap = await readNumber(path.join(dir, 'memory.swap.current'));
      return clean({
        id, memoryBytes: Math.max(0, current - (stat.inactive_file ?? 0)), cpuMicros: cpu.usage_usec ?? 0,
        rssBytes: stat.anon, cacheBytes: stat.file, swapBytes: swap,
      });
    }
    const mem = path.join(root, 'memory', rel);
    const usage = await readNumber(path.join(mem, 'memory.usage_in_bytes'));
    if (usage === undefined) continue;
    const stat = parseFlatKeyed((await readText(path.join(mem, 'memory.stat'))) ?? '');
    const nanos = (await readNumber(path.join(root, 'cpuacct', rel, 'cpuacct.usage'))) ??
      (await readNumber(path.join(root, 'cpu,cpuacct', rel, 'cpuacct.usage'))) ?? 0;
    return clean({
      id, memoryBytes: Math.max(0, usage - (stat.total_inactive_file ?? 0)), cpuMicros: Math.floor(nanos / 1000),
      rssBytes: stat.total_rss, cacheBytes: stat.total_cache, swapBytes: stat.total_swap,
    });
  }
  return undefined;
}

function clean(o) {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
}

/** The summary of this node and of the wanted containers found on it. */
async function summary(opts, want) {
  const version = await cgroupVersion(opts.cgroupRoot);
  const ids = [...new Set(want)].filter((id) => CONTAINER_ID.test(id));
  const found = await Promise.all(ids.map((id) => readContainer(opts.cgroupRoot, version, id)));
  return {
    node: {
      id: opts.nodeId, hostname: opts.hostname, cpus: os.cpus().length || 1,
      memoryTotalBytes: os.totalmem(), memoryAvailableBytes: os.freemem(), load1: os.loadavg()[0],
    },
    atMs: Date.now(),
    cgroupVersion: version,
    containers: found.filter(Boolean),
  };
}

async function ship(opts, body) {
  const res = await fetch(opts.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${opts.token}` },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(Math.max(2000, opts.intervalMs)),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`intake answered ${res.status}: ${text.slice(0, 200)}`);
  const parsed = JSON.parse(text);
  return Array.isArray(parsed.want) ? parsed.want.filter((x) => typeof x === 'string') : [];
}

function options(env) {
  const need = (k) => {
    if (!env[k]) throw new Error(`${k} is not set`);
    return env[k];
  };
  return {
    url: need('SLIPWAY_USAGE_URL'),
    token: need('SLIPWAY_USAGE_TOKEN'),
    nodeId: env.SLIPWAY_NODE_ID || os.hostname(),
    hostname: env.SLIPWAY_NODE_HOSTNAME || os.hostname(),
    intervalMs: Math.max(200, Number(env.SLIPWAY_USAGE_INTERVAL_MS) || 5000),
    cgroupRoot: env.SLIPWAY_CGROUP_ROOT || '/host/cgroup',
  };
}

/** The loop: summary → intake → next wanted ids; a failed round is logged and retried next interval. */
function main(env = process.env) {
  const opts = options(env);
  let want = [];
  let stopped = false;
  const log = (fields) => process.stdout.write(Object.entries(fields).map(([k, v]) => `${k}=${/\s/.test(String(v)) ? JSON.stringify(String(v)) : v}`).join(' ') + '\n');
  log({ at: 'start', node: opts.nodeId, url: opts.url, interval_ms: opts.intervalMs });
  const round = async () => {
    try {
      want = await ship(opts, await summary(opts, want));
    } catch (err) {
      log({ at: 'ship_failed', error: err && err.message });
    }
    if (!stopped) timer = setTimeout(round, opts.intervalMs);
  };
  let timer = setTimeout(round, 0);
  const stop = () => { stopped = true; clearTimeout(timer); };
  process.once('SIGTERM', () => { stop(); process.exit(0); });
  return stop;
}

module.exports = { parseFlatKeyed, cgroupVersion, containerCgroups, readContainer, summary, options, main };
if (require.main === module) main();
