/**
 * Bring a test Swarm cluster up or down by hand (as root):
 *   node packages/server/dist/test/helpers/swarm-cluster-cli.js up [name] [nodes]
 *   node packages/server/dist/test/helpers/swarm-cluster-cli.js down [name]
 * `up` prints DOCKER_HOST of the manager and the advertise address and leaves the daemons running.
 */
import os from 'node:os';
import path from 'node:path';
import { readSwarmClusterState, startSwarmCluster } from './swarm-cluster.js';

const [cmd, name = 'swc', nodes = '3'] = process.argv.slice(2);
const dir = path.join(os.tmpdir(), `slipway-swarm-${name.replace(/[^a-z0-9]/gi, '')}`);
if (cmd === 'up') {
  const n = Number(nodes);
  if (n !== 1 && n !== 2 && n !== 3) {
    process.stderr.write('nodes must be 1, 2 or 3\n');
    process.exit(1);
  }
  const c = await startSwarmCluster({ nodes: n, name, baseDir: dir });
  process.stdout.write(`DOCKER_HOST=${c.dockerHost}\nSLIPWAY_SWARM_ADVERTISE_ADDR=${c.advertiseAddr}\n` +
    c.nodes.map((x) => `${x.name} ${x.address} ${x.dockerHost}`).join('\n') + '\n');
} else if (cmd === 'down') {
  await (await readSwarmClusterState(dir)).stop();
} else {
  process.stderr.write('usage: swarm-cluster-cli up|down [name] [nodes]\n');
  process.exit(1);
}
