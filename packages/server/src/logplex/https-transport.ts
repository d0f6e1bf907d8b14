/**
 * HTTPS drain transport: each batch is one POST of concatenated octet-counted RFC 5424 frames with
 * logplex's headers. 2xx = delivered, 4xx = refused for good (the batch is dropped), anything else
 * or a network error = transient (the worker retries the same batch, same Frame-Id, after backoff).
 */
import http from 'node:http';
import https from 'node:https';
import type tls from 'node:tls';
import type { Batch, DrainTransport } from './drain-worker.js';

export const LOGPLEX_USER_AGENT = 'Logplex/v72';

export function createHttpsTransport(url: URL, drainToken: string, tlsOptions: tls.ConnectionOptions = {}, timeoutMs = 30_000): DrainTransport {
  const secure = url.protocol === 'https:';
  const agent = secure ? new https.Agent({ keepAlive: true, maxSockets: 1, ...tlsOptions }) : new http.Agent({ keepAlive: true, maxSockets: 1 });
  const auth = url.username !== '' ? `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}` : undefined;
  let closed = false;

  return {
    get connected() {
      return !closed;
    },
    async connect() {
      closed = false;
    },
    send(batch: Batch) {
      return new Promise<'sent' | 'rejected'>((resolve, reject) => {
        const headers: Record<string, string | number> = {
          'Content-Type': 'application/logplex-1',
          'Content-Length': batch.body.length,
          'Logplex-Msg-Count': batch.count,
          'Logplex-Frame-Id': batch.id,
          'Logplex-Drain-Token': drainToken,
          'User-Agent': LOGPLEX_USER_AGENT,
        };
        if (auth) headers.Authorization = auth;
        const req = (secure ? https : http).request({
          method: 'POST',
          protocol: url.protocol,
          hostname: url.hostname.replace(/^\[|\]$/g, ''),
          port: url.port || (secure ? 443 : 80),
          path: `${url.pathname || '/'}${url.search}`,
          headers,
          agent,
          timeout: timeoutMs,
        }, (res) => {
          res.resume();
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) resolve('sent');
            else if (status >= 400 && status < 500) resolve('rejected');
            else reject(new Error(`drain answered HTTP ${status}`));
          });
          res.on('error', reject);
        });
        req.on('timeout', () => req.destroy(new Error(`no answer in ${timeoutMs} ms`)));
        req.on('error', reject);
        req.end(batch.body);
      });
    },
    close() {
      closed = true;
      agent.destroy();
    },
  };
}
