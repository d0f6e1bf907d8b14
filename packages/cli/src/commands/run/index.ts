import { readFile } from 'node:fs/promises';
import type { Dyno } from '@slipway/contract';
import { rendezvous } from '../../api/rendezvous.js';
import { defineCommand, type Context } from '../../framework/command.js';
import { CliError } from '../../framework/errors.js';
import { buildCommand, createDyno, parseRunEnv, RUN_FLAGS, runDetached } from './detached.js';

/** The body of POST /apps/:app/dynos for an attached run (as the heroku CLI builds it). */
export function attachedBody(ctx: Pick<Context, 'args' | 'str' | 'bool' | 'io'>, command: string): Record<string, unknown> {
  const env: Record<string, unknown> = { TERM: 'xterm', ...parseRunEnv(ctx.str('env')) };
  const out = ctx.io.stdout as { columns?: number; rows?: number };
  if (ctx.io.isTTY && out.columns && out.rows) {
    env.COLUMNS = out.columns;
    env.LINES = out.rows;
  }
  const body: Record<string, unknown> = { attach: true, command, env };
  if (ctx.bool('no-tty')) body.force_no_tty = true;
  if (ctx.str('size')) body.size = ctx.str('size');
  if (ctx.str('type')) body.type = ctx.str('type');
  return body;
}

export async function runAttached(ctx: Context): Promise<void> {
  const app = await ctx.app();
  const command = buildCommand(ctx.args);
  if (!command) throw new CliError('Usage: slipway run COMMAND. Example: slipway run bash');
  const ca = ctx.str('ca-cert');
  const caPem = ca ? await readFile(ca, 'utf8').catch((err: Error) => { throw new CliError(`Cannot read --ca-cert ${ca}: ${err.message}`); }) : undefined;
  const dyno = await ctx.action(`Running ${command} on ${app}`, () => createDyno(ctx, app, attachedBody(ctx, command)), (d: Dyno) => `up, ${d.name}`);
  if (!dyno.attach_url) throw new CliError(`The platform gave no attach_url for ${dyno.name}; its output is in \`slipway logs --dyno ${dyno.name}\`.`);
  const status = await rendezvous(ctx, dyno.attach_url, caPem);
  if (status === null) throw new CliError('The connection to the dyno closed without an exit status.');
  if (status !== 0) throw new CliError(`Process exited with code ${status}`, status);
}

export default defineCommand({
  summary: 'run a one-off process inside a dyno',
  usage: 'run [--detached] COMMAND... [-a APP] [-s SIZE] [--type TYPE] [-e "A=1;B=2"] [--no-tty] [--ca-cert FILE]',
  description: [
    'Flags must come before COMMAND (or use -- before it). Your terminal is wired to the dyno (the rendezvous',
    'protocol over TLS, as `heroku run`); slipway exits with the command\'s exit code. The platform\'s certificate',
    'is self-signed: trust it with --ca-cert <data dir>/tls/cert.pem or NODE_EXTRA_CA_CERTS=<data dir>/tls/cert.pem.',
    'With --detached the output goes to the app\'s logs instead (same as run:detached).',
  ].join('\n'),
  examples: [
    '$ slipway run -a myapp --ca-cert .slipway/tls/cert.pem -- node -e "console.log(process.env.DYNO)"\nRunning node -e "console.log(process.env.DYNO)" on myapp... up, run.4821\nrun.4821',
    '$ slipway run --detached -a myapp -- node scripts/migrate.js\nRunning node scripts/migrate.js on myapp... done, run.2\nRun slipway logs --app myapp --dyno run.2 to view the output.',
  ],
  app: true,
  passThrough: true,
  flags: {
    ...RUN_FLAGS,
    detached: { type: 'boolean', description: 'run in the background (same as run:detached)' },
    'no-tty': { type: 'boolean', description: 'do not allocate a pseudo-terminal in the dyno' },
    'ca-cert': { type: 'string', description: 'PEM file of a CA to trust for the dyno connection (the platform\'s <data dir>/tls/cert.pem)' },
  },
  async run(ctx) {
    if (ctx.bool('detached')) return runDetached(ctx);
    await runAttached(ctx);
  },
});
