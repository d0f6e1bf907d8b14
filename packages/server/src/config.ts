/**
 * The one reader of `process.env` (CONVENTIONS.md): a table of key → env var → parser → default,
 * parsed once at boot into a frozen object. A bad value stops the boot with a one-line error naming
 * the variable. Every Heroku timing is a key with Heroku's value as default, so tests can shorten it.
 */
import { createRequire } from 'node:module';
import path from 'node:path';

type Parser<T> = (raw: string) => T;

interface Entry<T> {
  env: string;
  parse: Parser<T>;
  default: T | (() => T);
  doc: string;
}

export class ConfigError extends Error {
  constructor(readonly variable: string, message: string) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

const int = (min: number, max = Number.MAX_SAFE_INTEGER): Parser<number> => (raw) => {
  if (!/^-?\d+$/.test(raw.trim())) throw new Error(`expected an integer, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new Error(`expected an integer between ${min} and ${max}, got ${n}`);
  return n;
};
const port: Parser<number> = int(0, 65535);
/** An interval that divides the 10 s metrics tier evenly (the stored tiers stay 10 s / 1 min / 10 min). */
const divisorOf10s: Parser<number> = (raw) => {
  const n = int(100, 10_000)(raw);
  if (10_000 % n !== 0) throw new Error(`expected a divisor of 10000, got ${n}`);
  return n;
};
const str: Parser<string> = (raw) => raw;
const nonEmpty: Parser<string> = (raw) => {
  if (raw.trim() === '') throw new Error('must not be empty');
  return raw.trim();
};
const oneOf = <T extends string>(...values: T[]): Parser<T> => (raw) => {
  if (!(values as string[]).includes(raw)) throw new Error(`expected one of ${values.join(', ')}, got "${raw}"`);
  return raw as T;
};
const bool: Parser<boolean> = (raw) => {
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new Error(`expected true or false, got "${raw}"`);
};
const databaseUrl: Parser<string> = (raw) => {
  if (raw === '' || /^(postgres|postgresql):\/\//.test(raw) || /^sqlite:/.test(raw)) return raw;
  throw new Error('expected a postgres:// URL, a sqlite: path, or nothing for the embedded SQLite');
};
const postgresUrl: Parser<string> = (raw) => {
  if (raw === '' || /^(postgres|postgresql):\/\/[^/]+/.test(raw)) return raw;
  throw new Error('expected a postgres:// URL');
};
const token: Parser<string> = (raw) => {
  if (raw !== '' && raw.length < 16) throw new Error('must be at least 16 characters');
  return raw;
};

const instanceIdParser: Parser<string> = (raw) => {
  if (!/^[0-9a-f]{8}$/.test(raw)) throw new Error(`expected 8 lowercase hex digits, got "${raw}"`);
  return raw;
};

/** Where `npm run build` puts the dashboard bundle: `dist/` of the `@slipway/dashboard` workspace. */
function defaultDashboardDir(): string {
  try {
    return path.join(path.dirname(createRequire(import.meta.url).resolve('@slipway/dashboard/package.json')), 'dist');
  } catch {
    return path.resolve('packages/dashboard/dist');
  }
}

const MIN = 60_000;
const table = {
  apiPort: { env: 'SLIPWAY_API_PORT', parse: port, default: 5000, doc: 'Port of the Platform API and git endpoint.' },
  routerPort: { env: 'SLIPWAY_ROUTER_PORT', parse: port, default: 8080, doc: 'Port of the HTTP router.' },
  rendezvousPort: { env: 'SLIPWAY_RENDEZVOUS_PORT', parse: port, default: 5001, doc: 'TLS port where attached one-off dynos (heroku run, slipway run) are reached (0 = any free port).' },
  listenHost: { env: 'SLIPWAY_LISTEN_HOST', parse: nonEmpty, default: '0.0.0.0', doc: 'Address the API and router listen on.' },
  domain: { env: 'SLIPWAY_DOMAIN', parse: nonEmpty, default: 'localhost', doc: 'Apps are served at <app>.<domain>.' },
  dataDir: { env: 'SLIPWAY_DATA_DIR', parse: (raw: string) => path.resolve(nonEmpty(raw)), default: () => path.resolve('.slipway'), doc: 'SQLite file, slugs, repos, logs.' },
  databaseUrl: { env: 'SLIPWAY_DATABASE_URL', parse: databaseUrl, default: '', doc: 'postgres:// URL; empty = SQLite in the data dir.' },
  runtime: { env: 'SLIPWAY_RUNTIME', parse: oneOf('auto', 'runc', 'process', 'swarm'), default: 'auto', doc: 'Dyno runtime driver; auto = runc if usable, else process.' },
  dockerHost: { env: 'DOCKER_HOST', parse: str, default: '', doc: 'Swarm runtime: the Swarm manager\'s Engine API, as every Docker client reads it (unix:///path or tcp://host:port); empty = unix:///var/run/docker.sock.' },
  dockerTlsVerify: { env: 'DOCKER_TLS_VERIFY', parse: str, default: '', doc: 'Swarm runtime: non-empty = talk to DOCKER_HOST over TLS and verify the daemon (certificates from DOCKER_CERT_PATH).' },
  dockerCertPath: { env: 'DOCKER_CERT_PATH', parse: str, default: '', doc: 'Swarm runtime: directory of ca.pem, cert.pem and key.pem for DOCKER_TLS_VERIFY; empty = ~/.docker.' },
  swarmAdvertiseAddr: { env: 'SLIPWAY_SWARM_ADVERTISE_ADDR', parse: str, default: '', doc: 'Swarm runtime: the control plane\'s address as the nodes reach it (registry, usage intake); required with SLIPWAY_RUNTIME=swarm.' },
  swarmUsagePort: { env: 'SLIPWAY_SWARM_USAGE_PORT', parse: port, default: 5003, doc: 'Swarm runtime: port of the usage intake the node agents report to, on the advertise address.' },
  swarmAttachPort: { env: 'SLIPWAY_SWARM_ATTACH_PORT', parse: port, default: 5004, doc: 'Swarm runtime: port on the advertise address that attached one-off dynos (`heroku run`) dial back to from their node.' },
  adminToken: { env: 'SLIPWAY_ADMIN_TOKEN', parse: token, default: '', doc: 'First admin token; generated and saved to <data>/admin-token when empty.' },
  adminEmail: { env: 'SLIPWAY_ADMIN_EMAIL', parse: nonEmpty, default: 'admin@example.com', doc: 'Email of the first admin user.' },
  internalToken: { env: 'SLIPWAY_INTERNAL_TOKEN', parse: token, default: '', doc: 'Shared secret between the API and the router process; generated when empty.' },
  logLevel: { env: 'SLIPWAY_LOG_LEVEL', parse: oneOf('debug', 'info', 'warn', 'error'), default: 'info', doc: 'Platform log level (logfmt on stderr).' },
  stack: { env: 'SLIPWAY_STACK', parse: nonEmpty, default: 'heroku-24', doc: 'Stack name reported for apps and builds.' },

  routerTimeoutMs: { env: 'SLIPWAY_ROUTER_TIMEOUT_MS', parse: int(1), default: 30_000, doc: 'Time to first response byte before H12.' },
  routerIdleTimeoutMs: { env: 'SLIPWAY_ROUTER_IDLE_TIMEOUT_MS', parse: int(1), default: 55_000, doc: 'Rolling idle window after the first byte before H15.' },
  routerConnectTimeoutMs: { env: 'SLIPWAY_ROUTER_CONNECT_TIMEOUT_MS', parse: int(1), default: 5_000, doc: 'Time to connect to a dyno before H19.' },
  routerBootTimeoutMs: { env: 'SLIPWAY_ROUTER_BOOT_TIMEOUT_MS', parse: int(1), default: 75_000, doc: 'Time a request waits for a starting web dyno before H20.' },
  routerQueueMax: { env: 'SLIPWAY_ROUTER_QUEUE_MAX', parse: int(0), default: 1000, doc: 'Requests queued per app before H11.' },

  bootTimeoutMs: { env: 'SLIPWAY_BOOT_TIMEOUT_MS', parse: int(1), default: 60_000, doc: 'Time a web dyno has to bind $PORT before R10.' },
  stopGraceMs: { env: 'SLIPWAY_STOP_GRACE_MS', parse: int(0), default: 30_000, doc: 'Time between SIGTERM and SIGKILL (R12).' },
  cyclePeriodMs: { env: 'SLIPWAY_CYCLE_PERIOD_MS', parse: int(0), default: 24 * 60 * MIN, doc: 'Dynos are restarted after this long (0 = never).' },
  cycleJitterMs: { env: 'SLIPWAY_CYCLE_JITTER_MS', parse: int(0), default: 216 * MIN, doc: 'Random extra time added to each dyno cycle.' },
  restartCooloffMaxMs: { env: 'SLIPWAY_RESTART_COOLOFF_MAX_MS', parse: int(0), default: 20 * MIN, doc: 'Longest wait before restarting a crashed dyno.' },

  logHistoryLines: { env: 'SLIPWAY_LOG_HISTORY_LINES', parse: int(1, 1_000_000), default: 1500, doc: 'Log lines kept per app.' },
  maxDrains: { env: 'SLIPWAY_MAX_DRAINS', parse: int(0, 100), default: 5, doc: 'Log drains per app.' },
  drainBufferLines: { env: 'SLIPWAY_DRAIN_BUFFER_LINES', parse: int(1), default: 10_000, doc: 'Lines buffered per drain before L10.' },
  logRateLimit: { env: 'SLIPWAY_LOG_RATE_LIMIT', parse: int(1), default: 5_000, doc: 'Log lines per second per app (bursts of one second); excess is dropped and reported with L12.' },

  buildTimeoutMs: { env: 'SLIPWAY_BUILD_TIMEOUT_MS', parse: int(1), default: 15 * MIN, doc: 'Longest a build may run.' },
  slugMaxBytes: { env: 'SLIPWAY_SLUG_MAX_BYTES', parse: int(1), default: 500 * 1024 * 1024, doc: 'Largest slug accepted.' },
  slugRetainReleases: { env: 'SLIPWAY_SLUG_RETAIN_RELEASES', parse: int(1), default: 10, doc: 'Slugs of this many latest releases are kept.' },
  buildIsolation: { env: 'SLIPWAY_BUILD_ISOLATION', parse: oneOf('auto', 'runc', 'none'), default: 'auto', doc: 'Run builds in a runc container when possible.' },
  dynoDiskMb: {
    env: 'SLIPWAY_DYNO_DISK_MB', parse: int(0), default: 0,
    doc: 'Disk limit of a runc dyno\'s writable /app layer and /tmp together, in MB (both live in one tmpfs, counted in the dyno\'s memory); 0 = half the size\'s memory quota (256 MB for standard-1x).',
  },
  buildMemoryMb: { env: 'SLIPWAY_BUILD_MEMORY_MB', parse: int(64), default: 2048, doc: 'Memory limit of an isolated (runc) build, in MB.' },
  runcBridge: { env: 'SLIPWAY_RUNC_BRIDGE', parse: nonEmpty, default: 'slipway0', doc: 'Linux bridge of the runc dynos\' private network.' },
  dynoOutboundBlock: {
    env: 'SLIPWAY_DYNO_OUTBOUND_BLOCK', parse: oneOf('link-local', 'private', 'none'), default: 'link-local',
    doc: 'Outbound destinations runc dynos and builds may not reach: link-local (169.254.0.0/16, cloud metadata), private (also RFC 1918, 100.64/10 and other non-public IPv4), or none. Builds always get at least link-local.',
  },
  instanceId: { env: 'SLIPWAY_INSTANCE_ID', parse: instanceIdParser, default: '', doc: 'This platform instance\'s id on the host (names its containers, firewall rules and /run/slipway owner file); read from or made in <data>/instance-id when empty.' },
  runcWarmNetns: { env: 'SLIPWAY_RUNC_WARM_NETNS', parse: int(0), default: 2, doc: 'Network namespaces the runc driver keeps made ahead of dyno starts (each used by one dyno only); 0 = make each at its start.' },
  runcSubnet: { env: 'SLIPWAY_RUNC_SUBNET', parse: nonEmpty, default: '10.213.0.0/16', doc: 'IPv4 subnet of the runc dynos\' bridge (the host takes the first address).' },

  autoscaleIntervalMs: { env: 'SLIPWAY_AUTOSCALE_INTERVAL_MS', parse: int(100), default: 2_000, doc: 'How often the autoscaler decides (every active scale monitor).' },
  autoscaleDownWindowMs: { env: 'SLIPWAY_AUTOSCALE_DOWN_WINDOW_MS', parse: int(1_000), default: 2 * MIN, doc: 'How long the load must stay low, without a change, before the autoscaler removes dynos.' },

  apiHeadersTimeoutMs: { env: 'SLIPWAY_API_HEADERS_TIMEOUT_MS', parse: int(1), default: 30_000, doc: 'API port: time a client has to send a request\'s headers (Heroku\'s 30 s initial window).' },
  apiBodyIdleTimeoutMs: { env: 'SLIPWAY_API_BODY_IDLE_TIMEOUT_MS', parse: int(1), default: 55_000, doc: 'API port: longest silence while a request body arrives (Heroku\'s rolling 55 s window).' },
  apiIdleTimeoutMs: { env: 'SLIPWAY_API_IDLE_TIMEOUT_MS', parse: int(1), default: 65_000, doc: 'API port: an idle keep-alive connection is closed after this long.' },
  apiMaxConnectionsPerIp: { env: 'SLIPWAY_API_MAX_CONNECTIONS_PER_IP', parse: int(0), default: 256, doc: 'API port: open connections per client address (0 = no cap).' },
  routerMetrics: { env: 'SLIPWAY_ROUTER_METRICS', parse: bool, default: true, doc: 'The router aggregates and ships per-app metrics (off only to measure their cost).' },
  metricsIntervalMs: { env: 'SLIPWAY_METRICS_INTERVAL_MS', parse: divisorOf10s, default: 10_000, doc: 'How often the router ships its per-app aggregates (a divisor of 10 s; shorter only for tests).' },

  apiRateLimit: { env: 'SLIPWAY_API_RATE_LIMIT', parse: int(0), default: 4500, doc: 'Request tokens per account (refilled ~75/min); 0 disables.' },
  routerProcess: { env: 'SLIPWAY_ROUTER_PROCESS', parse: bool, default: true, doc: 'Run the router in its own process.' },
  dashboardDir: { env: 'SLIPWAY_DASHBOARD_DIR', parse: (raw: string) => path.resolve(nonEmpty(raw)), default: defaultDashboardDir, doc: 'The built dashboard bundle served at / and /dashboard/ on the API port.' },
  ciPollMs: { env: 'SLIPWAY_CI_POLL_MS', parse: int(10), default: 10_000, doc: 'Auto-deploy with wait-for-CI: first wait between polls of a commit\'s combined status (doubling up to ciPollMaxMs).' },
  ciPollMaxMs: { env: 'SLIPWAY_CI_POLL_MAX_MS', parse: int(10), default: 2 * MIN, doc: 'Auto-deploy with wait-for-CI: longest wait between two polls.' },
  ciWaitTimeoutMs: { env: 'SLIPWAY_CI_WAIT_TIMEOUT_MS', parse: int(100), default: 60 * MIN, doc: 'Auto-deploy with wait-for-CI: a commit whose status is not final after this long is not deployed.' },
  reviewAppStaleMs: { env: 'SLIPWAY_REVIEW_APP_STALE_MS', parse: int(1_000), default: 5 * 24 * 60 * MIN, doc: 'Review apps of pipelines with autodestroy are destroyed after this long without a push (Heroku\'s 5 days).' },
  reviewAppSweepMs: { env: 'SLIPWAY_REVIEW_APP_SWEEP_MS', parse: int(100), default: 10 * MIN, doc: 'How often stale review apps are looked for.' },
  schedulerTickMs: { env: 'SLIPWAY_SCHEDULER_TICK_MS', parse: int(50, 60_000), default: 2_000, doc: 'How often the scheduler add-on looks for due jobs (real milliseconds).' },
  schedulerTimeScale: { env: 'SLIPWAY_SCHEDULER_TIME_SCALE', parse: int(1, 3_600), default: 1, doc: 'The scheduler\'s clock runs this many times faster than the wall clock (tests and demos: 60 makes "every 10 minutes" every 10 s).' },
  url: { env: 'SLIPWAY_URL', parse: str, default: '', doc: 'Public base URL of the API (for output_stream_url, logplex_url); default http://localhost:<apiPort>.' },
  addonsPostgres: { env: 'SLIPWAY_ADDONS_POSTGRES', parse: oneOf('auto', 'on', 'off'), default: 'auto', doc: 'The heroku-postgresql add-on: auto = offered when PostgreSQL server binaries are installed; on = required (the boot fails without them); off = not offered.' },
  postgresBin: { env: 'SLIPWAY_POSTGRES_BIN', parse: str, default: '', doc: 'Directory of the PostgreSQL server binaries (initdb, pg_ctl, pg_dump); default the newest /usr/lib/postgresql/<major>/bin.' },
  addonsPostgresUrl: { env: 'SLIPWAY_ADDONS_POSTGRES_URL', parse: postgresUrl, default: '', doc: 'An operator\'s PostgreSQL server (admin URL, a role with CREATEDB and CREATEROLE) for the shared heroku-postgresql plans, instead of the cluster Slipway runs; standard plans still get their own.' },
  addonsHost: { env: 'SLIPWAY_ADDONS_HOST', parse: str, default: '', doc: 'Address add-on servers listen on and put in their URLs (DATABASE_URL); default the runc bridge\'s host address under runc, else 127.0.0.1.' },
  swarmRegistry: { env: 'SLIPWAY_SWARM_REGISTRY', parse: str, default: '', doc: 'Swarm runtime: an operator\'s image registry (host:port) every node can pull from; empty = Slipway runs Debian\'s docker-registry on the manager, on the advertise address.' },
  swarmRegistryPort: { env: 'SLIPWAY_SWARM_REGISTRY_PORT', parse: port, default: 5002, doc: 'Swarm runtime: port of the registry Slipway runs (plain HTTP: nodes list it in insecure-registries, docs/swarm.md).' },
} satisfies Record<string, Entry<unknown>>;

type Table = typeof table;
export type Config = { readonly [K in keyof Table]: Table[K] extends { parse: Parser<infer T> } ? T : never };
export const CONFIG_TABLE: Readonly<Record<string, Entry<unknown>>> = table;

/** Parses the environment into a frozen config. Throws ConfigError naming the first bad variable. */
export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env): Config {
  const out: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(table) as [string, Entry<unknown>][]) {
    const raw = env[entry.env];
    if (raw === undefined || (raw === '' && !allowsEmpty(entry))) {
      out[key] = typeof entry.default === 'function' ? (entry.default as () => unknown)() : entry.default;
      continue;
    }
    try {
      out[key] = entry.parse(raw);
    } catch (err) {
      throw new ConfigError(entry.env, (err as Error).message);
    }
  }
  return Object.freeze(out) as Config;
}

function allowsEmpty(entry: Entry<unknown>): boolean {
  return entry.parse === (str as Parser<unknown>);
}

/** Returns a config for tests: defaults plus overrides, frozen. */
export function testConfig(overrides: Partial<Config> = {}): Config {
  return Object.freeze({ ...loadConfig({}), ...overrides }) as Config;
}

/** The API's public base URL. */
export function apiBaseUrl(config: Config): string {
  return config.url !== '' ? config.url.replace(/\/$/, '') : `http://localhost:${config.apiPort}`;
}
