/**
 * A build step's own network: a network namespace on the dynos' bridge (a `slb*` veth, an address
 * claimed host-wide so no dyno gets it) whose firewall chain lets it out to the world through NAT
 * and nowhere else: no dyno, no address of the host (so not the API, the router, a database or
 * sshd on any of its addresses or on loopback, which is the namespace's own), no link-local
 * (cloud metadata), and private ranges too when the operator blocks them for dynos
 * (isolation/firewall.ts). No IPv6. The namespace and its rules are removed when the step ends.
 */
import {
  attachContainer, cidrString, createAddressClaims, createFirewall, createNetworkLock, detachContainer, dynoIpRange, ensureBridge, hostNameservers, ipToString,
  parseCidr, type BridgeNetwork, type Firewall, type OutboundBlock,
} from '../isolation/index.js';
import type { Logger } from '../log/index.js';

export interface BuildNetworkOptions {
  bridge: string;
  subnet: string;
  instance: string;
  outboundBlock: OutboundBlock;
  logger: Logger;
  /** Where host-wide address claims live (default /run/slipway/claims). */
  claimsDir?: string;
}

export interface BuildNetwork {
  /** Runs `fn` with a fresh namespace for container `id` (its name), removed after. */
  use<T>(id: string, fn: (netnsPath: string) => Promise<T>): Promise<T>;
  /** Removes the build chain once no step runs (the sandbox closes). */
  close(): Promise<void>;
}

export function createBuildNetwork(opts: BuildNetworkOptions): BuildNetwork {
  const net: BridgeNetwork = { bridge: opts.bridge, subnet: parseCidr(opts.subnet), routerPort: null, instance: opts.instance, outboundBlock: opts.outboundBlock };
  const claims = createAddressClaims({ bridge: net.bridge, dir: opts.claimsDir });
  const lock = createNetworkLock();
  let fwP: Promise<Firewall> | undefined;
  const firewall = () => (fwP ??= (async () => {
    // `routerPort: null`: builds never reach a router (the platform's own router rule is the driver's and is kept).
    const fw = createFirewall({
      net: { bridge: net.bridge, cidr: cidrString(net.subnet) }, instance: opts.instance, routerPort: null, outboundBlock: opts.outboundBlock,
      resolvers: await hostNameservers(),
    });
    await ensureBridge(net, fw);
    return fw;
  })().catch((err: unknown) => {
    fwP = undefined;
    throw err;
  }));

  /** Builds take addresses from the top of the range down (dynos start at the bottom). */
  const claim = async (owner: string): Promise<string> => {
    const range = dynoIpRange(net.subnet);
    for (let n = range.last; n >= range.first; n--) {
      const ip = ipToString(n);
      if (claims.heldElsewhere(ip)) continue;
      if (await claims.claim(ip, owner)) return ip;
    }
    throw new Error('no free address left on the dyno network for a build');
  };

  return {
    async close() {
      if (!fwP) return;
      const fw = await fwP.catch(() => undefined);
      if (fw) await lock(() => fw.dropBuildChain());
    },
    async use(id, fn) {
      const fw = await firewall();
      const ip = await claim(id);
      const att = { containerId: id, netns: id, ip, appId: '', kind: 'build' as const };
      try {
        const a = await attachContainer(net, att, fw, lock);
        return await fn(a.netnsPath);
      } finally {
        await detachContainer(net, att, fw, lock).catch((err) => opts.logger.error('build.firewall_failed', { id, ip, error: String(err) }));
        await claims.release(ip, id);
      }
    },
  };
}
