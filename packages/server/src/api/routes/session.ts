/**
 * Dashboard sign-in (Slipway extension): `POST /session {email, password}` sets the HttpOnly
 * session cookie and returns the account and the CSRF token; `GET /session` returns them again for
 * a page load; `DELETE /session` signs out. Ten failed sign-ins lock an email for a while (429). Passwords: `PUT /users/:user/password` (admins for
 * anyone, users for themselves with their current password). API tokens: `GET /account/tokens`
 * lists the caller's (never their values), `POST /account/tokens` replaces them with a new one,
 * shown once.
 */
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { z } from 'zod';
import { clearedSessionCookie, createSignInThrottle, isSessionToken, passwordProblem, sessionCookie, verifyPassword } from '../../auth/index.js';
import { InvalidParamsError, NotFoundError, SlipwayError } from '../../errors.js';
import type { Route } from '../http/index.js';
import { toAccount } from '../present.js';
import { body } from '../validate.js';
import type { RouteDeps } from './deps.js';

const SignIn = z.strictObject({ email: z.string().trim().min(1).max(320), password: z.string().max(1024) });
const SetPassword = z.strictObject({ password: z.string(), current_password: z.string().optional() });

const secure = (req: IncomingMessage) => Boolean((req.socket as TLSSocket).encrypted);

/** `POST /account/tokens` takes no fields (an empty body or `{}`). */
const RegenerateTokens = z.strictObject({});

export function sessionRoutes(deps: RouteDeps): Route[] {
  const { store, auth } = deps;
  const throttle = createSignInThrottle();
  return [
    {
      method: 'POST', path: '/session', auth: false,
      handler: async (ctx) => {
        const input = await body(ctx, SignIn);
        if (!throttle.allowed(input.email)) {
          throw new SlipwayError('rate_limit', 'Too many failed sign-ins for this email. Try again in a few minutes.');
        }
        const signed = await auth.signIn(input.email, input.password);
        if (!signed) {
          throttle.failed(input.email);
          deps.logger.warn('auth.sign_in_failed', { email: input.email });
          throw new SlipwayError('unauthorized', 'Invalid email or password.');
        }
        throttle.succeeded(input.email);
        deps.logger.info('auth.signed_in', { user: signed.user.email });
        return {
          status: 201,
          headers: { 'Set-Cookie': sessionCookie(signed.token, { secure: secure(ctx.req) }), 'Cache-Control': 'no-store' },
          body: { user: toAccount(signed.user), csrf_token: signed.csrfToken },
        };
      },
    },
    {
      method: 'GET', path: '/session', auth: false,
      handler: async (ctx) => {
        const s = await auth.session(ctx.req);
        if (!s) throw new SlipwayError('unauthorized', 'Not signed in.');
        return { headers: { 'Cache-Control': 'no-store' }, body: { user: toAccount(s.user), csrf_token: s.csrfToken } };
      },
    },
    {
      method: 'DELETE', path: '/session',
      handler: async (ctx) => {
        await auth.signOut(ctx.req);
        return { headers: { 'Set-Cookie': clearedSessionCookie({ secure: secure(ctx.req) }) }, body: {} };
      },
    },
    {
      method: 'PUT', path: '/users/:user/password',
      handler: async (ctx) => {
        const ref = ctx.params.user;
        const target = ref === '~' ? ctx.user : (await store.users.findByEmail(ref)) ?? (await store.users.get(ref));
        if (!target) throw new NotFoundError('user');
        const self = target.id === ctx.user.id;
        if (!self && !ctx.user.admin) throw new SlipwayError('forbidden', 'Only admins can set another user\'s password.');
        const input = await body(ctx, SetPassword);
        const problem = passwordProblem(input.password);
        if (problem) throw new InvalidParamsError(problem, 'password');
        if (self && !ctx.user.admin) {
          const stored = await store.passwords.get(target.id);
          if (stored !== undefined && !(input.current_password !== undefined && (await verifyPassword(input.current_password, stored)))) {
            throw new InvalidParamsError('Current password is not correct.', 'current_password');
          }
        }
        await auth.setPassword(target.id, input.password);
        return { body: toAccount(target) };
      },
    },
    {
      method: 'GET', path: '/account/tokens',
      handler: async (ctx) => {
        const tokens = (await store.tokens.listForUser(ctx.user.id)).filter((t) => !isSessionToken(t));
        return {
          body: tokens.map((t) => ({
            id: t.id, description: t.description, created_at: t.createdAt.toISOString(), last_used_at: t.lastUsedAt?.toISOString() ?? null,
          })),
        };
      },
    },
    {
      method: 'POST', path: '/account/tokens',
      handler: async (ctx) => {
        // The whole request first: a body that never arrives must not replace the caller's tokens.
        await body(ctx, RegenerateTokens);
        for (const t of await store.tokens.listForUser(ctx.user.id)) if (!isSessionToken(t)) await store.tokens.delete(t.id);
        const token = await auth.issueToken(ctx.user.id, `regenerated by ${ctx.user.email}`);
        deps.logger.info('auth.token_regenerated', { user: ctx.user.email });
        return { status: 201, headers: { 'Cache-Control': 'no-store' }, body: { token } };
      },
    },
  ];
}
