/**
 * Seeds state a running platform cannot yet be given through its API (e.g. a slug before the
 * builder exists), by opening the platform's own SQLite store in its data dir (WAL: safe while the
 * platform runs).
 */
import { createStore } from '../../src/store/index.js';
import { silentLogger } from '../../src/log/index.js';
import type { SlugRecord } from '../../src/store/types.js';

export async function seedSlug(platform: { dataDir: string }, appName: string, processTypes: Record<string, string>, commit = '1a2b3c4d5e6f'): Promise<SlugRecord> {
  const store = await createStore({ databaseUrl: '', dataDir: platform.dataDir, logger: silentLogger });
  try {
    const app = await store.apps.findByName(appName);
    if (!app) throw new Error(`no app ${appName}`);
    return await store.slugs.create({
      appId: app.id, checksum: null, size: 2048, processTypes, commit, commitDescription: null,
      buildpackProvidedDescription: null, stack: app.stack, blobPath: null,
    });
  } finally {
    await store.close();
  }
}
