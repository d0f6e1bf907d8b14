/** `heroku-redis`: the provider, its plans and the data host's `redis:*` answers. */
export { createRedisProvider, redisDirs, freePortPair } from './redis-provider.js';
export type { RedisProvider, RedisProviderOptions, RedisState } from './redis-provider.js';
export { REDIS_SERVICE } from './plans.js';
export { systemUser, type RunAs } from './redis-servers.js';
