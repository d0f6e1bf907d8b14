export { RouteTable } from './route-table.js';
export type { Ctx, Handler, Method, Reply, Route } from './route-table.js';
export { createApiHandler, sendReply, sendError, errorBody, MAX_JSON_BODY } from './server.js';
export { readBody } from './body.js';
export type { ApiServerDeps } from './server.js';
