import { defineCommand } from '../framework/command.js';
import { CliError } from '../framework/errors.js';
import { platformNodeArgs, runChild } from '../platform/spawn.js';

export default defineCommand({
  summary: 'check the prerequisites and settings of the platform on this host, one line per check',
  usage: 'doctor',
  description: 'Checks what `slipway server` would run with (the same SLIPWAY_* variables): the runtime driver\nand why, runc and conmon, the cgroup mode, iptables, the dyno bridge, free ports, the TLS\ncertificate (openssl), the data dir (writable, hooks safe in its Node package scope) and the store.\nEach failure comes with a fix. Exits 1 when the platform would run degraded (e.g. dynos not\nisolated), 0 when everything passed.',
  examples: [
    '$ slipway doctor\nok    runtime          runc (SLIPWAY_RUNTIME=auto): dynos are isolated containers\nok    root             Linux, uid 0\nok    runc             runc version 1.1.5+ds1\nok    conmon           conmon version 2.1.6\nok    cgroups          cgroup v1 (legacy hierarchy)\nok    iptables         iptables v1.8.9 (nf_tables)\n…\nAll 14 checks passed: the platform would run fully isolated.',
    '$ slipway doctor\nFAIL  runtime          process (fallback, NOT isolated): runc is not usable: conmon: conmon is not installed (not found on PATH)\n                       fix: apt-get install conmon, or npm run setup (installs it with apt as root on Debian/Ubuntu)\n…\nError: The platform would run degraded: fix the FAIL lines above.',
  ],
  flags: {},
  async run() {
    const code = await runChild({ execPath: process.execPath, args: platformNodeArgs(undefined, '@slipway/server/doctor') });
    if (code !== 0) throw new CliError('The platform would run degraded: fix the FAIL lines above.', code);
  },
});
