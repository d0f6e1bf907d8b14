/**
 * Auth: API tokens (hashed at rest), the first admin, dashboard passwords and sessions, and request
 * authentication (a token in `Authorization`, or a session cookie with its CSRF rules).
 */
import type { IncomingMessage } from 'node:http';
import { SlipwayError } from '../errors.js';
import type { Store, UserRecord } from '../store/types.js';
import { tokenFromAuthorization } from './credentials.js';
import { hashPassword, verifyPassword } from './passwords.js';
import { csrfProblem, csrfToken, isSessionToken, sessionAlive, sessionFromCookie, SESSION_DESCRIPTION } from './sessions.js';
import { generateToken, hashToken } from './tokens.js';

export { generateToken, hashToken, TOKEN_PREFIX } from './tokens.js';
export { tokenFromAuthorization } from './credentials.js';
export { bootstrapAdmin, type BootstrapResult } from './bootstrap.js';
export { hashPassword, verifyPassword, passwordProblem, MIN_PASSWORD_LENGTH } from './passwords.js';
export { createSignInThrottle, type SignInThrottle } from './sign-in-throttle.js';
export {
  csrfToken, sessionCookie, clearedSessionCookie, sessionFromCookie, isSessionToken, SESSION_COOKIE, CSRF_HEADER,
} from './sessions.js';

/** `lastUsedAt` is written at most this often per token (keeps reads read-only under load). */
const TOUCH_EVERY_MS = 60_000;

export interface SignedIn {
  user: UserRecord;
  /** The session token: the cookie's value. */
  token: string;
  csrfToken: string;
}

export interface Auth {
  /**
   * The user behind a request's `Authorization` header or session cookie, or undefined. Throws a
   * `forbidden` SlipwayError for a cookie-authenticated request that fails the CSRF rules.
   */
  authenticate(req: IncomingMessage): Promise<UserRecord | undefined>;
  /** The user behind a raw token (git, log sessions). */
  userForToken(token: string): Promise<UserRecord | undefined>;
  /** Issues a new token for a user; returns the token (shown once). */
  issueToken(userId: string, description: string): Promise<string>;
  /** Sets a user's dashboard password (the caller checks `passwordProblem` first). */
  setPassword(userId: string, password: string): Promise<void>;
  /** Email + password → a new session, or undefined when either is wrong. */
  signIn(email: string, password: string): Promise<SignedIn | undefined>;
  /** The live session of a request's cookie (no CSRF check: for reading the session itself). */
  session(req: IncomingMessage): Promise<SignedIn | undefined>;
  /** Ends the session of a request's cookie, if any. */
  signOut(req: IncomingMessage): Promise<void>;
}

export function createAuth(deps: { store: Store; now?: () => Date }): Auth {
  const { store } = deps;
  const now = deps.now ?? (() => new Date());
  // Verified against when the email is unknown, so a wrong email takes as long as a wrong password.
  let decoy: Promise<string> | undefined;
  const touch = async (record: { id: string; lastUsedAt: Date | null }) => {
    const at = now();
    if (!record.lastUsedAt || at.getTime() - record.lastUsedAt.getTime() > TOUCH_EVERY_MS) await store.tokens.touch(record.id, at);
  };
  const userForToken = async (token: string): Promise<UserRecord | undefined> => {
    const record = await store.tokens.findByHash(hashToken(token));
    if (!record) return undefined;
    if (isSessionToken(record) && !sessionAlive(record, now())) return undefined;
    await touch(record);
    return store.users.get(record.userId);
  };
  const liveSession = async (req: IncomingMessage) => {
    const token = sessionFromCookie(req.headers.cookie);
    if (token === undefined) return undefined;
    const record = await store.tokens.findByHash(hashToken(token));
    if (!record || !isSessionToken(record) || !sessionAlive(record, now())) return undefined;
    return { token, record };
  };
  return {
    userForToken,
    async authenticate(req) {
      if (req.headers.authorization !== undefined) {
        const token = tokenFromAuthorization(req.headers.authorization);
        return token === undefined ? undefined : userForToken(token);
      }
      const live = await liveSession(req);
      if (!live) return undefined;
      const problem = csrfProblem(req, live.token);
      if (problem) throw new SlipwayError('forbidden', problem);
      await touch(live.record);
      return store.users.get(live.record.userId);
    },
    async issueToken(userId, description) {
      const token = generateToken();
      await store.tokens.create({ userId, tokenHash: hashToken(token), description });
      return token;
    },
    async setPassword(userId, password) {
      await store.passwords.set(userId, await hashPassword(password));
    },
    async signIn(email, password) {
      const user = await store.users.findByEmail(email);
      const stored = user ? await store.passwords.get(user.id) : undefined;
      if (!user || stored === undefined) {
        await verifyPassword(password, await (decoy ??= hashPassword('decoy password')));
        return undefined;
      }
      if (!(await verifyPassword(password, stored))) return undefined;
      const token = generateToken();
      await store.tokens.create({ userId: user.id, tokenHash: hashToken(token), description: SESSION_DESCRIPTION });
      return { user, token, csrfToken: csrfToken(token) };
    },
    async session(req) {
      const live = await liveSession(req);
      if (!live) return undefined;
      const user = await store.users.get(live.record.userId);
      return user && { user, token: live.token, csrfToken: csrfToken(live.token) };
    },
    async signOut(req) {
      const live = await liveSession(req);
      if (live) await store.tokens.delete(live.record.id);
    },
  };
}
