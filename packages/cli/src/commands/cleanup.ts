import { defineCommand } from '../framework/command.js';
import { CliError } from '../framework/errors.js';
import { platformNodeArgs, runChild } from '../platform/spawn.js';

export default defineCommand({
  summary: 'remove everything a stopped or killed platform left on this host (processes, namespaces, firewall rules, /run files)',
  usage: 'cleanup [--data-dir DIR | --instance ID | --orphans]',
  description: [
    'Run as root on the platform\'s host. Finds a platform instance\'s host state by its id (saved in',
    '<data dir>/instance-id and in /run/slipway/instances/<id>.json), so it works after a SIGKILL and',
    'a deleted data dir: kills its router process, conmon, dynos and build steps, removes their',
    'cgroups, mounts, network namespaces, veths, iptables rules and chains, address claims and the',
    'owner file, and the bridge when nothing else uses it. A running platform is refused (stop it',
    'first). The data dir itself (apps, releases, slugs) is left alone.',
    '',
    'Without a flag: the instance of SLIPWAY_DATA_DIR (default ./.slipway).',
  ].join('\n'),
  examples: [
    '$ sudo slipway cleanup --orphans\ninstance 3f9c01aa: removed 9 processes, 6 cgroups, 0 mounts, 6 network namespaces, 0 veths, 17 iptables rules, 6 address claims, bridge slipway0',
    '$ sudo slipway cleanup --data-dir /srv/slipway\nslipway cleanup: The platform of instance 3f9c01aa (/srv/slipway) is running as pid 4211: stop it first (Ctrl-C or SIGINT stops its router and dynos too).',
  ],
  flags: {
    'data-dir': { type: 'string', description: 'clean up the instance of this data dir' },
    instance: { type: 'string', description: 'clean up the instance with this id (8 hex digits)' },
    orphans: { type: 'boolean', description: 'clean up every instance whose platform process is dead' },
  },
  async run(ctx) {
    const args: string[] = [];
    if (typeof ctx.flags['data-dir'] === 'string') args.push('--data-dir', ctx.flags['data-dir']);
    if (typeof ctx.flags.instance === 'string') args.push('--instance', ctx.flags.instance);
    if (ctx.flags.orphans === true) args.push('--orphans');
    const code = await runChild({ execPath: process.execPath, args: [...platformNodeArgs(undefined, '@slipway/server/cleanup'), ...args] });
    if (code !== 0) throw new CliError('Cleanup did not finish: see the lines above.', code);
  },
});
