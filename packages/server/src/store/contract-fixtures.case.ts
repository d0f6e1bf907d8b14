/** Small builders for the store contract suite (`anApp(store, owner, { name })`). */
import type { AppRecord, DynoRecord, New, ReleaseRecord, Repos, SlugRecord, Store, UserRecord } from './types.js';

export interface StoreSubject {
  store: Store;
  /** Opens another store on the same data (after `store` was closed), when the implementation can. */
  reopen?: () => Promise<Store>;
}

export interface ContractContext {
  readonly store: Store;
  readonly subject: StoreSubject;
  /** Closes this store after the case too. */
  own<T extends { close(): Promise<void> }>(store: T): T;
}

let seq = 0;
const next = () => ++seq;

export function aUser(repos: Repos, over: Partial<{ email: string; admin: boolean; id: string }> = {}): Promise<UserRecord> {
  return repos.users.create({ email: over.email ?? `user${next()}@example.com`, admin: over.admin ?? false, ...(over.id ? { id: over.id } : {}) });
}

export function anApp(repos: Repos, owner: UserRecord, over: Partial<New<AppRecord>> = {}): Promise<AppRecord> {
  return repos.apps.create({
    name: `app-${next()}`,
    ownerId: owner.id,
    region: 'us',
    stack: 'heroku-24',
    maintenance: false,
    preboot: false,
    releasedAt: null,
    ...over,
  });
}

export function aSlug(repos: Repos, app: AppRecord, over: Partial<New<SlugRecord>> = {}): Promise<SlugRecord> {
  return repos.slugs.create({
    appId: app.id,
    checksum: 'SHA256:abc',
    size: 1234,
    processTypes: { web: 'node server.js' },
    commit: 'deadbeef',
    commitDescription: 'first',
    buildpackProvidedDescription: 'Node.js',
    stack: 'heroku-24',
    blobPath: `slugs/${app.id}/s.tgz`,
    ...over,
  });
}

export function aRelease(
  repos: Repos,
  app: AppRecord,
  user: UserRecord,
  over: Partial<Omit<New<ReleaseRecord>, 'version'>> = {},
): Promise<ReleaseRecord> {
  return repos.releases.create({
    appId: app.id,
    slugId: null,
    config: {},
    description: 'Initial release',
    status: 'succeeded',
    userId: user.id,
    ...over,
  });
}

export function aDyno(app: AppRecord, over: Partial<New<DynoRecord>> = {}): New<DynoRecord> {
  const name = over.name ?? 'web.1';
  return {
    appId: app.id,
    name,
    type: name.split('.')[0],
    command: 'npm start',
    size: 'standard-1x',
    state: 'starting',
    releaseId: null,
    releaseVersion: null,
    host: '127.0.0.1',
    port: 40123,
    driverRef: { pid: 4242 },
    attach: false,
    restartCount: 0,
    exitCode: null,
    ...over,
  };
}

/** An owner and an app, the start of most cases. */
export async function anOwnedApp(repos: Repos, over: Partial<New<AppRecord>> = {}): Promise<{ user: UserRecord; app: AppRecord }> {
  const user = await aUser(repos);
  return { user, app: await anApp(repos, user, over) };
}
