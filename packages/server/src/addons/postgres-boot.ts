/**
 * Whether and how this platform offers `heroku-postgresql` (config: SLIPWAY_ADDONS_POSTGRES,
 * SLIPWAY_POSTGRES_BIN, SLIPWAY_ADDONS_HOST): the provider over `<data>/addons/postgres` and its
 * backups under `<data>/addons/postgres-backups`. As root the servers run as Debian's `postgres`
 * user with PGDATA bind-mounted under `/run/slipway-addons/<instance>/` (/run/slipway is root's only).
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Config } from '../config.js';
import type { Logger } from '../log/index.js';
import { createPgBackups, type PgBackups } from './pg-backups.js';
import { findPgBin, type RunAs } from './pg-exec.js';
import { createPostgresProvider, type PostgresProvider } from './postgres-provider.js';

const run = promisify(execFile);

async function postgresUser(): Promise<RunAs> {
  const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim());
  const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
  return { uid, gid };
}

export async function startPostgresAddons(opts: {
  config: Config;
  logger: Logger;
  backupUrl: (appId: string, num: number) => string;
  /**
   * The runc dynos' bridge, when dynos run there: URLs name the host's address on it, the servers
   * listen on every address (the bridge may be made after them) and let TLS clients in from its
   * subnet and loopback only.
   */
  bridge?: { address: string; subnet: string };
}): Promise<{ provider: PostgresProvider; backups: PgBackups } | undefined> {
  const { config, logger } = opts;
  if (config.addonsPostgres === 'off') return undefined;
  const bin = config.postgresBin !== '' ? config.postgresBin : findPgBin();
  if (bin === '') {
    if (config.addonsPostgres === 'on') throw new Error('SLIPWAY_ADDONS_POSTGRES=on but no PostgreSQL server binaries were found (apt-get install postgresql, or set SLIPWAY_POSTGRES_BIN)');
    logger.warn('addons.postgres_unavailable', { reason: 'no PostgreSQL server binaries (apt-get install postgresql)' });
    return undefined;
  }
  const root = process.getuid?.() === 0;
  let runAs: RunAs | undefined;
  if (root) {
    try {
      runAs = await postgresUser();
    } catch (err) {
      if (config.addonsPostgres === 'on') throw new Error(`SLIPWAY_ADDONS_POSTGRES=on but there is no postgres user to run the servers as: ${String(err)}`);
      logger.warn('addons.postgres_unavailable', { reason: 'no postgres user (apt-get install postgresql)' });
      return undefined;
    }
  }
  const home = path.join(config.dataDir, 'addons', 'postgres');
  const provider = createPostgresProvider({
    home, bin, runAs, runDir: path.join('/run/slipway-addons', config.instanceId), logger,
    externalAdminUrl: config.addonsPostgresUrl !== '' ? config.addonsPostgresUrl : undefined,
    ...(config.addonsHost !== ''
      ? { host: config.addonsHost, listen: [config.addonsHost] }
      : opts.bridge ? { host: opts.bridge.address, listen: ['*'], allow: [opts.bridge.subnet] } : { host: '127.0.0.1', listen: ['127.0.0.1'], allow: [] }),
  });
  const backups = createPgBackups({ dir: path.join(config.dataDir, 'addons', 'postgres-backups'), bin, provider, logger, backupUrl: opts.backupUrl });
  logger.info('addons.postgres_ready', { bin, run_as: runAs ? 'postgres' : 'self' });
  return { provider, backups };
}
