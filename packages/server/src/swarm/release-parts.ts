/**
 * What the swarm runtime needs before its driver starts (main.ts calls this once, under
 * SLIPWAY_RUNTIME=swarm): the registry every node pulls from (Slipway's own docker-registry on the
 * advertise address, or the operator's SLIPWAY_SWARM_REGISTRY) and the release images in it.
 */
import type { Config } from '../config.js';
import type { Logger } from '../log/index.js';
import { createDockerClient } from './docker-client.js';
import { createReleaseImages, type ReleaseImages } from './images.js';
import { startSwarmRegistry, type SwarmRegistry } from './registry.js';

export interface SwarmReleaseParts {
  registry: SwarmRegistry;
  images: ReleaseImages;
  close(): Promise<void>;
}

export async function startSwarmReleaseParts(config: Config, logger: Logger): Promise<SwarmReleaseParts> {
  if (!config.swarmRegistry && !config.swarmAdvertiseAddr) {
    throw new Error('SLIPWAY_SWARM_ADVERTISE_ADDR is required with SLIPWAY_RUNTIME=swarm (the address the nodes reach the control plane and its registry on), or SLIPWAY_SWARM_REGISTRY');
  }
  const registry = await startSwarmRegistry({
    external: config.swarmRegistry || undefined, listenHost: config.swarmAdvertiseAddr, port: config.swarmRegistryPort,
    dataDir: config.dataDir, logger: logger.child({ part: 'swarm-registry' }),
  });
  const images = createReleaseImages({ docker: createDockerClient(config), registry: registry.address, dataDir: config.dataDir, logger: logger.child({ part: 'swarm-images' }) });
  return { registry, images, close: () => registry.close() };
}
