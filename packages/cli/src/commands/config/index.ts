import type { ConfigVars } from '@slipway/contract';
import { defineCommand } from '../../framework/command.js';
import { path } from '../../api/client.js';
import { header, shellQuote, styledObject } from '../../format/styled.js';

export default defineCommand({
  summary: 'display the config vars for an app',
  usage: 'config [-a APP] [--json | --shell]',
  app: true,
  examples: ['$ slipway config -a myapp\n=== myapp Config Vars\n\nDATABASE_URL: postgres://db.example/myapp\nFOO:          bar'],
  flags: {
    json: { type: 'boolean', char: 'j', description: 'output config vars in JSON format' },
    shell: { type: 'boolean', char: 's', description: 'output config vars in shell format' },
  },
  async run(ctx) {
    const app = await ctx.app();
    const vars = await ctx.api.get<ConfigVars>(path`/apps/${app}/config-vars`);
    if (ctx.bool('json')) return ctx.json(vars);
    const keys = Object.keys(vars).sort();
    if (ctx.bool('shell')) {
      for (const k of keys) ctx.out(`${k}=${shellQuote(vars[k])}`);
      return;
    }
    ctx.out(header(`${app} Config Vars`));
    ctx.out();
    styledObject(vars, keys).forEach((l) => ctx.out(l));
  },
});
