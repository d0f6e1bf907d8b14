/**
 * The composition root (logplex style: the supervision tree is the architecture).
 *
 * `startPlatform` is the one list of the platform's long-lived parts, in start order; each part is
 * stopped in reverse order. Network listeners start last, so nothing is served before the parts it
 * needs are up. Only this file knows concrete classes.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AppRecord } from './store/types.js';
import { createApi } from './api/index.js';
import { logRoutes } from './api/routes/log-sessions.js';
import { createAppService } from './apps/index.js';
import { bootstrapAdmin, createAuth } from './auth/index.js';
import { chooseBuildSandbox, createBuilder } from './builds/index.js';
import { apiBaseUrl, loadConfig, ConfigError, type Config } from './config.js';
import { createDashboard } from './dashboard/index.js';
import { createEventBus } from './events/index.js';
import { createLogger, type Logger } from './log/index.js';
import { createLogplex } from './logplex/index.js';
import { createStore } from './store/index.js';
import { chooseRuntimeDriver, createDynoManager, createRendezvous, cycleDynoAndWait } from './dynos/index.js';
import Dockerode from 'dockerode';
import { nodeRoutes } from './api/routes/nodes.js';
import { createSwarmNodes, startSwarmReleaseParts } from './swarm/index.js';
import { ensureCertificate, gitTrustCommand } from './api/tls/index.js';
import { deployRoutes } from './api/routes/deploys.js';
import { monitorRoutes } from './api/routes/monitors.js';
import { repoConnectionRoutes } from './api/routes/repo-connections.js';
import { createAutoDeploy } from './auto-deploy/index.js';
import { reviewAppRoutes } from './api/routes/review-apps.js';
import { createReviewApps } from './review-apps/index.js';
import { createAutoscaler, createMonitorService, createWaker, metricsSignals } from './autoscale/index.js';
import { internalWakeRoutes } from './api/routes/internal-wake.js';
import { dynoRoutes } from './api/routes/dynos.js';
import { gatewayIp, loadInstanceId, parseCidr, removeOwner, writeOwner } from './isolation/index.js';
import { createRouteFeed, createRouterSupervisor, startInProcessRouter } from './router/index.js';
import { internalRouterRoutes } from './api/routes/internal-router.js';
import { createMetrics, createPrometheusExposition, createRecentLogReader, createRecentRouterReader, createRouterAggregator, recordPlatformEvents } from './metrics/index.js';
import { metricsRoutes } from './api/routes/metrics.js';
import { pipelineRoutes } from './api/routes/pipelines.js';
import { appSetupRoutes } from './api/routes/app-setups.js';
import { createAppSetupService } from './app-setups/index.js';
import { createPipelineService } from './pipelines/index.js';
import { createAddonService, createProviderRegistry } from './addons/index.js';
import { addonRoutes } from './api/routes/addons.js';
import { dataPostgresRoutes, signedBackupUrl } from './api/routes/data-postgres.js';
import { startPostgresAddons } from './addons/postgres-boot.js';
import { createScheduler, createSchedulerJobs, createSchedulerProvider, scaledClock } from './scheduler/index.js';
import { schedulerJobRoutes } from './api/routes/scheduler-jobs.js';
import { createRedisProvider, systemUser } from './addons/redis/index.js';
import { redisDataRoutes } from './api/routes/redis-data.js';
import { NotFoundError } from './errors.js';

/**
 * How the platform stops. `control-plane` (SIGTERM: a service manager restarting Slipway) stops the
 * API, builder and dyno manager but leaves the data plane serving: the router process is detached
 * and dynos that can outlive the manager (runc) keep running, to be adopted by the next start.
 * `all` (SIGINT: Ctrl-C in a terminal) stops the router and every dyno too.
 */
export type StopMode = 'control-plane' | 'all';

export interface Part {
  name: string;
  stop(mode: StopMode): Promise<void>;
}

export interface Platform {
  config: Config;
  /** Where the API actually listens (the real port when SLIPWAY_API_PORT=0). */
  apiUrl?: string;
  /** Every API route (method and path pattern): the hardening tests walk them all. */
  routes: { method: string; path: string }[];
  stop(mode?: StopMode): Promise<void>;
}

/** The secret the API and the router process share, kept in the data dir so an adopted router and a restarted API agree. */
async function internalToken(config: Config): Promise<string> {
  if (config.internalToken !== '') return config.internalToken;
  const file = path.join(config.dataDir, 'internal-token');
  try {
    const saved = (await readFile(file, 'utf8')).trim();
    if (saved.length >= 16) return saved;
  } catch {
    // first start
  }
  const token = randomBytes(24).toString('hex');
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  await writeFile(file, token + '\n', { mode: 0o600 });
  return token;
}

/** User-facing startup lines (stdout): where things listen and how to get the admin token. */
function announce(line: string): void {
  process.stdout.write(line + '\n');
}

export async function startPlatform(baseConfig: Config, logger: Logger): Promise<Platform> {
  // The API and the router process share a secret for the internal endpoints.
  // The instance id names what this platform makes on the host (isolation/instance.ts).
  const instanceId = baseConfig.instanceId !== '' ? baseConfig.instanceId : await loadInstanceId(baseConfig.dataDir);
  const config: Config = Object.freeze({ ...baseConfig, internalToken: await internalToken(baseConfig), instanceId });
  const parts: Part[] = [];
  const own = <T extends Part>(part: T): T => {
    parts.push(part);
    logger.info('part.started', { part: part.name });
    return part;
  };
  // The parts, in start order: store → events → logplex → metrics → dyno manager → builder → API listener
  // → router process. A failure part-way stops what already started.
  let apiUrl: string | undefined;
  let routes: { method: string; path: string }[] = [];
  try {
    // First: the owner file that lets `slipway cleanup` find this instance's host state even
    // after a SIGKILL and a deleted data dir. Removed only when everything is stopped (SIGINT).
    if (process.getuid?.() === 0) {
      await writeOwner({ id: instanceId, dataDir: config.dataDir, bridge: config.runcBridge, subnet: config.runcSubnet, routerPort: config.routerPort });
      own({ name: 'instance', stop: async (mode) => (mode === 'all' ? removeOwner(instanceId) : undefined) });
    }
    const store = await createStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, logger: logger.child({ part: 'store' }) });
    own({ name: 'store', stop: () => store.close() });
    const events = createEventBus((err, name) => logger.error('events.listener_failed', { event: name, error: String(err) }));
    const logplex = createLogplex({ config, store, events, logger: logger.child({ part: 'logplex' }) });
    await logplex.start();
    own({ name: 'logplex', stop: () => logplex.stop() });
    const metrics = createMetrics({ store, logs: logplex, logger: logger.child({ part: 'metrics' }) });
    metrics.start();
    own({ name: 'metrics', stop: () => metrics.stop() });
    const prometheus = createPrometheusExposition({ metrics, store });
    own({ name: 'prometheus', stop: async () => prometheus.close() });
    const metricEvents = recordPlatformEvents({ events, store, metrics, logger: logger.child({ part: 'metrics' }) });
    own({ name: 'metric-events', stop: () => metricEvents.stop() });
    const feed = createRouteFeed({ store, events, logger: logger.child({ part: 'router-feed' }), domain: config.domain });
    await feed.start();
    own({ name: 'router-feed', stop: () => feed.stop() });
    const apps = createAppService({ store, events, logs: logplex, config, logger: logger.child({ part: 'apps' }) });
    // Swarm runtime: the registry the nodes pull from and the release images, before the driver.
    const swarmRelease = config.runtime === 'swarm' ? await startSwarmReleaseParts(config, logger) : null;
    if (swarmRelease) own({ name: 'swarm-registry', stop: () => swarmRelease.close() });
    const driver = await chooseRuntimeDriver({ config, logger: logger.child({ part: 'dynos' }), announce, swarm: swarmRelease ? { images: swarmRelease.images } : undefined });
    own({ name: 'runtime-driver', stop: () => driver.close() });
    // Dyno output goes to logplex, and its l2met tokens (count#, sample#, measure#) to the metrics.
    const dynoLogs = { publish: (appId: string, line: Parameters<typeof logplex.publish>[1]) => {
      logplex.publish(appId, line);
      metrics.observeLogLine(appId, line);
    } };
    // Add-ons (providers by service name, each supervising its servers) before the dyno manager: the
    // dynos it starts get their apps' add-on ports opened (runc).
    const addonRegistry = createProviderRegistry();
    // Under runc, add-on URLs name the bridge's host address (attached apps' dynos get accepts for the ports).
    const bridge = driver.name === 'runc' ? { address: gatewayIp(parseCidr(config.runcSubnet)), subnet: config.runcSubnet } : undefined;
    const postgres = await startPostgresAddons({
      config, logger: logger.child({ part: 'addons' }),
      backupUrl: (appId, num) => signedBackupUrl(apiBaseUrl(config), config.internalToken, appId, num, 0),
      bridge,
    });
    if (postgres) addonRegistry.register(postgres.provider);
    // heroku-redis: a redis-server per add-on under <data>/addons/redis, with its own certificate,
    // at the add-on host (SLIPWAY_ADDONS_HOST) like the postgres servers.
    const redisHome = path.join(config.dataDir, 'addons', 'redis');
    const redisTls = await ensureCertificate({ dataDir: redisHome, domain: 'localhost', logger: logger.child({ part: 'addons' }) });
    // Its servers listen on the URL's host and the loopback (redis:cli, tests); binding the bridge's
    // address needs the bridge made before they start.
    const redisHost = config.addonsHost !== '' ? config.addonsHost : bridge?.address ?? '127.0.0.1';
    if (bridge && config.addonsHost === '') {
      await driver.prepare?.().catch((err: unknown) => logger.error('addons.bridge_unavailable', { error: String(err) }));
    }
    const redis = redisTls ? createRedisProvider({
      root: redisHome, host: redisHost, tls: redisTls, logger: logger.child({ part: 'redis' }),
      runAs: process.getuid?.() === 0 ? await systemUser('redis') : undefined,
    }) : undefined;
    if (redis) addonRegistry.register(redis);
    else logger.warn('redis.unavailable', { reason: 'no TLS certificate (openssl missing)' });
    const schedulerAddon = createSchedulerProvider({ store });
    addonRegistry.register(schedulerAddon);
    const addons = createAddonService({ store, apps, registry: addonRegistry, events, logger: logger.child({ part: 'addons' }) });
    await addons.start();
    own({ name: 'addons', stop: async (mode) => {
      await postgres?.backups.stop();
      await addons.stop(mode);
    } });
    const dynos = createDynoManager({
      config, store, driver, logs: dynoLogs, events, logger: logger.child({ part: 'dynos' }), onUsage: (s) => metrics.recordDyno(s),
      addonPorts: (appId) => addons.hostPorts(appId),
    });
    await dynos.start();
    own({ name: 'dyno-manager', stop: (mode) => dynos.stop(mode === 'all' ? { detach: false } : {}) });
    // Nodes (swarm runtime): `slipway nodes`, the join command, drains that move dynos through the dyno manager.
    // The swarm driver's usage intake is passed as `usage` where the driver is created (docs/swarm.md).
    const nodes = driver.name === 'swarm' ? createSwarmNodes({
      docker: new Dockerode(), logger: logger.child({ part: 'nodes' }),
      cycleDyno: (appId, dyno) => cycleDynoAndWait({ manager: dynos, store }, appId, dyno),
    }) : null;
    if (nodes) own({ name: 'nodes', stop: () => nodes.close() });
    // The scheduler add-on: due jobs become `scheduler.N` one-off dynos through the dyno manager.
    const schedulerNow = scaledClock(config.schedulerTimeScale);
    const schedulerJobs = createSchedulerJobs({ store, logs: logplex, now: schedulerNow });
    const scheduler = createScheduler({ store, dynos, logs: logplex, logger: logger.child({ part: 'scheduler' }), now: schedulerNow, tickMs: config.schedulerTickMs });
    scheduler.start();
    own({ name: 'scheduler', stop: () => scheduler.stop() });
    const admin = await bootstrapAdmin({ store, config, logger });
    const auth = createAuth({ store });
    const builder = createBuilder({
      config, store, apps, logs: logplex, events, logger: logger.child({ part: 'builder' }),
      authenticate: (req) => auth.authenticate(req),
      runReleasePhase: dynos.runReleasePhase,
      sandbox: await chooseBuildSandbox({ config, logger: logger.child({ part: 'builder' }) }),
    });
    own({ name: 'builder', stop: () => builder.stop() });
    // Pipelines: promotions release a source's slug to other apps through the apps service and the release phase.
    const pipelines = createPipelineService({
      store, dataDir: config.dataDir, logger: logger.child({ part: 'pipelines' }),
      deployRelease: (i) => apps.deployRelease(i),
      runReleasePhase: dynos.runReleasePhase,
      saveReleaseOutput: (releaseId, text) => builder.saveReleaseOutput(releaseId, text),
    });
    own({ name: 'pipelines', stop: () => pipelines.stop() });
    // App setups (deploy button): app.json → app, config, build, formation, postdeploy as a one-off dyno.
    const setups = createAppSetupService({
      store, logger: logger.child({ part: 'app-setups' }), dataDir: config.dataDir, apps, builder, pipelines, addons,
      runOnce: dynos.runReleasePhase,
    });
    own({ name: 'app-setups', stop: () => setups.stop() });
    const autoDeploy = createAutoDeploy({
      store, builder, logs: logplex, logger: logger.child({ part: 'auto-deploy' }),
      ci: { firstDelayMs: config.ciPollMs, maxDelayMs: config.ciPollMaxMs, timeoutMs: config.ciWaitTimeoutMs },
    });
    own({ name: 'auto-deploy', stop: () => autoDeploy.stop() });
    const reviewApps = createReviewApps({
      store, apps, builder, logs: logplex, logger: logger.child({ part: 'review-apps' }), staleMs: config.reviewAppStaleMs, sweepMs: config.reviewAppSweepMs,
      ci: { firstDelayMs: config.ciPollMs, maxDelayMs: config.ciPollMaxMs, timeoutMs: config.ciWaitTimeoutMs },
      // app.json scripts run as a one-off of the app's current release, like its release phase.
      runScript: async (app, command, onOutput) => {
        const release = await store.releases.current(app.id);
        const slug = release?.slugId ? await store.slugs.get(app.id, release.slugId) : undefined;
        if (!slug?.blobPath) return { exitCode: 127 };
        return dynos.runReleasePhase(app, { slugPath: path.join(config.dataDir, slug.blobPath), config: await store.configVars.get(app.id) }, command, onOutput);
      },
    });
    reviewApps.start();
    own({ name: 'review-apps', stop: () => reviewApps.stop() });

    // The platform's certificate (api/tls): the rendezvous listener of attached one-offs serves it.
    const tlsMaterial = await ensureCertificate({ dataDir: config.dataDir, domain: config.domain, logger: logger.child({ part: 'tls' }) });
    const rendezvous = tlsMaterial ? createRendezvous({ tls: tlsMaterial, logger: logger.child({ part: 'rendezvous' }) }) : undefined;

    // Autoscaling writes the formation (desired state) through the app service, as a user's scale would.
    const scaleBy = async (app: AppRecord, type: string, quantity: number, by: string) => {
      await apps.scale(undefined, app, [{ type, quantity }], { by });
    };
    const waker = createWaker({ store, scale: scaleBy, logger: logger.child({ part: 'autoscale' }) });
    const autoscaler = createAutoscaler({
      store, scale: scaleBy, logger: logger.child({ part: 'autoscale' }),
      signals: metricsSignals(createRecentRouterReader({ store }), createRecentLogReader({ store })),
      intervalMs: config.autoscaleIntervalMs, downWindowMs: config.autoscaleDownWindowMs,
    });
    autoscaler.start();
    own({ name: 'autoscaler', stop: () => autoscaler.stop() });
    // The web dashboard: its pages and assets are offered the API port's requests before git's.
    const dashboard = createDashboard({ dir: config.dashboardDir, logger: logger.child({ part: 'dashboard' }) });
    const preRoute = async (req: IncomingMessage, res: ServerResponse) => (await dashboard.handle(req, res)) || builder.gitHandler(req, res);

    // Listeners last.
    const api = createApi({
      config, store, events, logs: logplex, apps, logger: logger.child({ part: 'api' }),
      extraRoutes: [
        ...logRoutes({ apps, logplex, config }),
        ...deployRoutes({ builder, store, apps, config }),
        ...monitorRoutes({ apps, monitors: createMonitorService({ store, logs: logplex, events }) }),
        ...internalWakeRoutes({ config, waker }),
        ...dynoRoutes({ apps, manager: dynos, store, rendezvous, rendezvousUnavailable: tlsMaterial ? undefined : 'no TLS certificate (openssl missing)' }),
        ...metricsRoutes({ apps, metrics, prometheus }),
        ...pipelineRoutes({ config, store, apps, pipelines }),
        ...appSetupRoutes({ config, store, setups, buildOutputUrl: (id) => builder.buildOutputUrl(id) }),
        ...repoConnectionRoutes({ apps, autoDeploy, baseUrl: () => apiBaseUrl(config) }),
        ...reviewAppRoutes({ pipelines, reviewApps, baseUrl: () => apiBaseUrl(config), staleDays: Math.max(1, Math.round(config.reviewAppStaleMs / 86_400_000)) }),
        ...addonRoutes({ apps, addons, registry: addonRegistry, store, webUrl: (a) => `${apiBaseUrl(config)}/addons/${a.id}` }),
        // Backup downloads: the CLI fetches https URLs only (the API port's HTTPS, its self-signed certificate trusted with NODE_EXTRA_CA_CERTS).
        ...dataPostgresRoutes({ apps, addons, postgres, secret: config.internalToken, baseUrl: () => {
          const base = apiUrl ?? apiBaseUrl(config);
          return tlsMaterial ? base.replace(/^http:/, 'https:') : base;
        } }),
        ...internalRouterRoutes({ config, feed, logs: logplex, logger: logger.child({ part: 'router-feed' }), onRouterSummaries: (s) => metrics.ingestRouter(s) }),
        ...nodeRoutes({ nodes, runtime: driver.name }),
        ...schedulerJobRoutes({ apps, jobs: schedulerJobs, ensureEnabled: async (app) => {
          if (!(await schedulerAddon.enabledFor(app))) throw new NotFoundError('scheduler add-on', `${app.name} has no scheduler add-on; add it with: heroku addons:create scheduler:standard -a ${app.name}`);
        } }),
        ...(redis ? redisDataRoutes({ addons, redis }) : []),
      ],
      auth, preRoute, buildOutputUrl: (_appId, buildId) => builder.buildOutputUrl(buildId),
    });
    // HTTPS on the API port too: the official CLI writes https://<api host:port>/<app>.git remotes.
    routes = api.routes();
    const server = await api.listen(config.apiPort, config.listenHost, { tls: tlsMaterial });
    own({ name: 'api', stop: () => api.close() });
    const port = (server.address() as AddressInfo).port;
    apiUrl = config.apiPort === port ? apiBaseUrl(config) : `http://localhost:${port}`;
    announce(`Slipway API, git and dashboard listening on ${apiUrl}`);
    if (tlsMaterial) {
      const httpsOrigin = `https://${new URL(apiUrl).host}`;
      announce(`HTTPS on the same port (${httpsOrigin}, used by heroku CLI git remotes) with the self-signed certificate ${tlsMaterial.certPath}`);
      announce(`Trust it for git with: ${gitTrustCommand(httpsOrigin, tlsMaterial.certPath)}`);
    }
    if (rendezvous && tlsMaterial) {
      try {
        const at = await rendezvous.listen(config.rendezvousPort, config.listenHost);
        own({ name: 'rendezvous', stop: () => rendezvous.close() });
        announce(`Attached one-off dynos (heroku run) on TLS port ${at.port}; trust it with NODE_EXTRA_CA_CERTS=${tlsMaterial.certPath}`);
      } catch (err) {
        // Not fatal: detached one-offs and everything else keep working; `attach: true` answers 503.
        logger.warn('rendezvous.unavailable', { port: config.rendezvousPort, error: String(err) });
      }
    }
    if (config.routerProcess) {
      const router = createRouterSupervisor({ config, logger: logger.child({ part: 'router' }) });
      await router.start();
      own({ name: 'router', stop: async (mode) => (mode === 'all' ? router.stop() : router.detach()) });
    } else {
      const wakeLogger = logger.child({ part: 'autoscale' });
      const onWake = (appId: string) => {
        waker.wake(appId).catch((err) => wakeLogger.error('autoscale.wake_failed', { app_id: appId, error: String(err) }));
      };
      const routerMetrics = config.routerMetrics ? createRouterAggregator({
        intervalMs: config.metricsIntervalMs,
        onSummary: (summary) => void metrics.ingestRouter([summary]).catch((err) => logger.error('metrics.ingest_failed', { error: String(err) })),
      }) : undefined;
      if (routerMetrics) {
        routerMetrics.start();
        own({ name: 'router-metrics', stop: async () => routerMetrics.stop() });
      }
      own(await startInProcessRouter({ config, logger: logger.child({ part: 'router' }), feed, logs: logplex, metrics: routerMetrics, onWake }));
    }
    announce(`Router serves apps at http://<app>.${config.domain}:${config.routerPort}/`);
    if (admin.token) announce(`Admin token for ${admin.admin.email} (shown once, saved to ${admin.tokenFile}): ${admin.token}`);
    else if (config.adminToken !== '') announce(`Admin token for ${admin.admin.email}: the value of SLIPWAY_ADMIN_TOKEN`);
    else if (existsSync(admin.tokenFile)) announce(`Admin token for ${admin.admin.email} is saved in ${admin.tokenFile}`);
    announce(`Use it with: HEROKU_HOST=${apiUrl} HEROKU_API_KEY=<token> heroku apps`);
  } catch (err) {
    await stopParts(parts, logger, 'all');
    throw err;
  }

  return {
    config,
    apiUrl,
    routes,
    stop: (mode = 'all') => stopParts(parts, logger, mode),
  };
}

async function stopParts(parts: Part[], logger: Logger, mode: StopMode): Promise<void> {
  for (const part of parts.splice(0).reverse()) {
    try {
      await part.stop(mode);
      logger.info('part.stopped', { part: part.name });
    } catch (err) {
      logger.error('part.stop_failed', { part: part.name, error: String(err) });
    }
  }
}

export async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`slipway: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger({ level: config.logLevel });
  const platform = await startPlatform(config, logger);
  let stopping = false;
  const shutdown = (signal: string, mode: StopMode) => {
    if (stopping) return;
    stopping = true;
    logger.info('platform.stopping', { signal, mode });
    platform.stop(mode).then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGINT', () => shutdown('SIGINT', 'all'));
  process.on('SIGTERM', () => shutdown('SIGTERM', 'control-plane'));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((err) => {
    process.stderr.write(`slipway: ${(err as Error)?.message ?? String(err)}\n`);
    process.exit(1);
  });
}
