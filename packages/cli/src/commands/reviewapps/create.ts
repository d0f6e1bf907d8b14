import { defineCommand } from '../../framework/command.js';
import { path } from '../../api/client.js';
import { UsageError } from '../../framework/errors.js';

interface ReviewApp { id: string; status: string; app: { id: string } | null; message: string | null }

export default defineCommand({
  summary: 'create (or rebuild) the review app of a branch of the pipeline\'s repository, from its tip',
  usage: 'reviewapps:create -p PIPELINE -b BRANCH',
  examples: ['$ slipway reviewapps:create -p shop -b feature-login\nCreating a review app of feature-login... done\nshop-feature-login is being built: slipway reviewapps -p shop shows when it is created.'],
  flags: {
    pipeline: { type: 'string', char: 'p', description: 'the pipeline' },
    branch: { type: 'string', char: 'b', description: 'the branch' },
  },
  async run(ctx) {
    const pipeline = ctx.str('pipeline');
    const branch = ctx.str('branch');
    if (!pipeline || !branch) throw new UsageError('Missing -p PIPELINE or -b BRANCH. Usage: slipway reviewapps:create -p PIPELINE -b BRANCH');
    const ra = await ctx.action(`Creating a review app of ${branch}`, () => ctx.api.post<ReviewApp>('/review-apps', { branch, pipeline }));
    const app = ra.app ? (await ctx.api.get<{ name: string }>(path`/apps/${ra.app.id}`)).name : branch;
    ctx.out(`${app} is being built: slipway reviewapps -p ${pipeline} shows when it is created.`);
  },
});
