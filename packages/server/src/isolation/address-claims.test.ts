import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createAddressClaims, parseNetnsAddresses } from './address-claims.js';

describe('host-wide address claims', () => {
  const dirs: string[] = [];
  after(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });
  const setup = async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'slipway-claims-'));
    dirs.push(root);
    const netnsDir = path.join(root, 'netns');
    await mkdir(netnsDir);
    let clock = Date.now();
    const claims = createAddressClaims({ bridge: 'br0', dir: path.join(root, 'claims'), netnsDir, staleMs: 60_000, now: () => clock });
    return { root, netnsDir, claims, advance: (ms: number) => (clock += ms) };
  };

  it('one owner per address; the owner may claim again; release frees it', async () => {
    const { claims, netnsDir } = await setup();
    assert.equal(await claims.claim('10.9.0.2', 'a.web-1.x'), true);
    await writeFile(path.join(netnsDir, 'a.web-1.x'), '');
    assert.equal(await claims.claim('10.9.0.2', 'a.web-1.x'), true);
    assert.equal(await claims.claim('10.9.0.2', 'b.web-1.y'), false);
    assert.equal(claims.heldElsewhere('10.9.0.2'), true, 'remembered: the next start skips it without I/O');
    await claims.release('10.9.0.2', 'b.web-1.y');
    assert.equal(await claims.claim('10.9.0.2', 'b.web-1.y'), false, 'only the owner releases');
    await claims.release('10.9.0.2', 'a.web-1.x');
    assert.equal(claims.heldElsewhere('10.9.0.2'), false);
    assert.equal(await claims.claim('10.9.0.2', 'b.web-1.y'), true);
  });

  it('a claim whose network namespace is gone goes stale after a while (a fresh one does not)', async () => {
    const { claims, root, advance } = await setup();
    assert.equal(await claims.claim('10.9.0.3', 'dead.web-1.z'), true);
    assert.equal(await claims.claim('10.9.0.3', 'c.web-1.q'), false, 'fresh: its netns may be on its way');
    const file = path.join(root, 'claims', 'br0', '10.9.0.3');
    const old = new Date(Date.now() - 120_000);
    await utimes(file, old, old);
    advance(1);
    assert.equal(await claims.claim('10.9.0.3', 'c.web-1.q'), true);
    await assert.rejects(claims.claim('../etc/x', 'c'), /IPv4/);
  });

  it('reads the addresses set inside namespaces from `ip -all netns exec ip -4 -o addr show`', () => {
    const out = '\nnetns: shop.web-1.ab\n1: lo    inet 127.0.0.1/8 scope host lo\\ valid_lft forever\n2: eth0    inet 10.213.0.4/16 scope global eth0\\ valid_lft forever\n\nnetns: other\n';
    assert.deepEqual(parseNetnsAddresses(out), [['shop.web-1.ab', '10.213.0.4']]);
  });
});
