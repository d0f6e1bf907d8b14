import type { ConfigVars } from '@slipway/contract';
import { defineCommand } from '../../framework/command.js';
import { path } from '../../api/client.js';
import { styledObject } from '../../format/styled.js';
import { parseConfigPairs } from '../../parse/config-pairs.js';
import { latestReleaseVersion } from '../../api/releases.js';

export default defineCommand({
  summary: 'set one or more config vars (creates a release and restarts the dynos)',
  usage: 'config:set KEY1=VALUE1 [KEY2=VALUE2 ...] [-a APP]',
  aliases: ['config:add'],
  app: true,
  examples: ['$ slipway config:set RAILS_ENV=staging "GREETING=hello world" -a myapp\nSetting RAILS_ENV, GREETING and restarting myapp... done, v12\nRAILS_ENV: staging\nGREETING:  hello world'],
  flags: { json: { type: 'boolean', description: 'output the resulting config vars in JSON format' } },
  async run(ctx) {
    const vars = parseConfigPairs(ctx.args);
    const app = await ctx.app();
    const keys = Object.keys(vars);
    const result = await ctx.action(
      `Setting ${keys.join(', ')} and restarting ${app}`,
      async () => {
        const config = await ctx.api.patch<ConfigVars>(path`/apps/${app}/config-vars`, vars);
        return { config, version: await latestReleaseVersion(ctx, app) };
      },
      (r) => (r.version === undefined ? 'done' : `done, v${r.version}`),
    );
    if (ctx.bool('json')) return ctx.json(result.config);
    const shown: Record<string, string> = {};
    for (const k of keys) if (result.config[k]) shown[k] = result.config[k];
    styledObject(shown).forEach((l) => ctx.out(l));
  },
});

