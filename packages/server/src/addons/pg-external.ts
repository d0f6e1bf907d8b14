/**
 * An operator's own PostgreSQL server standing in for the shared cluster
 * (`SLIPWAY_ADDONS_POSTGRES_URL`, a superuser or CREATEROLE+CREATEDB URL): Slipway creates the
 * shared plans' databases and roles there and never starts, stops or deletes the server itself.
 */
import pg from 'pg';
import type { PgCluster } from './pg-cluster.js';

export function createExternalCluster(adminUrl: string): PgCluster {
  const u = new URL(adminUrl);
  const port = Number(u.port || 5432);
  const url = (database = 'postgres') => {
    const x = new URL(adminUrl);
    x.pathname = `/${encodeURIComponent(database)}`;
    return x.toString();
  };
  const cluster: PgCluster = {
    name: 'external',
    home: '',
    async ensure() {},
    exists: () => true,
    port: () => port,
    adminUrl: url,
    async admin(database) {
      const client = new pg.Client({ connectionString: url(database), connectionTimeoutMillis: 10_000 });
      client.on('error', () => undefined);
      await client.connect();
      return client;
    },
    async running() {
      return true;
    },
    async stop() {},
    async release() {},
    async destroy() {
      throw new Error('the operator\'s PostgreSQL server is not Slipway\'s to destroy');
    },
  };
  return cluster;
}

/** The host in add-on URLs on an operator's server: the server's own. */
export const externalHost = (adminUrl: string): string => new URL(adminUrl).hostname;
