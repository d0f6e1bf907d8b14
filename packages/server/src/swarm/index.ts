/**
 * Swarm plumbing for the `swarm` runtime driver: the registry nodes pull from and the release
 * images in it. The driver itself lives beside the runc driver (src/dynos/swarm-driver*.ts).
 */
export { startSwarmRegistry, registryAnswers, type SwarmRegistry, type SwarmRegistryOptions } from './registry.js';
export { createReleaseImages, type ReleaseImages, type ReleaseImagesOptions } from './images.js';
export { SWARM_DYNO_USER } from './stack-image.js';
export { createDockerClient, dockerOptions, probeSwarm, type DockerClientConfig, type SwarmStatus } from './docker-client.js';
// --- nodes, usage and draining (issue 16, i16m)
export { createUsageIntake, agentServiceSpec, nodeAgentSource, AGENT_SERVICE_NAME, AGENT_INTERVAL_MS } from './usage-intake.js';
export type { UsageIntake, UsageIntakeOptions, NodeUsage } from './usage-intake.js';
export { createSwarmNodes } from './nodes.js';
export type { SwarmNodes, SwarmNodesDeps } from './nodes.js';
export type { NodeView } from './nodes-view.js';
export { startSwarmReleaseParts, type SwarmReleaseParts } from './release-parts.js';
