/**
 * The scheduler add-on's jobs (Slipway's own API, docs/api.md; Heroku Scheduler has no public one):
 * `GET|POST /apps/{app}/scheduler/jobs`, `GET|DELETE /apps/{app}/scheduler/jobs/{id or number}`.
 */
import { z } from 'zod';
import type { SchedulerJob } from '@slipway/contract';
import type { AppService } from '../../apps/index.js';
import type { SchedulerJobs } from '../../scheduler/index.js';
import type { AppRecord, SchedulerJobRecord } from '../../store/types.js';
import type { Ctx, Route } from '../http/index.js';
import { body } from '../validate.js';

const CreateJob = z.strictObject({ command: z.string(), schedule: z.string(), size: z.string().optional() });

export function toSchedulerJob(app: AppRecord, j: SchedulerJobRecord): SchedulerJob {
  return {
    id: j.id,
    number: j.number,
    dyno: `scheduler.${j.number}`,
    command: j.command,
    schedule: j.schedule,
    size: j.size,
    next_run_at: j.nextRunAt.toISOString(),
    last_run_at: j.lastRunAt ? j.lastRunAt.toISOString() : null,
    app: { id: app.id, name: app.name },
    created_at: j.createdAt.toISOString(),
    updated_at: j.updatedAt.toISOString(),
  };
}

export interface SchedulerJobRouteDeps {
  apps: Pick<AppService, 'resolve'>;
  jobs: SchedulerJobs;
  /** Refuses (throws) when the app may not have jobs (no scheduler add-on). */
  ensureEnabled?: (app: AppRecord) => Promise<void>;
}

export function schedulerJobRoutes({ apps, jobs, ensureEnabled }: SchedulerJobRouteDeps): Route[] {
  const loadApp = async (ctx: Ctx) => {
    const app = await apps.resolve(ctx.user, ctx.params.app);
    await ensureEnabled?.(app);
    return app;
  };
  const base = '/apps/:app/scheduler/jobs';
  return [
    {
      method: 'GET', path: base,
      handler: async (ctx) => {
        const app = await loadApp(ctx);
        return { body: (await jobs.list(app)).map((j) => toSchedulerJob(app, j)) };
      },
    },
    {
      method: 'POST', path: base,
      handler: async (ctx) => {
        const app = await loadApp(ctx);
        const input = await body(ctx, CreateJob);
        return { status: 201, body: toSchedulerJob(app, await jobs.create(app, input, ctx.user.email)) };
      },
    },
    {
      method: 'GET', path: `${base}/:job`,
      handler: async (ctx) => {
        const app = await loadApp(ctx);
        return { body: toSchedulerJob(app, await jobs.get(app, ctx.params.job)) };
      },
    },
    {
      method: 'DELETE', path: `${base}/:job`,
      handler: async (ctx) => {
        const app = await loadApp(ctx);
        return { body: toSchedulerJob(app, await jobs.remove(app, ctx.params.job, ctx.user.email)) };
      },
    },
  ];
}
