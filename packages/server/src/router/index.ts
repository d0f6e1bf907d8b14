/**
 * The routing mesh's door. In the API process: `createRouteFeed` (store + events → routing table)
 * and `createRouterSupervisor` (runs router/process-main as its own process). In the router
 * process: `createRouter` (the HTTP front) fed by `createFeedClient`, shipping lines through
 * `createLogShipper`. The internal endpoints live in api/routes/internal-router.ts.
 */
export { createRouter, DEFAULT_LIMITS } from './router.js';
export type { Router, RouterConfig, RouterDeps, RouterLimits } from './router.js';
export { createRouteFeed, CONCURRENCY_VAR } from './feed.js';
export type { RouteFeed, RouteFeedDeps } from './feed.js';
export { createRouterSupervisor, configEnv, ROUTER_NODE_FLAGS } from './supervisor.js';
export type { RouterSupervisor, RouterSupervisorDeps } from './supervisor.js';
export { createFeedClient, ROUTES_PATH } from './feed-client.js';
export { createLogShipper, LOGS_PATH } from './log-shipper.js';
export { runRouterProcess, internalApiUrl, ROUTER_PID_FILE } from './process-main.js';
export { ROUTER_CODES } from './codes.js';
export type { RouterCode } from './codes.js';
export type { RoutingTable, RouterApp, RouterDyno, RouterLogEntry, RouterMetric } from './types.js';
export { startInProcessRouter } from './in-process.js';
export type { InProcessRouterDeps } from './in-process.js';
export { createWakeClient, WAKE_PATH } from './wake-client.js';
