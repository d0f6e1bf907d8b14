/**
 * The runc driver against the RuntimeDriver contract suite, on real containers. Skipped, with the
 * reason, when this host cannot run them (not root, no runc/conmon, no cgroups). Uses its own
 * bridge and subnet, removed at the end.
 */
import { after, describe } from 'node:test';
import { randomBytes } from 'node:crypto';
import { testConfig } from '../config.js';
import { silentLogger } from '../log/index.js';
import { isRuncUsable, parseCidr, removeBridge } from '../isolation/index.js';
import { runDriverContract } from './driver.case.js';
import { createRuncDriver } from './runc-driver.js';

const usable = await isRuncUsable();
const bridge = `slwt${randomBytes(3).toString('hex')}`;
const subnet = `10.${200 + Math.floor(Math.random() * 50)}.${Math.floor(Math.random() * 250)}.0/24`;

if (!usable.usable) {
  describe('RuntimeDriver contract: runc', { skip: `runc is not usable here: ${usable.reason}` }, () => {});
} else {
  after(async () => {
    await removeBridge({ bridge, subnet: parseCidr(subnet), routerPort: null });
  });
  runDriverContract('runc', ({ dataDir }) => createRuncDriver({ config: testConfig(), logger: silentLogger, dataDir, network: { bridge, subnet } }));
}
