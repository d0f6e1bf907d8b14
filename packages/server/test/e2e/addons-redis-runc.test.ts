/**
 * heroku-redis under the runc runtime (issue 14, isolation): the server listens on the bridge's
 * host address and REDIS_URL names it; a dyno of an app attached to the add-on reaches it (its
 * veth gets an accept for the server's ports), a dyno of an app with no attachment cannot even
 * open a TCP connection to it — not with the right password either — until the add-on is attached
 * to its app, and again not after the detach.
 *
 * Real components: the platform with SLIPWAY_RUNTIME=runc on its own bridge and subnet, runc +
 * conmon dynos of the redis-app fixture (real `redis` client), iptables, redis-server, the
 * official CLI.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { describe, test } from 'node:test';
import { isRuncUsable } from '../../src/isolation/index.js';
import { runcAddonHarness } from './runc-addon-harness.js';

const usable = await isRuncUsable();
const skip = !usable.usable ? `runc is not usable here: ${usable.reason}` : !existsSync('/usr/bin/redis-server') ? 'no redis-server (apt-get install redis-server)' : undefined;
const id = randomBytes(2).toString('hex');
const ONE = `rdr-one-${id}`;
const OTHER = `rdr-other-${id}`;

describe('heroku-redis on runc: reachable only from attached apps\' dynos', { skip: skip ?? false, timeout: 15 * 60_000 }, () => {
  const h = runcAddonHarness({ fixture: 'redis-app', apps: [ONE, OTHER], bridgePrefix: 'slwr', logLines: /addons|redis|firewall|error/ });
  const unreachable = /timeout|ETIMEDOUT|EHOSTUNREACH|ECONNREFUSED|Connection timeout/i;

  test('the attached app\'s dyno reads and writes; another app\'s dyno cannot connect until attached', async () => {
    await h.heroku(['addons:create', 'heroku-redis:mini', '-a', ONE]);
    const url = (await h.config(ONE)).REDIS_URL;
    assert.equal(new URL(url).hostname, h.bridgeHost(), 'the bridge\'s host address');
    // the other app is given the whole URL, password included: the network alone must refuse it
    await h.setConfig(OTHER, { REDIS_PROBE_URL: url });
    await h.push([ONE, OTHER]);
    assert.equal((await h.answer(ONE, '/set?k=k1&v=runc', (r) => r.status === 200)).body, 'OK');
    assert.equal((await h.answer(ONE, '/get?k=k1', (r) => r.status === 200)).body, 'runc');
    const refused = await h.answer(OTHER, '/probe?var=REDIS_PROBE_URL', (r) => r.status === 500);
    assert.match(refused.body, unreachable, refused.body);

    const addon = (await h.heroku(['addons', '-a', ONE])).stdout.match(/redis-[a-z]+-\d{5}/)![0];
    await h.heroku(['addons:attach', addon, '-a', OTHER, '--as', 'SHARED']);
    assert.equal((await h.answer(OTHER, '/probe?var=SHARED_URL', (r) => r.status === 200)).body, 'PONG');

    await h.heroku(['addons:detach', 'SHARED', '-a', OTHER]);
    const again = await h.answer(OTHER, '/probe?var=REDIS_PROBE_URL', (r) => r.status === 500 && unreachable.test(r.body));
    assert.equal(again.status, 500);
  });
});
