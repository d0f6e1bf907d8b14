/** v3: dashboard sign-in. A user's password hash (scrypt, self-describing string), one row per user. */
import { forBoth } from './types.js';

export const passwords = forBoth(3, 'passwords', (t) => `
CREATE TABLE passwords (
  user_id TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  hash TEXT NOT NULL,
  updated_at ${t.ts} NOT NULL
);
`);
