/**
 * The first admin: created at first boot with `SLIPWAY_ADMIN_TOKEN` or a generated token, which is
 * saved to `<dataDir>/admin-token` (mode 0600) and returned so the composition root prints it once.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config.js';
import type { Logger } from '../log/index.js';
import type { Store, UserRecord } from '../store/types.js';
import { generateToken, hashToken } from './tokens.js';

export interface BootstrapResult {
  admin: UserRecord;
  /** The token, only when it was created at this boot (print it once). */
  token?: string;
  /** Where a generated token was saved. */
  tokenFile: string;
  /** True when the admin user was created at this boot. */
  created: boolean;
}

export async function bootstrapAdmin(deps: { store: Store; config: Config; logger: Logger }): Promise<BootstrapResult> {
  const { store, config, logger } = deps;
  const tokenFile = path.join(config.dataDir, 'admin-token');
  const users = await store.users.list();
  let admin = users.find((u) => u.admin);
  if (!admin) {
    const token = config.adminToken !== '' ? config.adminToken : generateToken();
    admin = await store.transaction(async (tx) => {
      const user = (await tx.users.findByEmail(config.adminEmail)) ?? (await tx.users.create({ email: config.adminEmail, admin: true }));
      await tx.tokens.create({ userId: user.id, tokenHash: hashToken(token), description: 'admin (bootstrap)' });
      return user;
    });
    if (config.adminToken === '') {
      await mkdir(config.dataDir, { recursive: true });
      await writeFile(tokenFile, token + '\n', { mode: 0o600 });
    }
    logger.info('auth.admin_created', { email: admin.email });
    return { admin, token: config.adminToken === '' ? token : undefined, tokenFile, created: true };
  }
  if (config.adminToken !== '' && !(await store.tokens.findByHash(hashToken(config.adminToken)))) {
    await store.tokens.create({ userId: admin.id, tokenHash: hashToken(config.adminToken), description: 'admin (SLIPWAY_ADMIN_TOKEN)' });
    logger.info('auth.admin_token_registered', { email: admin.email });
  }
  return { admin, tokenFile, created: false };
}
