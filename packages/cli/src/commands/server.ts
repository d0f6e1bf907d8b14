import { defineCommand } from '../framework/command.js';
import { CliError } from '../framework/errors.js';
import { platformNodeArgs, runChild } from '../platform/spawn.js';

export default defineCommand({
  summary: 'start the Slipway platform (API, git, dyno manager, router, logplex) in the foreground',
  usage: 'server',
  description: 'The same as `npm start` at the repository root. Configured with SLIPWAY_* environment\nvariables (SLIPWAY_API_PORT, SLIPWAY_ROUTER_PORT, SLIPWAY_DATA_DIR…). Ctrl-C stops it gracefully.',
  examples: ['$ slipway server\nat=info msg=part.started part=store\n…'],
  flags: {},
  async run(ctx) {
    const args = [...platformNodeArgs(), ...ctx.args];
    const code = await runChild({ execPath: process.execPath, args });
    if (code !== 0) throw new CliError(`The platform exited with code ${code}.`, code);
  },
});
