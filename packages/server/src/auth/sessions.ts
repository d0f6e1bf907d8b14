/**
 * Dashboard sessions. A session is a token in the tokens table (hashed at rest like any API token,
 * described `dashboard session`, deleted at sign-out) carried in an HttpOnly, SameSite=Strict cookie.
 * Cookie-authenticated requests that change state must carry the session's CSRF token in the
 * `X-CSRF-Token` header: an HMAC of the session token, so it needs no storage and a page from
 * another site can neither read nor guess it. Bearer/basic requests (CLIs, git) are unaffected.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { TokenRecord } from '../store/types.js';

export const SESSION_COOKIE = 'slipway_session';
export const CSRF_HEADER = 'x-csrf-token';
export const SESSION_DESCRIPTION = 'dashboard session';
/** A session ends after this long without a request… */
export const SESSION_IDLE_MS = 12 * 60 * 60 * 1000;
/** …and in any case this long after sign-in. */
export const SESSION_MAX_AGE_MS = 7 * 24 * 60 * 60 * 1000;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function isSessionToken(record: Pick<TokenRecord, 'description'>): boolean {
  return record.description === SESSION_DESCRIPTION;
}

/** True while a session token may still be used at `now`. Pure. */
export function sessionAlive(record: Pick<TokenRecord, 'createdAt' | 'lastUsedAt'>, now: Date): boolean {
  const t = now.getTime();
  if (t - record.createdAt.getTime() > SESSION_MAX_AGE_MS) return false;
  return t - (record.lastUsedAt ?? record.createdAt).getTime() <= SESSION_IDLE_MS;
}

export function csrfToken(sessionToken: string): string {
  return createHmac('sha256', sessionToken).update('slipway csrf v1').digest('base64url');
}

/** The session token from a `Cookie` header, or undefined. */
export function sessionFromCookie(header: string | undefined): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === SESSION_COOKIE) {
      const value = part.slice(eq + 1).trim();
      return /^[\w-]{10,200}$/.test(value) ? value : undefined;
    }
  }
  return undefined;
}

export function sessionCookie(token: string, opts: { secure: boolean }): string {
  return `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${SESSION_MAX_AGE_MS / 1000}${opts.secure ? '; Secure' : ''}`;
}

export function clearedSessionCookie(opts: { secure: boolean }): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${opts.secure ? '; Secure' : ''}`;
}

function sameString(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Why a cookie-authenticated request is refused, or undefined when it may go on: a state-changing
 * method needs the CSRF header, and a request that names its origin must come from this host.
 */
export function csrfProblem(req: Pick<IncomingMessage, 'method' | 'headers'>, sessionToken: string): string | undefined {
  const origin = req.headers.origin;
  if (origin !== undefined) {
    let host: string;
    try {
      host = new URL(origin).host;
    } catch {
      return 'Cross-origin request refused.';
    }
    if (host !== req.headers.host) return 'Cross-origin request refused.';
  }
  if (SAFE_METHODS.has((req.method ?? 'GET').toUpperCase())) return undefined;
  const sent = req.headers[CSRF_HEADER];
  if (typeof sent !== 'string' || !sameString(sent, csrfToken(sessionToken))) {
    return 'Missing or invalid CSRF token: a signed-in dashboard request that changes something must send the X-CSRF-Token header.';
  }
  return undefined;
}
