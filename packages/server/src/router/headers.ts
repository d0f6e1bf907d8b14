/**
 * Header rules (heroku-contract.md B1.3, RFC 9110 §7.6.1): hop-by-hop headers are dropped in both
 * directions; the dyno gets X-Request-Id, X-Forwarded-For/Proto/Port, X-Request-Start and Via.
 */
import { randomUUID } from 'node:crypto';

export const VIA = '1.1 slipway';

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-connection', 'http2-settings']);

/** The names a message's Connection headers list (lower-case), or undefined when there are none. */
function connectionTokens(rawHeaders: readonly string[]): Set<string> | undefined {
  let names: Set<string> | undefined;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (rawHeaders[i].length !== 10 || rawHeaders[i].toLowerCase() !== 'connection') continue;
    for (const token of rawHeaders[i + 1].split(',')) {
      const t = token.trim().toLowerCase();
      if (t !== '') (names ??= new Set()).add(t);
    }
  }
  return names;
}

/** Names to drop from a message: the fixed hop-by-hop set, Proxy-*, and every name listed in Connection. */
export function hopByHopNames(rawHeaders: readonly string[]): Set<string> {
  const names = new Set(HOP_BY_HOP);
  for (const t of connectionTokens(rawHeaders) ?? []) names.add(t);
  return names;
}

const isHopByHop = (lowerName: string, listed: Set<string> | undefined) =>
  HOP_BY_HOP.has(lowerName) || lowerName.startsWith('proxy-') || (listed !== undefined && listed.has(lowerName));

/** Raw header pairs without hop-by-hop ones (and without any name in `also`). */
export function stripHopByHop(rawHeaders: readonly string[], also: readonly string[] = []): string[] {
  const listed = connectionTokens(rawHeaders);
  const out: string[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i].toLowerCase();
    if (isHopByHop(name, listed) || (also.length > 0 && also.includes(name))) continue;
    out.push(rawHeaders[i], rawHeaders[i + 1]);
  }
  return out;
}

const REQUEST_ID = /^[A-Za-z0-9+/=-]{20,200}$/;

/** The client's X-Request-Id when valid (20–200 of letters, digits, + / = -), else a new UUID. */
export function pickRequestId(value: string | string[] | undefined): string {
  const v = Array.isArray(value) ? value[0] : value;
  return v !== undefined && REQUEST_ID.test(v) ? v : randomUUID();
}

export interface ForwardInfo {
  requestId: string;
  clientIp: string;
  proto: 'http' | 'https';
  port: number;
  receivedAt: number;
}

/** The value of X-Forwarded-For after this hop: the client's list with the client IP appended. */
export function forwardedFor(existing: string | string[] | undefined, clientIp: string): string {
  const prior = (Array.isArray(existing) ? existing.join(', ') : existing ?? '').trim();
  return prior === '' ? clientIp : `${prior}, ${clientIp}`;
}

/** Headers the router sets on the way to the dyno (client values are replaced or extended). */
const SET_BY_ROUTER = new Set(['x-request-id', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-port', 'x-request-start', 'via']);

/**
 * The raw headers sent to the dyno: the client's end-to-end headers, minus the ones the router
 * sets, plus the router's. `keepUpgrade` keeps Connection/Upgrade for WebSocket handshakes.
 * One pass over the client's headers: this runs for every request.
 */
export function requestHeadersToDyno(rawHeaders: readonly string[], info: ForwardInfo, keepUpgrade = false): string[] {
  const listed = connectionTokens(rawHeaders);
  let priorXff: string | undefined;
  let priorVia: string | undefined;
  let upgrade: string | undefined;
  const out: string[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const n = rawHeaders[i].toLowerCase();
    const v = rawHeaders[i + 1];
    if (SET_BY_ROUTER.has(n)) {
      if (n === 'x-forwarded-for') priorXff = priorXff === undefined ? v : `${priorXff}, ${v}`;
      else if (n === 'via') priorVia = priorVia === undefined ? v : `${priorVia}, ${v}`;
      continue;
    }
    if (n === 'upgrade') upgrade = v;
    if (isHopByHop(n, listed)) continue;
    out.push(rawHeaders[i], v);
  }
  out.push(
    'X-Request-Id', info.requestId,
    'X-Forwarded-For', forwardedFor(priorXff, info.clientIp),
    'X-Forwarded-Proto', info.proto,
    'X-Forwarded-Port', String(info.port),
    'X-Request-Start', String(info.receivedAt),
    'Via', priorVia === undefined ? VIA : `${priorVia}, ${VIA}`,
  );
  if (keepUpgrade && upgrade !== undefined) out.push('Connection', 'Upgrade', 'Upgrade', upgrade);
  return out;
}

/** The raw headers sent to the client: the dyno's end-to-end headers plus Via. */
export function responseHeadersToClient(rawHeaders: readonly string[]): string[] {
  const listed = connectionTokens(rawHeaders);
  let priorVia: string | undefined;
  const out: string[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const n = rawHeaders[i].toLowerCase();
    if (n === 'via') priorVia = priorVia === undefined ? rawHeaders[i + 1] : `${priorVia}, ${rawHeaders[i + 1]}`;
    else if (!isHopByHop(n, listed)) out.push(rawHeaders[i], rawHeaders[i + 1]);
  }
  out.push('Via', priorVia === undefined ? VIA : `${priorVia}, ${VIA}`);
  return out;
}

/** `Host` without port and trailing dot, lower-cased; undefined when missing or malformed. */
export function normalizeHost(host: string | undefined): string | undefined {
  if (host === undefined) return undefined;
  let h = host.trim().toLowerCase();
  if (h.startsWith('[')) return undefined; // IP literals never name an app
  const colon = h.indexOf(':');
  if (colon >= 0) {
    if (!/^\d{1,5}$/.test(h.slice(colon + 1))) return undefined;
    h = h.slice(0, colon);
  }
  if (h.endsWith('.')) h = h.slice(0, -1);
  return /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/.test(h) ? h : undefined;
}
