import type { Dyno } from '@slipway/contract';
import { defineCommand, type Context } from '../../framework/command.js';
import { path } from '../../api/client.js';
import { displayLogs } from '../../api/logs.js';
import { CliError } from '../../framework/errors.js';

export const RUN_FLAGS = {
  size: { type: 'string', char: 's', description: 'dyno size' },
  type: { type: 'string', description: 'process type' },
  env: { type: 'string', char: 'e', description: "environment variables to set (use ';' to split multiple vars)" },
  tail: { type: 'boolean', char: 't', description: 'continually stream logs' },
} as const;

/** Arguments joined as the heroku CLI does: one argument as-is, else quoted when needed. */
export function buildCommand(args: readonly string[]): string {
  if (args.length === 1) return args[0];
  return args.map((a) => (a.includes(' ') || a.includes('"') ? `"${a.replace(/"/g, '\\"')}"` : a)).join(' ');
}

/** `-e "A=1;B=2"` → `{A: '1', B: '2'}`. */
export function parseRunEnv(raw: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (raw ?? '').split(';')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    if (eq <= 0) throw new CliError(`${part} is invalid. Must be in the format FOO=bar.`);
    out[part.slice(0, eq).trim()] = part.slice(eq + 1);
  }
  return out;
}

/** Starts a detached one-off dyno and prints `Running CMD on APP... done, run.N`. */
export async function runDetached(ctx: Context): Promise<void> {
  const app = await ctx.app();
  const command = buildCommand(ctx.args);
  if (!command) throw new CliError('Usage: slipway run:detached COMMAND. Example: slipway run:detached rake db:migrate');
  const body: Record<string, unknown> = { attach: false, command, env: parseRunEnv(ctx.str('env')) };
  if (ctx.str('size')) body.size = ctx.str('size');
  if (ctx.str('type')) body.type = ctx.str('type');
  const dyno = await ctx.action(`Running ${command} on ${app}`, () => createDyno(ctx, app, body), (d) => `done, ${d.name}`);
  if (ctx.bool('tail')) await displayLogs(ctx, app, { dyno: dyno.name, tail: true });
  else ctx.out(`Run slipway logs --app ${app} --dyno ${dyno.name} to view the output.`);
}

/** POST /apps/:app/dynos, retried twice on 409 (release not ready yet), as the heroku CLI does. */
export async function createDyno(ctx: Context, app: string, body: unknown): Promise<Dyno> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await ctx.api.post<Dyno>(path`/apps/${app}/dynos`, body);
    } catch (err) {
      if (attempt >= 2 || (err as { status?: number }).status !== 409) throw err;
    }
  }
}

export default defineCommand({
  summary: 'run a detached one-off dyno, whose output goes to the app\'s logs',
  usage: 'run:detached COMMAND... [-a APP] [-s SIZE] [--type TYPE] [-e "A=1;B=2"] [--tail]',
  examples: ['$ slipway run:detached rake db:migrate -a myapp\nRunning rake db:migrate on myapp... done, run.1\nRun slipway logs --app myapp --dyno run.1 to view the output.'],
  app: true,
  passThrough: true,
  flags: { ...RUN_FLAGS },
  run: runDetached,
});
