import type { ConfigVars } from '@slipway/contract';
import { defineCommand } from '../../framework/command.js';
import { path } from '../../api/client.js';
import { UsageError } from '../../framework/errors.js';
import { shellQuote } from '../../format/styled.js';

export default defineCommand({
  summary: 'display a single config value for an app',
  usage: 'config:get KEY... [-a APP] [--json | --shell]',
  app: true,
  examples: ['$ slipway config:get FOO -a myapp\nbar'],
  flags: {
    json: { type: 'boolean', char: 'j', description: 'output in JSON format' },
    shell: { type: 'boolean', char: 's', description: 'output config vars in shell format' },
  },
  async run(ctx) {
    if (ctx.args.length === 0) throw new UsageError('Missing KEY. Usage: slipway config:get KEY -a APP');
    const app = await ctx.app();
    const vars = await ctx.api.get<ConfigVars>(path`/apps/${app}/config-vars`);
    if (ctx.bool('json')) {
      const rows = ctx.args.map((key) => ({ key, value: vars[key] ?? null }));
      return ctx.json(rows.length === 1 ? rows[0] : rows);
    }
    for (const key of ctx.args) {
      const value = vars[key] ?? '';
      ctx.out(ctx.bool('shell') ? `${key}=${shellQuote(value)}` : value);
    }
  },
});
