/**
 * The Swarm service of one dyno (pure): what `createSwarmDriver` sends to the manager's
 * `POST /services/create`. One service per dyno, replicas 1, restart condition `none` (the dyno
 * manager decides restarts, backoff and cycling as with runc), `dnsrr` endpoints (no IPVS here, no
 * routing mesh), web dynos publish their `$PORT` in `host` mode on their node (Docker picks a free
 * node port, read back from the task's `Status.PortStatus`), the app's overlay network with the
 * `<dyno>.<app>.internal` alias, size → limits and reservations, Heroku's env, labels that let a
 * restarted control plane find every dyno again.
 */
import { randomBytes } from 'node:crypto';
import type { DynoSpec } from './driver.js';

/** The port web dynos bind inside their container (each container has its own network namespace). */
export const SWARM_DYNO_PORT = 5000;

export const LABEL = {
  appId: 'slipway.app-id',
  app: 'slipway.app',
  dyno: 'slipway.dyno',
  type: 'slipway.type',
  release: 'slipway.release',
  dynoKey: 'slipway.dyno-key',
} as const;

/**
 * PID 1 of the dyno's container: sources `.profile.d/*.sh` and `.profile`, runs the command (`$1`,
 * never interpolated) as its child, and on SIGTERM (what Swarm sends at a stop) passes it to every
 * process of the container (`kill -TERM -1`: PID 1 of a pid namespace signals all others), then
 * exits with the command's status once every other process is gone. The runc driver's init
 * (runc-driver-bundle.ts) relies on `runc kill --all` for the fan-out; Swarm has no such call.
 */
export const SWARM_DYNO_INIT =
  'for f in "$HOME"/.profile.d/*.sh; do [ -r "$f" ] && . "$f"; done; ' +
  '[ -r "$HOME/.profile" ] && . "$HOME/.profile"; ' +
  'exec 3<&0; /bin/sh -c "$1" <&3 3<&- & p=$!; exec 3<&-; ' +
  "trap 't=1; kill -TERM -1 2>/dev/null' TERM; trap 'kill -INT $p 2>/dev/null' INT; " +
  'while :; do wait $p; s=$?; kill -0 $p 2>/dev/null || break; done; ' +
  'while [ -n "$t" ]; do t=; for d in /proc/[0-9]*; do [ "$d" = /proc/1 ] && continue; ' +
  'l=; read -r l < "$d/stat" 2>/dev/null || continue; case "$l" in *") Z "*) ;; *) t=1 ;; esac; done; ' +
  '[ -n "$t" ] && sleep 0.1; done; exit $s';

/** `slw-<appId first 8>-<type>-<n>-<nonce>`: DNS-safe, ≤ 63 characters, unique per start. */
export function serviceName(spec: Pick<DynoSpec, 'appId' | 'name'>, nonce = randomBytes(3).toString('hex')): string {
  const app = spec.appId.toLowerCase().replace(/[^a-z0-9]/g, '').slice(0, 8) || 'app';
  const dyno = spec.name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40);
  return `slw-${app}-${dyno}-${nonce}`.slice(0, 63);
}

/** `slw-app-<appId first 8>`: the app's attachable overlay network. */
export function appNetworkName(appId: string): string {
  return `slw-app-${appId.toLowerCase().replace(/[^a-z0-9]/g, '').slice(0, 8) || 'app'}`;
}

export function internalAlias(spec: Pick<DynoSpec, 'name' | 'appName'>): string {
  return `${spec.name}.${spec.appName}.internal`;
}

export interface ServiceInput {
  spec: DynoSpec;
  name: string;
  dynoKey: string;
  image: string;
  networkId: string;
  stopGraceMs: number;
  /** Attached one-offs: where the attach relay dials back, its secret and its source (swarm-driver-attach.ts). */
  attach?: { addr: string; secret: string; relaySource: string };
}

/** An attached one-off's command: the attach relay, which runs the user's command itself. */
export const SWARM_ATTACH_COMMAND = 'exec node -e "$SLIPWAY_ATTACH_RELAY"';

function attachEnv(spec: DynoSpec, a: NonNullable<ServiceInput['attach']>): string[] {
  return [
    `SLIPWAY_ATTACH_RELAY=${a.relaySource}\nmodule.exports.main();`,
    `SLIPWAY_ATTACH_ADDR=${a.addr}`,
    `SLIPWAY_ATTACH_SECRET=${a.secret}`,
    `SLIPWAY_ATTACH_COMMAND=${spec.command}`,
    `SLIPWAY_ATTACH_TTY=${spec.tty ? '1' : '0'}`,
  ];
}

export function dynoLabels(spec: DynoSpec, dynoKey: string): Record<string, string> {
  return {
    [LABEL.appId]: spec.appId,
    [LABEL.app]: spec.appName,
    [LABEL.dyno]: spec.name,
    [LABEL.type]: spec.type,
    [LABEL.release]: String(spec.releaseVersion),
    [LABEL.dynoKey]: dynoKey,
  };
}

export function dynoServiceEnv(spec: DynoSpec): string[] {
  const env: Record<string, string> = { PATH: '/app/bin:/usr/local/bin:/usr/bin:/bin', ...spec.env, HOME: '/app', DYNO: spec.name };
  if (spec.needsPort) env.PORT = String(SWARM_DYNO_PORT);
  else delete env.PORT;
  return Object.entries(env).map(([k, v]) => `${k}=${v}`);
}

/** Options for dockerode's `createService` (Docker Engine API 1.41 `ServiceSpec`). */
export function dynoServiceSpec(input: ServiceInput): Record<string, unknown> {
  const { spec } = input;
  const labels = dynoLabels(spec, input.dynoKey);
  const quota = spec.size.memoryMb * 1024 * 1024;
  return {
    Name: input.name,
    Labels: labels,
    TaskTemplate: {
      ContainerSpec: {
        Image: input.image,
        Labels: labels,
        Command: ['/bin/sh', '-c', SWARM_DYNO_INIT, 'dyno', input.attach ? SWARM_ATTACH_COMMAND : spec.command],
        Env: input.attach ? [...dynoServiceEnv(spec), ...attachEnv(spec, input.attach)] : dynoServiceEnv(spec),
        Dir: '/app',
        Hostname: spec.name,
        // Attached one-offs carry their stdio through the attach relay (and its pty), not Docker's.
        TTY: false,
        OpenStdin: false,
        StopSignal: 'SIGTERM',
        StopGracePeriod: input.stopGraceMs * 1_000_000,
      },
      Resources: {
        // Memory: hard limit at twice the quota (R15 at 2×, as under runc); the quota is reserved
        // so the scheduler places by memory. CPU: a limit of cpuShares/1024 CPUs, no reservation
        // (dynos share CPU as Heroku's standard dynos do).
        Limits: { MemoryBytes: 2 * quota, NanoCPUs: Math.round((spec.size.cpuShares / 1024) * 1e9), Pids: spec.size.pids },
        Reservations: { MemoryBytes: quota },
      },
      RestartPolicy: { Condition: 'none' },
      Networks: [{ Target: input.networkId, Aliases: [internalAlias(spec)] }],
    },
    Mode: { Replicated: { Replicas: 1 } },
    EndpointSpec: {
      Mode: 'dnsrr',
      Ports: spec.needsPort ? [{ Protocol: 'tcp', TargetPort: SWARM_DYNO_PORT, PublishMode: 'host' }] : [],
    },
  };
}
