/**
 * The usage intake: the control plane's listener for the node agents' summaries (design rule
 * "aggregate at the source"). Every node runs the agent (swarm-agent/node-agent.cjs) as one task of
 * a global service; each interval it POSTs one summary of its node and of the dynos' containers on
 * it, and the answer tells it which container ids the control plane wants next (the ids the swarm
 * driver asked `usageFor` about lately: the control plane's own task → container map, so the agent
 * needs no Docker socket and reads only Slipway dynos' cgroups).
 *
 * `POST /usage` with `Authorization: Bearer <token>`: the token is generated here (or given) and
 * passed to the agent in its service spec.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type Dockerode from 'dockerode';
import type { DynoUsage } from '../dynos/index.js';
import type { Logger } from '../log/index.js';
import { parseSummary, type NodeSummary } from './usage-summary.js';
import { swarmAgentSource } from './agent-source.js';

/** How often agents report (the dyno manager samples usage every 5 s). */
export const AGENT_INTERVAL_MS = 5000;
/** A sample older than this many intervals is stale (its node stopped reporting): usage unknown. */
const STALE_INTERVALS = 3;
/** A container id not asked about for this long is no longer wanted. */
const WANT_TTL_MS = 5 * 60_000;
const MAX_BODY = 1 << 20;
export const AGENT_SERVICE_NAME = 'slipway-node-agent';

export interface UsageIntakeOptions {
  listenHost: string;
  port: number;
  logger: Logger;
  /** Shared secret of the agents; generated when absent. */
  token?: string;
  intervalMs?: number;
  clock?: () => number;
}

/** What the nodes listing shows of one node, from its agent's last summary. */
export interface NodeUsage {
  nodeId: string;
  hostname: string;
  cpus: number;
  memoryTotalBytes: number;
  memoryAvailableBytes: number;
  load1: number;
  seenAtMs: number;
  /** Sum over the wanted dynos' containers on it: memory in use and CPU cores busy (between the last two summaries). */
  dynoMemoryBytes: number;
  dynoCpuCores: number;
  containers: string[];
}

export interface UsageIntake {
  readonly address: { host: string; port: number };
  readonly token: string;
  /** The container's usage from its node's agent; undefined until its first summary or when stale. Marks the id wanted. */
  usageFor(containerId: string): DynoUsage | undefined;
  /** Nodes that reported within the staleness window. */
  nodes(): NodeUsage[];
  /** dockerode `createService` options of the global agent service. */
  agentServiceSpec(image: string): Dockerode.CreateServiceOptions;
  close(): Promise<void>;
}

interface Sample { usage: DynoUsage; atMs: number; nodeId: string; cpuCores: number }

export async function createUsageIntake(opts: UsageIntakeOptions): Promise<UsageIntake> {
  const { logger } = opts;
  const now = opts.clock ?? Date.now;
  const intervalMs = opts.intervalMs ?? AGENT_INTERVAL_MS;
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const expected = Buffer.from(`Bearer ${token}`);
  const samples = new Map<string, Sample>();
  const wanted = new Map<string, number>();
  const nodeSummaries = new Map<string, { summary: NodeSummary; atMs: number }>();
  const stale = (atMs: number) => now() - atMs > STALE_INTERVALS * intervalMs;

  const accept = (s: NodeSummary) => {
    const at = now();
    nodeSummaries.set(s.node.id, { summary: s, atMs: at });
    for (const c of s.containers) {
      const prev = samples.get(c.id);
      const { id, ...usage } = c;
      const dt = prev ? (at - prev.atMs) * 1000 : 0;
      const cpuCores = prev && dt > 0 && usage.cpuMicros >= prev.usage.cpuMicros ? (usage.cpuMicros - prev.usage.cpuMicros) / dt : prev?.cpuCores ?? 0;
      samples.set(id, { usage, atMs: at, nodeId: s.node.id, cpuCores });
    }
    for (const [id, t] of wanted) if (at - t > WANT_TTL_MS) wanted.delete(id);
    for (const [id, sm] of samples) if (!wanted.has(id) && at - sm.atMs > WANT_TTL_MS) samples.delete(id);
  };

  const server = http.createServer((req, res) => {
    const answer = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'POST' || req.url !== '/usage') return answer(404, { id: 'not_found', message: 'The usage intake answers POST /usage only.' });
    const auth = Buffer.from(req.headers.authorization ?? '');
    if (auth.length !== expected.length || !timingSafeEqual(auth, expected)) {
      return answer(401, { id: 'unauthorized', message: 'Invalid credentials provided.' });
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        answer(413, { id: 'payload_too_large', message: 'A usage summary is at most 1 MB.' });
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => {
      if (res.headersSent) return;
      let parsed: NodeSummary;
      try {
        parsed = parseSummary(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch (err) {
        return answer(400, { id: 'invalid_params', message: `Bad usage summary: ${(err as Error).message}` });
      }
      accept(parsed);
      answer(200, { want: [...wanted.keys()] });
    });
    req.on('error', () => res.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.listenHost, () => resolve());
  });
  const bound = server.address() as AddressInfo;
  const address = { host: opts.listenHost, port: bound.port };
  logger.info('usage_intake.listening', { host: address.host, port: address.port });

  return {
    address,
    token,
    usageFor(containerId) {
      wanted.set(containerId, now());
      const s = samples.get(containerId);
      return s && !stale(s.atMs) ? { ...s.usage } : undefined;
    },
    nodes() {
      const out: NodeUsage[] = [];
      for (const { summary, atMs } of nodeSummaries.values()) {
        if (stale(atMs)) continue;
        const mine = summary.containers.map((c) => samples.get(c.id)).filter((s): s is Sample => !!s && s.nodeId === summary.node.id);
        out.push({
          nodeId: summary.node.id, hostname: summary.node.hostname, cpus: summary.node.cpus,
          memoryTotalBytes: summary.node.memoryTotalBytes, memoryAvailableBytes: summary.node.memoryAvailableBytes,
          load1: summary.node.load1, seenAtMs: atMs,
          dynoMemoryBytes: mine.reduce((a, s) => a + s.usage.memoryBytes, 0),
          dynoCpuCores: mine.reduce((a, s) => a + s.cpuCores, 0),
          containers: summary.containers.map((c) => c.id),
        });
      }
      return out;
    },
    agentServiceSpec(image) {
      return agentServiceSpec({ image, url: `http://${hostForUrl(address.host)}:${address.port}/usage`, token, intervalMs });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const hostForUrl = (h: string) => (h.includes(':') ? `[${h}]` : h);

/** The agent's source (packages/server/swarm-agent/node-agent.cjs). */
export const nodeAgentSource = (): string => swarmAgentSource('node-agent.cjs');

/**
 * The global service: one agent task per node, on the node's host network (it reaches the control
 * plane's advertise address directly, as the nodes themselves do), the host's cgroup tree read-only,
 * small limits, restarted by Swarm whenever it ends.
 */
export function agentServiceSpec(o: { image: string; url: string; token: string; intervalMs: number }): Dockerode.CreateServiceOptions {
  const labels = { 'slipway.role': 'node-agent' };
  return {
    Name: AGENT_SERVICE_NAME,
    Labels: labels,
    TaskTemplate: {
      ContainerSpec: {
        Image: o.image,
        Labels: labels,
        Command: ['node', '-e', `${nodeAgentSource()}\nmodule.exports.main();`],
        Env: [
          `SLIPWAY_USAGE_URL=${o.url}`,
          `SLIPWAY_USAGE_TOKEN=${o.token}`,
          `SLIPWAY_USAGE_INTERVAL_MS=${o.intervalMs}`,
          'SLIPWAY_NODE_ID={{.Node.ID}}',
          'SLIPWAY_NODE_HOSTNAME={{.Node.Hostname}}',
          'SLIPWAY_CGROUP_ROOT=/host/cgroup',
        ],
        Mounts: [{ Type: 'bind', Source: '/sys/fs/cgroup', Target: '/host/cgroup', ReadOnly: true }],
        StopGracePeriod: 2e9,
      },
      Networks: [{ Target: 'host' }],
      Resources: { Limits: { MemoryBytes: 64 * 1024 * 1024, NanoCPUs: 200_000_000 } },
      RestartPolicy: { Condition: 'any', Delay: 5e9 },
    },
    Mode: { Global: {} },
    EndpointSpec: { Mode: 'dnsrr' },
  };
}
