/**
 * Dynos (heroku-contract.md A8, A11, A12, A17): `GET /apps/:app/dynos[/:dyno]` for `heroku ps`,
 * `POST /apps/:app/dynos` for one-off dynos (`run:detached`; `run` with `attach: true` gets an
 * `attach_url` on the rendezvous listener, see dynos/rendezvous.ts), `DELETE /apps/:app/dynos[/:dyno]` to
 * restart (202 `{}`), `POST /apps/:app/dynos/:dyno/actions/stop`. The formation-scoped restart and
 * stop live in `formations.ts`; `dynoRoutes` returns both.
 */
import { z } from 'zod';
import type { Dyno } from '@slipway/contract';
import { configBytes, envKeyProblem, envValueProblem, MAX_CONFIG_TOTAL_BYTES } from '../../apps/index.js';
import { InvalidParamsError, NotFoundError, SlipwayError } from '../../errors.js';
import type { OneOffSession } from '../../dynos/index.js';
import { displaySize } from '../../dynos/index.js';
import type { AppRecord, DynoRecord } from '../../store/types.js';
import type { Ctx, Route } from '../http/index.js';
import { body } from '../validate.js';
import type { DynoRouteDeps } from './dyno-deps.js';
import { formationActionRoutes } from './formations.js';

export type { DynoRouteDeps } from './dyno-deps.js';


const EnvValue = z.union([z.string(), z.number(), z.boolean()]).transform(String);
const RunBody = z.object({
  command: z.string().min(1, 'required').max(16_384).refine((c) => !c.includes('\0'), 'contains a NUL byte'),
  attach: z.boolean().optional(),
  size: z.string().min(1).max(40).optional(),
  type: z.string().max(30).optional(),
  env: z.record(z.string(), EnvValue).optional(),
  time_to_live: z.union([z.number().int(), z.string().regex(/^\d+$/).transform(Number)]).optional(),
  force_no_tty: z.boolean().nullable().optional(),
});

/** A one-off's `env` follows the config var rules (names, NUL, sizes): it goes to the same execve. */
function checkRunEnv(env: Record<string, string> | undefined): void {
  if (!env) return;
  for (const [key, value] of Object.entries(env)) {
    const problem = envKeyProblem(key, 'env') ?? envValueProblem(key, value, 'env');
    if (problem) throw new InvalidParamsError(problem.message, `env.${problem.field}`);
  }
  const total = configBytes(env);
  if (total > MAX_CONFIG_TOTAL_BYTES) throw new InvalidParamsError(`env is limited to ${MAX_CONFIG_TOTAL_BYTES} bytes (32 KB) in total, names and values together; got ${total}.`, 'env');
}

const iso = (d: Date) => d.toISOString();

export function toDyno(app: AppRecord, d: DynoRecord, attachUrl: string | null = null): Dyno & { extended?: Record<string, unknown> } {
  return {
    id: d.id, app: { id: app.id, name: app.name }, name: d.name, type: d.type, state: d.state, command: d.command,
    size: displaySize(d.size), attach_url: attachUrl, created_at: iso(d.createdAt), updated_at: iso(d.updatedAt),
    release: d.releaseId && d.releaseVersion !== null ? { id: d.releaseId, version: d.releaseVersion } : null,
  };
}

/**
 * A pty when the client's terminal is one: the heroku CLI sends COLUMNS/LINES only when its stdout
 * is a TTY, and `force_no_tty` with `--no-tty`.
 */
export function wantsTty(input: { env?: Record<string, string>; force_no_tty?: boolean | null }): boolean {
  return input.force_no_tty !== true && input.env?.COLUMNS !== undefined && input.env?.LINES !== undefined;
}

function extended(d: DynoRecord) {
  return { region: 'us', execution_plane: null, fleet: null, instance: null, ip: d.host, port: d.port, az: null, route: null };
}

export function dynoRoutes(deps: DynoRouteDeps): Route[] {
  const { apps, manager, store } = deps;
  const loadApp = (ctx: Ctx) => apps.resolve(ctx.user, ctx.params.app);
  const loadDyno = async (app: AppRecord, name: string) => {
    const d = await store.dynos.get(app.id, name);
    if (!d) throw new NotFoundError('dyno', "Couldn't find that dyno.");
    return d;
  };
  return [
    {
      method: 'GET', path: '/apps/:app/dynos',
      handler: async (ctx) => {
        const app = await loadApp(ctx);
        const ext = ctx.query.get('extended') === 'true';
        return { body: (await store.dynos.list(app.id)).map((d) => (ext ? { ...toDyno(app, d), extended: extended(d) } : toDyno(app, d))) };
      },
    },
    {
      method: 'GET', path: '/apps/:app/dynos/:dyno',
      handler: async (ctx) => {
        const app = await loadApp(ctx);
        return { body: toDyno(app, await loadDyno(app, ctx.params.dyno)) };
      },
    },
    {
      method: 'POST', path: '/apps/:app/dynos',
      handler: async (ctx) => {
        const app = await loadApp(ctx);
        const input = await body(ctx, RunBody);
        checkRunEnv(input.env);
        const opts = { command: input.command, size: input.size, env: input.env, timeToLive: input.time_to_live, user: ctx.user.email };
        if (!input.attach) return { status: 201, body: toDyno(app, await manager.runOneOff(app, { ...opts, attach: false })) };
        const rendezvous = deps.rendezvous;
        if (!rendezvous) {
          throw new InvalidParamsError(`Attached one-off dynos are not available on this platform${deps.rendezvousUnavailable ? ` (${deps.rendezvousUnavailable})` : ''}; use \`heroku run:detached\`.`, 'attach');
        }
        let session: OneOffSession | undefined;
        const d = await manager.runOneOff(app, { ...opts, attach: true, tty: wantsTty(input), onSession: (s) => (session = s) });
        if (!session) throw new Error('the dyno manager handed over no session for an attached one-off dyno');
        let url: string;
        try {
          url = rendezvous.open(session);
        } catch (err) {
          session.stop();
          throw new SlipwayError('unavailable', `Attached one-off dynos are unavailable right now: ${(err as Error).message}.`);
        }
        return { status: 201, body: toDyno(app, d, url) };
      },
    },
    {
      method: 'DELETE', path: '/apps/:app/dynos',
      handler: async (ctx) => {
        const app = await loadApp(ctx);
        await manager.restart(app.id);
        return { status: 202, body: {} };
      },
    },
    {
      method: 'DELETE', path: '/apps/:app/dynos/:dyno',
      handler: async (ctx) => {
        const app = await loadApp(ctx);
        const d = await loadDyno(app, ctx.params.dyno);
        await manager.restart(app.id, { dynoName: d.name });
        return { status: 202, body: {} };
      },
    },
    {
      method: 'POST', path: '/apps/:app/dynos/:dyno/actions/stop',
      handler: async (ctx) => {
        const app = await loadApp(ctx);
        const d = await loadDyno(app, ctx.params.dyno);
        await manager.stopDyno(app.id, { dynoName: d.name });
        return { status: 202, body: {} };
      },
    },
    ...formationActionRoutes(deps),
  ];
}
