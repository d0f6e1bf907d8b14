import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTenantUids, isTenantUid, tenantUidCandidate, TENANT_UID_BASE } from './tenant-uids.js';

describe('tenant uids', () => {
  const dirs: string[] = [];
  after(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });
  const fresh = async () => {
    const d = await mkdtemp(path.join(tmpdir(), 'slipway-uids-'));
    dirs.push(d);
    return d;
  };

  it('derives a stable uid in the reserved range, different per app, gid = uid', async () => {
    const dir = await fresh();
    const uids = createTenantUids({ dir });
    const a = await uids.userFor('app-a');
    const b = await uids.userFor('app-b');
    assert.ok(isTenantUid(a.uid) && isTenantUid(b.uid), JSON.stringify([a, b]));
    assert.notEqual(a.uid, b.uid);
    assert.equal(a.gid, a.uid);
    assert.equal(a.uid, tenantUidCandidate('app-a', 0));
    assert.ok(a.uid >= TENANT_UID_BASE);
    // Another instance on the same dir (a restarted platform, or the build sandbox) agrees.
    assert.deepEqual(await createTenantUids({ dir }).userFor('app-a'), a);
    assert.equal(await readFile(path.join(dir, String(a.uid)), 'utf8'), 'app-a');
  });

  it('moves to the next candidate when another app holds the uid, and keeps it', async () => {
    const dir = await fresh();
    await writeFile(path.join(dir, String(tenantUidCandidate('app-c', 0))), 'someone-else');
    const c = await createTenantUids({ dir }).userFor('app-c');
    assert.equal(c.uid, tenantUidCandidate('app-c', 1));
    assert.deepEqual(await createTenantUids({ dir }).userFor('app-c'), c);
  });

  it('gives one uid to concurrent claims of the same app from two instances', async () => {
    const dir = await fresh();
    const [x, y] = await Promise.all([createTenantUids({ dir }).userFor('app-d'), createTenantUids({ dir }).userFor('app-d')]);
    assert.deepEqual(x, y);
  });
});
