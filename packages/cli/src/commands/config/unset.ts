import type { ConfigVarsPatch } from '@slipway/contract';
import { defineCommand } from '../../framework/command.js';
import { path } from '../../api/client.js';
import { UsageError } from '../../framework/errors.js';

import { latestReleaseVersion } from '../../api/releases.js';

export default defineCommand({
  summary: 'unset one or more config vars (creates a release and restarts the dynos)',
  usage: 'config:unset KEY1 [KEY2 ...] [-a APP]',
  aliases: ['config:remove'],
  app: true,
  examples: ['$ slipway config:unset RAILS_ENV GREETING -a myapp\nUnsetting RAILS_ENV, GREETING and restarting myapp... done, v13'],
  flags: {},
  async run(ctx) {
    if (ctx.args.length === 0) throw new UsageError('Missing KEY. Usage: slipway config:unset KEY1 [KEY2 ...] -a APP');
    const app = await ctx.app();
    const patch: ConfigVarsPatch = {};
    for (const k of ctx.args) patch[k] = null;
    await ctx.action(
      `Unsetting ${ctx.args.join(', ')} and restarting ${app}`,
      async () => {
        await ctx.api.patch(path`/apps/${app}/config-vars`, patch);
        return latestReleaseVersion(ctx, app);
      },
      (v) => (v === undefined ? 'done' : `done, v${v}`),
    );
  },
});
