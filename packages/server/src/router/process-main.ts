/**
 * The router process: `node process-main.js` (started and supervised by main.ts through
 * supervisor.ts). Reads its settings with loadConfig (the parent passes SLIPWAY_INTERNAL_TOKEN,
 * SLIPWAY_API_PORT, SLIPWAY_ROUTER_PORT… in the env), follows the route feed, ships log lines and
 * metrics back, and keeps serving with its last table while the API is away. Tells a parent that
 * has an IPC channel `{ type: 'listening', port }`; SIGTERM/SIGINT drain in-flight requests.
 *
 * The internal token can change under a running router: a platform process that adopts it (after
 * the API restarted) may have a new one. The supervisor writes the current token to
 * `<data>/router.token` (0600) and the router re-reads that file (at most once a second), so an
 * adopted router keeps following the feed and shipping its lines instead of being refused forever.
 */
import { writeFileSync, readFileSync, rmSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, ConfigError, type Config } from '../config.js';
import { createLogger, type Logger } from '../log/index.js';
import { createRouterAggregator } from '../metrics/index.js';
import { createFeedClient } from './feed-client.js';
import { createLogShipper } from './log-shipper.js';
import { createRouter } from './router.js';
import { createWakeClient } from './wake-client.js';

export const ROUTER_PID_FILE = 'router.pid';
export const ROUTER_TOKEN_FILE = 'router.token';
const TOKEN_REREAD_MS = 1_000;
/** How long a starting router waits for its first table before it listens anyway. */
const FIRST_TABLE_WAIT_MS = 10_000;
const DRAIN_GRACE_MS = 10_000;

/** Where the router process reaches the API: loopback unless the API listens on one address. */
export function internalApiUrl(config: Pick<Config, 'apiPort' | 'listenHost'>): string {
  const host = ['0.0.0.0', '::', ''].includes(config.listenHost) ? '127.0.0.1' : config.listenHost;
  return `http://${host.includes(':') ? `[${host}]` : host}:${config.apiPort}`;
}

/** The internal token: `<data>/router.token` when it holds one (re-read at most every second), else the configured one. */
export function internalTokenSource(config: Pick<Config, 'dataDir' | 'internalToken'>, now: () => number = Date.now): () => string {
  const file = path.join(config.dataDir, ROUTER_TOKEN_FILE);
  let current = config.internalToken;
  let readAt = -Infinity;
  return () => {
    if (now() - readAt < TOKEN_REREAD_MS) return current;
    readAt = now();
    try {
      const fromFile = readFileSync(file, 'utf8').trim();
      if (fromFile.length >= 16) current = fromFile;
    } catch {
      // no file (an older supervisor, or a router started by hand): keep the configured token
    }
    return current;
  };
}

export interface RunningRouter {
  port: number;
  stop(): Promise<void>;
}

export async function runRouterProcess(config: Config, logger: Logger): Promise<RunningRouter> {
  if (config.internalToken === '') throw new ConfigError('SLIPWAY_INTERNAL_TOKEN', 'the router process needs the internal token');
  const apiUrl = internalApiUrl(config);
  const token = internalTokenSource(config);
  const shipper = createLogShipper({ apiUrl, token, logger });
  // Metrics leave the router as one summary per app per 10 s, never one record per request.
  const metrics = config.routerMetrics
    ? createRouterAggregator({ intervalMs: config.metricsIntervalMs, onSummary: (summary) => shipper.push({ type: 'router-summary', ...summary }) })
    : undefined;
  const router = createRouter({
    config, logger, metrics,
    onLog: (entry) => shipper.push({ type: 'log', ...entry }),
    onWake: createWakeClient({ apiUrl, token, logger }),
  });
  let gotTable: () => void = () => {};
  const firstTable = new Promise<void>((resolve) => (gotTable = resolve));
  const feed = createFeedClient({ apiUrl, token, logger, onTable: (t) => {
    router.setTable(t);
    gotTable();
  } });
  metrics?.start();
  shipper.start();
  feed.start();
  // Listen once the first table is in: before it, every host would get the "no such app" 404.
  let waited: NodeJS.Timeout | undefined;
  await Promise.race([firstTable, new Promise<void>((resolve) => (waited = setTimeout(resolve, FIRST_TABLE_WAIT_MS)))]);
  clearTimeout(waited);
  const { port } = await router.listen(config.routerPort, config.listenHost);
  const pidFile = path.join(config.dataDir, ROUTER_PID_FILE);
  try {
    mkdirSync(config.dataDir, { recursive: true });
    writeFileSync(pidFile, `${process.pid}\n`);
  } catch (err) {
    logger.warn('router.pid_file_failed', { error: String(err) });
  }
  logger.info('router.listening', { port, host: config.listenHost, api: apiUrl });
  return {
    port,
    async stop() {
      feed.stop();
      await router.close(DRAIN_GRACE_MS);
      metrics?.stop();
      await shipper.stop();
      rmSync(pidFile, { force: true });
    },
  };
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`slipway-router: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger({ level: config.logLevel, base: { component: 'router' } });
  const running = await runRouterProcess(config, logger);
  process.send?.({ type: 'listening', port: running.port });
  // The router outlives its parent (an API restart must not drop traffic): losing the IPC channel
  // is not a reason to stop.
  process.on('disconnect', () => logger.info('router.parent_gone'));
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('router.stopping', { signal });
    running.stop().then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  main().catch((err) => {
    process.stderr.write(`slipway-router: ${(err as Error)?.message ?? String(err)}\n`);
    process.exit(1);
  });
}
