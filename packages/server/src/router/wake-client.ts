/**
 * The router process's side of wake on request: `POST /internal/router/wake` to the API for an app
 * scaled to zero that got a request. Fire and forget: the request waits in the router's queue for
 * the dyno the API starts (or gets H20 after the boot timeout); a failed call is logged and retried
 * by the next request (the dispatcher repeats a wake at most every couple of seconds).
 */
import http from 'node:http';
import type { Logger } from '../log/index.js';

export const WAKE_PATH = '/internal/router/wake';

export function createWakeClient(deps: { apiUrl: string; token: string | (() => string); logger: Logger; timeoutMs?: number }): (appId: string) => void {
  const timeoutMs = deps.timeoutMs ?? 10_000;
  return (appId) => {
    const url = new URL(WAKE_PATH, deps.apiUrl);
    const token = typeof deps.token === 'function' ? deps.token() : deps.token;
    const payload = JSON.stringify({ app_id: appId });
    const req = http.request(url, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) },
      timeout: timeoutMs,
    }, (res) => {
      res.resume();
      if (res.statusCode !== 202) deps.logger.warn('router.wake_refused', { app_id: appId, status: res.statusCode });
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (err) => deps.logger.warn('router.wake_failed', { app_id: appId, error: err.message }));
    req.end(payload);
  };
}
