/**
 * Pure: the `redis.conf` of one add-on's server. Every path is relative to the server's working
 * directory (its add-on dir, entered before the server drops to its unprivileged user), so the
 * server never needs to traverse the platform's data dir; the text is fed on stdin (`redis-server -`).
 *
 * - Plain port P for the attached apps' dynos (private network) and TLS on P + 1 (Heroku's
 *   stunnel convention; `redis:cli` connects there, `rediss://`), no client certificates.
 * - `requirepass` (random, rotated with CONFIG SET), the plan's `maxmemory` with Heroku's default
 *   `noeviction`, the plan's `maxclients`.
 * - Durable: AOF (`appendfsync everysec`) plus RDB snapshots, so data survives a platform restart
 *   and a SIGKILL of the server (at most about a second of writes lost, as on Heroku).
 * - `enable-protected-configs no` and `enable-debug-command no` (Redis 7's defaults, written out):
 *   a client with the password cannot move `dir` or `dbfilename` to write files elsewhere.
 */
export interface RedisConfInput {
  bind: readonly string[];
  port: number;
  tlsPort: number;
  password: string;
  maxmemoryMb: number;
  maxclients: number;
}

export const CERT_FILE = 'tls.crt';
export const KEY_FILE = 'tls.key';
export const PID_FILE = 'redis.pid';
export const LOG_FILE = 'redis.log';

export function redisConf(c: RedisConfInput): string {
  if (!/^[A-Za-z0-9]+$/.test(c.password)) throw new Error('redis password must be alphanumeric');
  return [
    `bind ${c.bind.join(' ')}`,
    'protected-mode yes',
    `port ${c.port}`,
    `tls-port ${c.tlsPort}`,
    `tls-cert-file ${CERT_FILE}`,
    `tls-key-file ${KEY_FILE}`,
    'tls-auth-clients no',
    `requirepass ${c.password}`,
    `maxmemory ${c.maxmemoryMb}mb`,
    'maxmemory-policy noeviction',
    `maxclients ${c.maxclients}`,
    'dir .',
    'daemonize no',
    `pidfile ${PID_FILE}`,
    `logfile ${LOG_FILE}`,
    'appendonly yes',
    'appendfsync everysec',
    'appenddirname appendonly',
    'dbfilename dump.rdb',
    'save 3600 1 300 100 60 10000',
    'enable-protected-configs no',
    'enable-debug-command no',
    'enable-module-command no',
    '',
  ].join('\n');
}
