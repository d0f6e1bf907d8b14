/**
 * Chooses the runtime driver by name (Dokku's "scheduler chosen by name"): `runc` when asked for or,
 * with `auto`, when this host can run it (Linux, root, runc, conmon, cgroups); else `process`,
 * with one log line saying why and a short loud block on stdout (`announce`): a user must not miss
 * that dynos run without isolation. Asking for `runc` on a host that cannot run it stops the boot.
 */
import type Docker from 'dockerode';
import type { Config } from '../config.js';
import { SlipwayError } from '../errors.js';
import { isRuncUsable, type RuncUsability } from '../isolation/index.js';
import type { Logger } from '../log/index.js';
import type { RuntimeDriver } from './driver.js';
import { createProcessDriver } from './process-driver.js';
import { createRuncDriver } from './runc-driver.js';
import { createSwarmDriver, type ReleaseImageSource } from './swarm-driver.js';
// The leaf module, not swarm/index.js: swarm's usage intake reads dynos' types (no import cycle).
import { createDockerClient, probeSwarm } from '../swarm/docker-client.js';
import type { DynoUsage } from './driver.js';

export type RuntimeDecision = { driver: 'runc' | 'process' | 'swarm'; reason?: string } | { error: string };

/** Pure: which driver for the configured runtime and what the host can do. */
export function decideRuntime(runtime: Config['runtime'], usability: RuncUsability): RuntimeDecision {
  if (runtime === 'process') return { driver: 'process' };
  if (runtime === 'swarm') return { driver: 'swarm' };
  if (usability.usable) return { driver: 'runc' };
  if (runtime === 'runc') return { error: `SLIPWAY_RUNTIME=runc but runc cannot be used here: ${usability.reason}` };
  return { driver: 'process', reason: usability.reason };
}

/** Pure: the block `npm start` prints on stdout when dynos will not be isolated (undefined when they will). */
export function unisolatedNotice(decision: RuntimeDecision): string | undefined {
  if ('error' in decision || decision.driver !== 'process') return undefined;
  const why = decision.reason ? `runc is not usable here: ${decision.reason}` : 'SLIPWAY_RUNTIME=process';
  const fix = !decision.reason
    ? 'unset SLIPWAY_RUNTIME (or set it to runc) and restart'
    : /root/.test(decision.reason)
      ? 'start the platform as root (sudo npm start, or the systemd unit in contrib/)'
      : 'npm run setup (installs runc, conmon, iproute2, iptables… with apt as root), then restart';
  const bar = '!'.repeat(78);
  return [
    bar,
    '!! DYNOS ARE NOT ISOLATED: they run as plain processes of this host',
    '!! (no pid/mount/network namespaces, no ephemeral filesystem, no memory or CPU limits).',
    `!! Why: ${why}`,
    `!! Fix: ${fix}`,
    '!! Check: slipway doctor (one line per prerequisite, with a fix for each)',
    bar,
  ].join('\n');
}

/** What the swarm driver needs from the parts main.ts starts before it (swarm/). */
export interface SwarmDriverParts {
  /** The manager's client (swarm/parts.ts); default one made from DOCKER_HOST. */
  docker?: Docker;
  images: ReleaseImageSource;
  usageFor?: (containerId: string) => DynoUsage | undefined;
}

export async function chooseRuntimeDriver(deps: { config: Config; logger: Logger; announce?: (text: string) => void; swarm?: SwarmDriverParts }): Promise<RuntimeDriver> {
  const { config, logger } = deps;
  const usability: RuncUsability = config.runtime === 'process' ? { usable: false, reason: 'not probed' } : await isRuncUsable();
  const decision = decideRuntime(config.runtime, usability);
  if ('error' in decision) throw new SlipwayError('unavailable', decision.error);
  if (decision.driver === 'swarm') {
    const docker = deps.swarm?.docker ?? createDockerClient(config);
    const status = await probeSwarm(docker, config.dockerHost || 'unix:///var/run/docker.sock');
    if (!status.ok) throw new SlipwayError('unavailable', `SLIPWAY_RUNTIME=swarm: ${status.detail} (fix: ${status.fix})`);
    if (!deps.swarm) throw new SlipwayError('unavailable', 'SLIPWAY_RUNTIME=swarm: the release images part (swarm/images.ts) did not start, dynos would have no image');
    logger.info('runtime.chosen', { runtime: 'swarm', manager: status.detail });
    return createSwarmDriver({
      docker, images: deps.swarm.images, usageFor: deps.swarm.usageFor, logger, stopGraceMs: config.stopGraceMs,
      attachListen: { host: config.swarmAdvertiseAddr, port: config.swarmAttachPort },
    });
  }
  if (decision.driver === 'runc') {
    logger.info('runtime.chosen', { runtime: 'runc' });
    return createRuncDriver({ config, logger, dataDir: config.dataDir });
  }
  const notice = unisolatedNotice(decision);
  if (notice) deps.announce?.(notice);
  if (decision.reason) logger.warn('runtime.fallback', { runtime: 'process', reason: `runc is not usable: ${decision.reason}` });
  else logger.info('runtime.chosen', { runtime: 'process' });
  return createProcessDriver({ dataDir: config.dataDir });
}
