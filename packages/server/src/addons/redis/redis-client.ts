/**
 * Short talks with an add-on's server through node-redis (the platform's own checks: health,
 * credential rotation, `redis:info`). One connection per talk, no reconnects, a short timeout.
 */
import { createClient } from 'redis';

export interface RedisTarget {
  host: string;
  port: number;
  password: string;
  tls?: boolean;
}

export async function withRedis<T>(t: RedisTarget, fn: (c: ReturnType<typeof createClient>) => Promise<T>, timeoutMs = 2_000): Promise<T> {
  const client = createClient({
    socket: t.tls
      ? { host: t.host, port: t.port, tls: true, rejectUnauthorized: false, connectTimeout: timeoutMs, reconnectStrategy: false }
      : { host: t.host, port: t.port, connectTimeout: timeoutMs, reconnectStrategy: false },
    password: t.password,
    disableOfflineQueue: true,
  });
  client.on('error', () => undefined); // reported through the awaited calls
  await client.connect();
  try {
    return await fn(client);
  } finally {
    client.destroy();
  }
}

/** True when the server answers PING with these credentials. */
export async function redisAnswers(t: RedisTarget, timeoutMs?: number): Promise<boolean> {
  try {
    return (await withRedis(t, (c) => c.ping(), timeoutMs)) === 'PONG';
  } catch {
    return false;
  }
}

/** `INFO` as key → value (sections merged). */
export function parseInfo(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (line.startsWith('#') || i <= 0) continue;
    out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}
