/**
 * The router inside the API process (SLIPWAY_ROUTER_PROCESS=false, or tests that want one process):
 * the same router, fed directly by the route feed, logging straight to logplex.
 */
import type { Logger } from '../log/index.js';
import type { RouterMetricsRecorder } from '../metrics/index.js';
import type { LogSink } from '../logplex/types.js';
import type { RouteFeed } from './feed.js';
import { createRouter, type RouterConfig, type RouterLimits } from './router.js';
import type { RouterMetric } from './types.js';

export interface InProcessRouterDeps {
  config: RouterConfig & { routerPort: number; listenHost: string };
  logger: Logger;
  feed: Pick<RouteFeed, 'snapshot' | 'subscribe'>;
  logs: LogSink;
  onMetric?: (metric: RouterMetric) => void;
  /** An app scaled to zero got a request (the waker, called directly). */
  onWake?: (appId: string) => void;
  metrics?: RouterMetricsRecorder;
  limits?: Partial<RouterLimits>;
}

export async function startInProcessRouter(deps: InProcessRouterDeps): Promise<{ name: 'router'; port: number; stop(): Promise<void> }> {
  const router = createRouter({
    config: deps.config, logger: deps.logger, limits: deps.limits, onMetric: deps.onMetric, onWake: deps.onWake, metrics: deps.metrics,
    onLog: (entry) => deps.logs.publish(entry.appId, { ...entry.line, time: entry.line.time ? new Date(entry.line.time) : undefined }),
  });
  router.setTable(deps.feed.snapshot());
  const unsubscribe = deps.feed.subscribe((table) => router.setTable(table));
  try {
    const { port } = await router.listen(deps.config.routerPort, deps.config.listenHost);
    return {
      name: 'router',
      port,
      async stop() {
        unsubscribe();
        await router.close(5_000);
      },
    };
  } catch (err) {
    unsubscribe();
    await router.close();
    throw err;
  }
}
