/**
 * The swarm room's door: Swarm plumbing the `swarm` runtime driver and the API use.
 */
// --- nodes, usage and draining (issue 16, i16m)
export { createUsageIntake, agentServiceSpec, nodeAgentSource, AGENT_SERVICE_NAME, AGENT_INTERVAL_MS } from './usage-intake.js';
export type { UsageIntake, UsageIntakeOptions, NodeUsage } from './usage-intake.js';
export { createSwarmNodes } from './nodes.js';
export type { SwarmNodes, SwarmNodesDeps } from './nodes.js';
export type { NodeView } from './nodes-view.js';
