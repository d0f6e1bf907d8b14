/**
 * Auth: API tokens (hashed at rest), the first admin, and request authentication.
 */
import type { IncomingMessage } from 'node:http';
import type { Store, UserRecord } from '../store/types.js';
import { tokenFromAuthorization } from './credentials.js';
import { generateToken, hashToken } from './tokens.js';

export { generateToken, hashToken, TOKEN_PREFIX } from './tokens.js';
export { tokenFromAuthorization } from './credentials.js';
export { bootstrapAdmin, type BootstrapResult } from './bootstrap.js';

/** `lastUsedAt` is written at most this often per token (keeps reads read-only under load). */
const TOUCH_EVERY_MS = 60_000;

export interface Auth {
  /** The user behind a request's `Authorization` header, or undefined. */
  authenticate(req: IncomingMessage): Promise<UserRecord | undefined>;
  /** The user behind a raw token (git, log sessions). */
  userForToken(token: string): Promise<UserRecord | undefined>;
  /** Issues a new token for a user; returns the token (shown once). */
  issueToken(userId: string, description: string): Promise<string>;
}

export function createAuth(deps: { store: Store; now?: () => Date }): Auth {
  const { store } = deps;
  const now = deps.now ?? (() => new Date());
  const userForToken = async (token: string): Promise<UserRecord | undefined> => {
    const record = await store.tokens.findByHash(hashToken(token));
    if (!record) return undefined;
    const at = now();
    if (!record.lastUsedAt || at.getTime() - record.lastUsedAt.getTime() > TOUCH_EVERY_MS) {
      await store.tokens.touch(record.id, at);
    }
    return store.users.get(record.userId);
  };
  return {
    userForToken,
    async authenticate(req) {
      const token = tokenFromAuthorization(req.headers.authorization);
      return token === undefined ? undefined : userForToken(token);
    },
    async issueToken(userId, description) {
      const token = generateToken();
      await store.tokens.create({ userId, tokenHash: hashToken(token), description });
      return token;
    },
  };
}
