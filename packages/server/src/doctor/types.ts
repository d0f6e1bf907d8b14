/** What `slipway doctor` checks with, and what each check says. */
import type { Config } from '../config.js';
import type { SwarmStatus } from '../swarm/index.js';

export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface CheckResult {
  /** Short, stable name: `runtime`, `runc`, `port api`… */
  name: string;
  status: CheckStatus;
  /** What was found (a version, a path, why it failed). */
  detail: string;
  /** How to fix a failure (or a warning): one line a user can act on. */
  fix?: string;
}

/** Everything the checks read from the host, injectable so each failure can be tested without breaking the host. */
export interface DoctorInput {
  config: Pick<Config, 'runtime' | 'dataDir' | 'databaseUrl' | 'apiPort' | 'routerPort' | 'rendezvousPort' | 'listenHost' | 'runcBridge' | 'domain'>;
  /** Executables, by role (default: the names on PATH). */
  binaries: { runc: string; conmon: string; iptables: string; ip: string; openssl: string; git: string };
  uid: number | undefined;
  platform: NodeJS.Platform;
  /** Read for the cgroup mode (default /proc/self/mountinfo). */
  mountinfoPath: string;
  now: Date;
  /** SLIPWAY_RUNTIME=swarm: is DOCKER_HOST a reachable Swarm manager (swarm/docker-client.ts). */
  swarmProbe?: () => Promise<SwarmStatus>;
}
