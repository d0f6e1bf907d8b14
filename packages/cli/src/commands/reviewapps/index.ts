import { defineCommand } from '../../framework/command.js';
import { path } from '../../api/client.js';
import { UsageError } from '../../framework/errors.js';
import { header } from '../../format/styled.js';

interface ReviewApp { id: string; branch: string; status: string; app: { id: string } | null; message: string | null; commit: string | null }

export default defineCommand({
  summary: 'list the review apps of a pipeline: branch, app, status',
  usage: 'reviewapps -p PIPELINE [--json]',
  examples: ['$ slipway reviewapps -p shop\n=== shop review apps\n\nfeature-login  shop-feature-login  created  9c1e4b7\nfix-typo       shop-fix-typo       creating 3d2a1f0'],
  flags: {
    pipeline: { type: 'string', char: 'p', description: 'the pipeline' },
    json: { type: 'boolean', description: 'output in JSON format' },
  },
  async run(ctx) {
    const pipeline = ctx.str('pipeline');
    if (!pipeline) throw new UsageError('Missing -p PIPELINE. Usage: slipway reviewapps -p PIPELINE');
    const list = await ctx.api.get<ReviewApp[]>(path`/pipelines/${pipeline}/review-apps`);
    if (ctx.bool('json')) return ctx.json(list);
    if (list.length === 0) return ctx.out(`${pipeline} has no review apps.`);
    const names = await Promise.all(list.map(async (r) => (r.app ? (await ctx.api.get<{ name: string }>(path`/apps/${r.app.id}`)).name : '-')));
    const w = (xs: string[]) => Math.max(...xs.map((x) => x.length));
    const bw = w(list.map((r) => r.branch));
    const aw = w(names);
    ctx.out(header(`${pipeline} review apps`));
    ctx.out();
    list.forEach((r, i) => {
      const line = `${r.branch.padEnd(bw)}  ${names[i]!.padEnd(aw)}  ${r.status.padEnd(8)} ${(r.commit ?? '').slice(0, 7)}`.trimEnd();
      ctx.out(r.message ? `${line}  ${r.message}` : line);
    });
  },
});
