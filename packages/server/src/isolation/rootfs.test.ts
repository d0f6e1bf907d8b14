import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { lstat, mkdtemp, readFile, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { etcFiles, hostsFile, prepareRootfs, rewriteHosts, usableNameservers, writeEtc } from './rootfs.js';

const user = { uid: 64000, gid: 64000, name: 'dyno', home: '/app' };

describe('generated /etc', () => {
  const dirs: string[] = [];
  after(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('has the dyno user, no host accounts, hosts with the app peers', () => {
    const f = etcFiles({ hostname: 'web.1', user, hosts: [{ ip: '10.213.0.2', names: ['web.1.shop.internal'] }], nameservers: ['10.0.0.53'] });
    assert.match(f.passwd, /^dyno:x:64000:64000:dyno:\/app:\/bin\/sh$/m);
    assert.equal(f.passwd.split('\n').filter(Boolean).length, 3);
    assert.match(f.hosts, /^10\.213\.0\.2\tweb\.1\.shop\.internal$/m);
    assert.match(f.hosts, /^127\.0\.1\.1\tweb\.1$/m);
    assert.equal(f['resolv.conf'], 'nameserver 10.0.0.53\n');
    assert.match(f['nsswitch.conf'], /^hosts: files dns$/m);
  });

  it('drops loopback resolvers, which a network namespace cannot reach', () => {
    assert.deepEqual(usableNameservers('nameserver 127.0.0.53\nnameserver 10.1.2.3\n'), ['10.1.2.3']);
    assert.deepEqual(usableNameservers('nameserver 127.0.0.53\n'), ['1.1.1.1', '8.8.8.8']);
  });

  it('writes /etc, the rootfs mount points and symlinks, and rewrites hosts in place of the old', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'slipway-rootfs-'));
    dirs.push(dir);
    const binds = await writeEtc(path.join(dir, 'etc'), { hostname: 'worker.1', user, hosts: [], nameservers: ['10.0.0.1'] });
    assert.ok(binds.every((b) => b.readonly && b.source.startsWith('/etc/')));
    await prepareRootfs(path.join(dir, 'rootfs'), [{ name: 'bin', kind: 'symlink', target: 'usr/bin' }, { name: 'lib64', kind: 'dir' }]);
    assert.equal(await readlink(path.join(dir, 'rootfs', 'bin')), 'usr/bin');
    assert.ok((await lstat(path.join(dir, 'rootfs', 'lib64'))).isDirectory());
    assert.ok((await lstat(path.join(dir, 'rootfs', 'app'))).isDirectory());
    await rewriteHosts(path.join(dir, 'etc'), 'worker.1', [{ ip: '10.9.0.3', names: ['web.1.a.internal'] }]);
    assert.equal(await readFile(path.join(dir, 'etc', 'hosts'), 'utf8'), hostsFile('worker.1', [{ ip: '10.9.0.3', names: ['web.1.a.internal'] }]));
  });
});
