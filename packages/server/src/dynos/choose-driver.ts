/**
 * Chooses the runtime driver by name (Dokku's "scheduler chosen by name"): `runc` when asked for or,
 * with `auto`, when this host can run it (Linux, root, runc, conmon, cgroups); else `process`,
 * with one log line saying why. Asking for `runc` on a host that cannot run it stops the boot.
 */
import type { Config } from '../config.js';
import { SlipwayError } from '../errors.js';
import { isRuncUsable, type RuncUsability } from '../isolation/index.js';
import type { Logger } from '../log/index.js';
import type { RuntimeDriver } from './driver.js';
import { createProcessDriver } from './process-driver.js';
import { createRuncDriver } from './runc-driver.js';

export type RuntimeDecision = { driver: 'runc' | 'process'; reason?: string } | { error: string };

/** Pure: which driver for the configured runtime and what the host can do. */
export function decideRuntime(runtime: Config['runtime'], usability: RuncUsability): RuntimeDecision {
  if (runtime === 'process') return { driver: 'process' };
  if (runtime === 'swarm') return { error: 'SLIPWAY_RUNTIME=swarm: the Docker Swarm driver is not available in this version' };
  if (usability.usable) return { driver: 'runc' };
  if (runtime === 'runc') return { error: `SLIPWAY_RUNTIME=runc but runc cannot be used here: ${usability.reason}` };
  return { driver: 'process', reason: usability.reason };
}

export async function chooseRuntimeDriver(deps: { config: Config; logger: Logger }): Promise<RuntimeDriver> {
  const { config, logger } = deps;
  const usability: RuncUsability = config.runtime === 'process' ? { usable: false, reason: 'not probed' } : await isRuncUsable();
  const decision = decideRuntime(config.runtime, usability);
  if ('error' in decision) throw new SlipwayError('unavailable', decision.error);
  if (decision.driver === 'runc') {
    logger.info('runtime.chosen', { runtime: 'runc' });
    return createRuncDriver({ config, logger, dataDir: config.dataDir });
  }
  if (decision.reason) logger.warn('runtime.fallback', { runtime: 'process', reason: `runc is not usable: ${decision.reason}` });
  else logger.info('runtime.chosen', { runtime: 'process' });
  return createProcessDriver({ dataDir: config.dataDir });
}
