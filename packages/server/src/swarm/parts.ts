/**
 * What the control plane runs for `SLIPWAY_RUNTIME=swarm` before the swarm driver: the Docker
 * client of the manager (DOCKER_HOST), the registry every node pulls from (supervised
 * `docker-registry` on the advertise address, or the operator's SLIPWAY_SWARM_REGISTRY), the
 * release images in it, the usage intake on the advertise address and the node agents' global
 * service pointed at it (created, or updated with this boot's token). main.ts starts this once and
 * hands `images` and `usage` to the driver, `docker` and `usage` to the nodes part.
 */
import type Docker from 'dockerode';
import type { Config } from '../config.js';
import { SlipwayError } from '../errors.js';
import type { Logger } from '../log/index.js';
import { createDockerClient, probeSwarm } from './docker-client.js';
import { createReleaseImages, type ReleaseImages } from './images.js';
import { startSwarmRegistry } from './registry.js';
import { AGENT_SERVICE_NAME, createUsageIntake, type UsageIntake } from './usage-intake.js';

export interface SwarmParts {
  docker: Docker;
  images: ReleaseImages;
  usage: UsageIntake;
  close(): Promise<void>;
}

type PartsConfig = Pick<Config, 'dockerHost' | 'dockerTlsVerify' | 'dockerCertPath' | 'swarmAdvertiseAddr' | 'swarmRegistry' | 'swarmRegistryPort' | 'swarmUsagePort' | 'dataDir'>;

export async function startSwarmParts(opts: { config: PartsConfig; logger: Logger }): Promise<SwarmParts> {
  const { config, logger } = opts;
  if (!config.swarmAdvertiseAddr) {
    throw new SlipwayError('unavailable', 'SLIPWAY_RUNTIME=swarm needs SLIPWAY_SWARM_ADVERTISE_ADDR: the address the nodes reach this control plane at (registry, usage intake)');
  }
  const docker = createDockerClient(config);
  const status = await probeSwarm(docker, config.dockerHost || 'unix:///var/run/docker.sock');
  if (!status.ok) throw new SlipwayError('unavailable', `SLIPWAY_RUNTIME=swarm: ${status.detail} (fix: ${status.fix})`);
  const registry = await startSwarmRegistry({
    external: config.swarmRegistry || undefined, listenHost: config.swarmAdvertiseAddr, port: config.swarmRegistryPort,
    dataDir: config.dataDir, logger: logger.child({ part: 'swarm-registry' }),
  });
  try {
    const images = createReleaseImages({ docker, registry: registry.address, dataDir: config.dataDir, logger: logger.child({ part: 'swarm-images' }) });
    const usage = await createUsageIntake({ listenHost: config.swarmAdvertiseAddr, port: config.swarmUsagePort, logger: logger.child({ part: 'usage-intake' }) });
    try {
      await deployAgent(docker, usage.agentServiceSpec(await images.stackImage()) as Record<string, unknown>);
    } catch (err) {
      await usage.close();
      throw err;
    }
    logger.info('swarm.parts_started', { registry: registry.address, usage: `${usage.address.host}:${usage.address.port}` });
    return {
      docker, images, usage,
      async close() {
        await usage.close();
        await registry.close();
      },
    };
  } catch (err) {
    await registry.close();
    throw err;
  }
}

/** Creates the node agents' global service, or updates it (a new boot has a new token). */
async function deployAgent(docker: Docker, spec: Record<string, unknown>): Promise<void> {
  const existing = (await docker.listServices({ filters: { name: [AGENT_SERVICE_NAME] } })).find((s) => s.Spec?.Name === AGENT_SERVICE_NAME);
  if (!existing) {
    await docker.createService(spec as Docker.CreateServiceOptions);
    return;
  }
  await docker.getService(existing.ID).update({ ...spec, version: existing.Version?.Index });
}
