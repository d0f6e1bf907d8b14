/**
 * heroku-postgresql under the runc runtime (issue 14, isolation): the server listens on the
 * bridge's host address and DATABASE_URL names it; a dyno of an app attached to the add-on reaches
 * it (its veth gets an accept for the server's port), a dyno of an app with no attachment cannot
 * even open a TCP connection to it — not with the right password either — until the add-on is
 * attached to its app, and again not after the detach.
 *
 * Real components: the platform with SLIPWAY_RUNTIME=runc on its own bridge and subnet, runc +
 * conmon dynos of the pg-app fixture (real `pg` client), iptables, PostgreSQL 15, the official CLI.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { findPgBin } from '../../src/addons/index.js';
import { isRuncUsable } from '../../src/isolation/index.js';
import { runcAddonHarness } from './runc-addon-harness.js';

const usable = await isRuncUsable();
const skip = !usable.usable ? `runc is not usable here: ${usable.reason}` : findPgBin() === '' ? 'no PostgreSQL server binaries' : undefined;
const id = randomBytes(2).toString('hex');
const ONE = `pgr-one-${id}`;
const OTHER = `pgr-other-${id}`;

describe('heroku-postgresql on runc: reachable only from attached apps\' dynos', { skip: skip ?? false, timeout: 15 * 60_000 }, () => {
  const h = runcAddonHarness({ fixture: 'pg-app', apps: [ONE, OTHER], bridgePrefix: 'slwp', logLines: /addons|firewall|error/ });

  test('the attached app\'s dyno reads and writes; another app\'s dyno cannot connect until attached', async () => {
    await h.heroku(['addons:create', 'heroku-postgresql:essential-0', '-a', ONE]);
    const url = (await h.config(ONE)).DATABASE_URL;
    assert.equal(new URL(url).hostname, h.bridgeHost(), 'the bridge\'s host address');
    // the other app is given the whole URL, password included: the network alone must refuse it
    await h.setConfig(OTHER, { DB_PROBE_URL: url });
    await h.push([ONE, OTHER]);
    assert.equal((await h.answer(ONE, '/write?v=runc', (r) => r.status === 200)).body, 'written');
    assert.equal((await h.answer(ONE, '/count', (r) => r.status === 200)).body, '1');
    // the host reaches it too (pg:psql runs the host's psql against the bridge address)
    assert.match((await h.heroku(['pg:psql', '-a', ONE, '-c', 'select count(*) from items'])).stdout, /^\s+1$/m);
    const refused = await h.answer(OTHER, '/probe?var=DB_PROBE_URL', (r) => r.status === 500);
    assert.match(refused.body, /timeout|ETIMEDOUT|EHOSTUNREACH|ECONNREFUSED/i, refused.body);

    await h.heroku(['addons:attach', (await h.heroku(['addons', '-a', ONE])).stdout.match(/postgresql-[a-z]+-\d{5}/)![0], '-a', OTHER, '--as', 'SHARED']);
    assert.equal((await h.answer(OTHER, '/count?var=SHARED_URL', (r) => r.status === 200)).body, '1');

    await h.heroku(['addons:detach', 'SHARED', '-a', OTHER]);
    const again = await h.answer(OTHER, '/probe?var=DB_PROBE_URL', (r) => r.status === 500 && /timeout|ETIMEDOUT|EHOSTUNREACH|ECONNREFUSED/i.test(r.body));
    assert.equal(again.status, 500);
  });
});
