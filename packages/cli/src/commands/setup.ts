import { defineCommand } from '../framework/command.js';
import { CliError } from '../framework/errors.js';
import { runSetup } from '../platform/setup.js';

export default defineCommand({
  summary: 'install the system packages the platform uses (apt, as root on Debian/Ubuntu)',
  usage: 'setup [--check]',
  description: 'Installs what is missing of runc, conmon, iptables, iproute2, openssl, util-linux, git, tar and\npython3-venv with apt-get (as root on Debian/Ubuntu); runs nothing when all are there. Elsewhere,\nor without root, prints what is missing and the command that installs it, and exits 0: the\nplatform then runs degraded and says so. `npm run setup` at the repository root runs it.',
  examples: [
    '$ slipway setup\nAll 9 system packages Slipway uses are installed (runc, conmon, iptables, iproute2, openssl, util-linux, git, tar, python3-venv).',
    '$ slipway setup --check\nSlipway uses these system packages, missing here:\n  conmon  (Debian package conmon): supervises runc dynos so they outlive a platform restart\nInstall them as root on Debian/Ubuntu with:\n  apt-get install -y conmon\n…\nError: Missing system packages (see above).',
  ],
  flags: {
    check: { type: 'boolean', description: 'only report what is missing; install nothing (exit 1 when something is)' },
  },
  async run(ctx) {
    const code = await runSetup({ checkOnly: ctx.bool('check'), out: ctx.io.stdout });
    if (code !== 0) throw new CliError(ctx.bool('check') ? 'Missing system packages (see above).' : 'Setup did not complete (see above).', code);
  },
});
