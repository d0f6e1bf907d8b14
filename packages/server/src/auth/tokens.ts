/**
 * API tokens: `slw_` + 32 random bytes (base64url). Only the sha256 hex digest is stored.
 */
import { createHash, randomBytes } from 'node:crypto';

export const TOKEN_PREFIX = 'slw_';

export function generateToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
