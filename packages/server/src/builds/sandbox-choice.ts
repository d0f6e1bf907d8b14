/**
 * Which build sandbox the platform uses (`SLIPWAY_BUILD_ISOLATION`): `auto` → runc when
 * `isRuncUsable()`, else the process sandbox with one log line saying why; `runc` → required (the
 * platform does not start without it); `none` → the process sandbox.
 */
import path from 'node:path';
import { ConfigError, type Config } from '../config.js';
import { DEFAULT_INSTANCE, isRuncUsable, type RuncUsability } from '../isolation/index.js';
import type { Logger } from '../log/index.js';
import { buildLimits, createRuncBuildSandbox, sweepBuildRuns } from './runc-sandbox.js';
import { createBuildNetwork } from './runc-sandbox-network.js';
import { createProcessSandbox, type BuildSandbox } from './sandbox.js';

export type SandboxDecision = { kind: 'runc' } | { kind: 'process'; reason: string | null } | { kind: 'refuse'; message: string };

/** Pure: the sandbox for a setting and what the host can do (not probed for `none`). */
export function decideBuildSandbox(setting: Config['buildIsolation'], usability: RuncUsability | undefined): SandboxDecision {
  if (setting === 'none') return { kind: 'process', reason: null };
  if (usability?.usable) return { kind: 'runc' };
  const why = usability && !usability.usable ? usability.reason : 'runc was not probed';
  if (setting === 'runc') return { kind: 'refuse', message: `isolated builds were asked for but runc is not usable: ${why}` };
  return { kind: 'process', reason: why };
}

/** Where the runc sandbox keeps its steps' state and bundles. */
export function buildRunDir(dataDir: string): string {
  return path.join(dataDir, 'runc', 'builds');
}

export async function chooseBuildSandbox(deps: {
  config: Config;
  logger: Logger;
  probe?: () => Promise<RuncUsability>;
}): Promise<BuildSandbox> {
  const { config, logger } = deps;
  const usability = config.buildIsolation === 'none' ? undefined : await (deps.probe ?? isRuncUsable)();
  const decision = decideBuildSandbox(config.buildIsolation, usability);
  if (decision.kind === 'refuse') throw new ConfigError('SLIPWAY_BUILD_ISOLATION', decision.message);
  if (decision.kind === 'process') {
    if (decision.reason) logger.warn('build.sandbox', { sandbox: 'process', reason: `runc builds unavailable: ${decision.reason}` });
    else logger.info('build.sandbox', { sandbox: 'process', reason: 'SLIPWAY_BUILD_ISOLATION=none' });
    return createProcessSandbox({ logger });
  }
  const runDir = buildRunDir(config.dataDir);
  await sweepBuildRuns(runDir, logger);
  logger.info('build.sandbox', { sandbox: 'runc', memory_mb: config.buildMemoryMb });
  const instance = config.instanceId !== '' ? config.instanceId : DEFAULT_INSTANCE;
  const network = createBuildNetwork({
    bridge: config.runcBridge, subnet: config.runcSubnet, instance, outboundBlock: config.dynoOutboundBlock, logger,
  });
  return createRuncBuildSandbox({
    logger, runDir, dataDir: config.dataDir, limits: buildLimits(config.buildMemoryMb), network, idPrefix: `slipway-run-${instance}`,
  });
}
