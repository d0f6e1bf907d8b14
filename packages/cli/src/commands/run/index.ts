import { defineCommand } from '../../framework/command.js';
import { CliError } from '../../framework/errors.js';
import { RUN_FLAGS, runDetached } from './detached.js';

export default defineCommand({
  summary: 'run a one-off process inside a dyno',
  usage: 'run [--detached] COMMAND... [-a APP] [-s SIZE] [--type TYPE] [-e "A=1;B=2"]',
  description: 'Flags must come before COMMAND (or use -- before it). Attached mode (your terminal wired to the\ndyno) is not supported yet: use --detached or run:detached and read the output with `slipway logs`.',
  examples: ['$ slipway run --detached -a myapp -- node scripts/migrate.js\nRunning node scripts/migrate.js on myapp... done, run.2\nRun slipway logs --app myapp --dyno run.2 to view the output.'],
  app: true,
  passThrough: true,
  flags: { ...RUN_FLAGS, detached: { type: 'boolean', description: 'run in the background (same as run:detached)' } },
  async run(ctx) {
    if (!ctx.bool('detached')) {
      throw new CliError('Attached one-off dynos are not supported yet by slipway run. Use `slipway run --detached COMMAND` (or run:detached) and `slipway logs --dyno run.N`.');
    }
    await runDetached(ctx);
  },
});
