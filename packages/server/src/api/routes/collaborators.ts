/**
 * Collaborators: list (owner first, role owner), one, add `{user: email|id}`, remove (email or id).
 */
import { z } from 'zod';
import type { Route } from '../http/index.js';
import { toCollaborator } from '../present.js';
import { body } from '../validate.js';
import { loadApp, type RouteDeps } from './deps.js';

const AddCollaborator = z.strictObject({
  user: z.union([z.string().min(1).max(254), z.strictObject({ email: z.string().min(1).max(254) }), z.strictObject({ id: z.string().min(1).max(64) })]),
  silent: z.boolean().optional(),
  permissions: z.array(z.string()).optional(),
});

export function collaboratorRoutes(deps: RouteDeps): Route[] {
  const { apps } = deps;
  return [
    {
      method: 'GET', path: '/apps/:app/collaborators',
      handler: async (ctx) => {
        const app = await loadApp(deps, ctx);
        return { body: (await apps.listCollaborators(app)).map((c) => toCollaborator(app, c)) };
      },
    },
    {
      method: 'GET', path: '/apps/:app/collaborators/:collaborator',
      handler: async (ctx) => {
        const app = await loadApp(deps, ctx);
        return { body: toCollaborator(app, await apps.getCollaborator(app, ctx.params.collaborator)) };
      },
    },
    {
      method: 'POST', path: '/apps/:app/collaborators',
      handler: async (ctx) => {
        const app = await loadApp(deps, ctx);
        const input = await body(ctx, AddCollaborator);
        const who = typeof input.user === 'string' ? input.user : 'email' in input.user ? input.user.email : input.user.id;
        return { status: 201, body: toCollaborator(app, await apps.addCollaborator(ctx.user, app, who)) };
      },
    },
    {
      method: 'DELETE', path: '/apps/:app/collaborators/:collaborator',
      handler: async (ctx) => {
        const app = await loadApp(deps, ctx);
        return { body: toCollaborator(app, await apps.removeCollaborator(ctx.user, app, ctx.params.collaborator)) };
      },
    },
  ];
}
