import assert from 'node:assert/strict';
import { test } from 'node:test';
import { packageClosure, parseDpkgQuery, stackKey } from './stack-image.js';

const DPKG = [
  'nodejs\t20.20.2-1nodesource1\tinstall ok installed\tlibc6 (>= 2.28), python3-minimal | python3:any, , \t',
  'python3-minimal\t3.11.2-1+b1\tinstall ok installed\t, python3.11-minimal (>= 3.11.2-1~)\t',
  'python3.11-minimal\t3.11.2-6\tinstall ok installed\tlibpython3.11-minimal (= 3.11.2-6), libexpat1 (>= 2.1~beta3), zlib1g (>= 1:1.2.0), \t',
  'libpython3.11-minimal\t3.11.2-6\tinstall ok installed\tlibc6 (>= 2.36), \t',
  'libc6:amd64\t2.36-9\tinstall ok installed\tlibgcc-s1, \t',
  'libgcc-s1:amd64\t12.2.0-14\tinstall ok installed\tgcc-12-base (= 12.2.0-14), libc6 (>= 2.35), \t',
  'gcc-12-base:amd64\t12.2.0-14\tinstall ok installed\t, \t',
  'mawk\t1.3.4\tinstall ok installed\tlibc6 (>= 2.34), \tawk',
  'debconf\t1.5.82\tinstall ok installed\tperl-base (>= 5.20.1-3~), \t',
  'perl-base\t5.36\tinstall ok installed\t, \t',
  'ca-certificates\t20230311\tinstall ok installed\topenssl (>= 1.1.1), debconf (>= 0.5) | debconf-2.0\t',
  'openssl\t3.0.15\tinstall ok installed\tlibc6 (>= 2.34), \t',
  'old-thing\t1.0\tdeinstall ok config-files\tlibc6, \t',
].join('\n');

test('the stack is the Depends closure of its roots, alternatives and virtual packages resolved, skips not followed', () => {
  const installed = parseDpkgQuery(DPKG);
  assert.equal(installed.find((p) => p.name === 'old-thing'), undefined);
  assert.deepEqual(installed.find((p) => p.name === 'libc6')!.depends, [['libgcc-s1']]);
  const names = packageClosure(installed, ['nodejs', 'awk', 'ca-certificates', 'not-installed'], ['debconf']).map((p) => p.name);
  // libexpat1 and zlib1g are not installed in this list: not followed.
  assert.deepEqual(names, ['ca-certificates', 'gcc-12-base', 'libc6', 'libgcc-s1', 'libpython3.11-minimal', 'mawk', 'nodejs', 'openssl',
    'python3-minimal', 'python3.11-minimal']);
});

test('the content key changes with any package version and nothing else', () => {
  const installed = parseDpkgQuery(DPKG);
  const a = packageClosure(installed, ['nodejs'], []);
  const b = packageClosure(parseDpkgQuery(DPKG.replace('20.20.2-1nodesource1', '20.20.3-1nodesource1')), ['nodejs'], []);
  assert.equal(stackKey(a), stackKey(packageClosure(installed, ['nodejs'], [])));
  assert.notEqual(stackKey(a), stackKey(b));
});
