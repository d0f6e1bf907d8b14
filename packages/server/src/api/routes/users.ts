/**
 * Users (Slipway extension): `POST /users {email, admin?, password?}` (admin only) creates a user and returns a token
 * once; `GET /users` (admin only) lists them.
 */
import { z } from 'zod';
import { passwordProblem } from '../../auth/index.js';
import { InvalidParamsError } from '../../errors.js';
import type { Route } from '../http/index.js';
import { toAccount } from '../present.js';
import { body } from '../validate.js';
import { requireAdmin, type RouteDeps } from './deps.js';

const CreateUser = z.strictObject({
  email: z.string().trim().toLowerCase().max(254, 'longer than 254 characters').pipe(z.email()),
  admin: z.boolean().optional(),
  /** For dashboard sign-in; without it the user has only the API token. */
  password: z.string().optional(),
});

export function userRoutes(deps: RouteDeps): Route[] {
  const { store, auth } = deps;
  return [
    {
      method: 'POST', path: '/users',
      handler: async (ctx) => {
        requireAdmin(ctx);
        const input = await body(ctx, CreateUser);
        if (await store.users.findByEmail(input.email)) throw new InvalidParamsError(`A user with email ${input.email} already exists.`, 'email');
        const problem = input.password === undefined ? undefined : passwordProblem(input.password);
        if (problem) throw new InvalidParamsError(problem, 'password');
        const user = await store.users.create({ email: input.email, admin: input.admin ?? false });
        if (input.password !== undefined) await auth.setPassword(user.id, input.password);
        const token = await auth.issueToken(user.id, `created by ${ctx.user.email}`);
        return { status: 201, body: { ...toAccount(user), token, access_token: { token } } };
      },
    },
    {
      method: 'GET', path: '/users',
      handler: async (ctx) => {
        requireAdmin(ctx);
        return { body: (await store.users.list()).map(toAccount) };
      },
    },
  ];
}
