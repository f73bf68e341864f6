import type { Request, RequestHandler, Response } from 'express';
import { defineRoute, type RouteGroup } from '../../lib/http/route.js';
import {
  authSessionSchema,
  changePasswordBody,
  loginBody,
  logoutBody,
  refreshBody,
  registerBody,
} from './auth.schemas.js';
import type { AuthService, ClientInfo } from './auth.service.js';

function clientInfo(req: Request, res: Response): ClientInfo {
  const hangUp = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) hangUp.abort();
  });
  return {
    ip: req.ip ?? 'unknown',
    userAgent: req.get('user-agent') ?? null,
    signal: hangUp.signal,
  };
}

/**
 * `/api/auth`: accounts and sessions. Every route has the strict limit on top of the general
 * one: these are the routes credential stuffing and token guessing aim at.
 */
export function authRoutes(auth: AuthService, strictLimit: RequestHandler): RouteGroup {
  return {
    basePath: '/api/auth',
    tag: 'Auth',
    routes: [
      defineRoute({
        method: 'post',
        path: '/register',
        summary: 'Create an account and sign in',
        access: 'public',
        rateLimit: strictLimit,
        body: registerBody,
        errors: [409],
        reasons: { 409: ['USERNAME_TAKEN', 'EMAIL_TAKEN'] },
        responses: { 201: { description: 'Account created', schema: authSessionSchema } },
        handler: async ({ body, req, res }) => ({
          status: 201,
          body: await auth.register(body, clientInfo(req, res)),
        }),
      }),
      defineRoute({
        method: 'post',
        path: '/login',
        summary: 'Sign in with email or username',
        description:
          'Answers 401 the same way whether or not the account exists. Repeated failures for ' +
          'one account or one IP answer 429 for a while.',
        access: 'public',
        rateLimit: strictLimit,
        body: loginBody,
        responses: { 200: { description: 'Signed in', schema: authSessionSchema } },
        handler: async ({ body, req, res }) => ({
          status: 200,
          body: await auth.login(body, clientInfo(req, res)),
        }),
      }),
      defineRoute({
        method: 'post',
        path: '/refresh',
        summary: 'Exchange a refresh token for a new pair',
        description:
          'The presented token is spent. Presenting a spent token again (including a second, ' +
          'concurrent refresh with the same token) revokes the whole session.',
        access: 'public',
        rateLimit: strictLimit,
        body: refreshBody,
        responses: { 200: { description: 'New token pair', schema: authSessionSchema } },
        handler: async ({ body }) => ({ status: 200, body: await auth.refresh(body.refreshToken) }),
      }),
      defineRoute({
        method: 'post',
        path: '/logout',
        summary: 'End this session',
        access: 'user',
        rateLimit: strictLimit,
        body: logoutBody,
        responses: { 204: { description: 'Access token blacklisted, refresh family revoked' } },
        handler: async ({ user, body }) => {
          await auth.logout(user, body.refreshToken);
          return { status: 204 };
        },
      }),
      defineRoute({
        method: 'post',
        path: '/logout-all',
        summary: 'End every session of the account',
        access: 'user',
        rateLimit: strictLimit,
        responses: { 204: { description: 'All sessions revoked' } },
        handler: async ({ user }) => {
          await auth.logoutAll(user);
          return { status: 204 };
        },
      }),
      defineRoute({
        method: 'post',
        path: '/password',
        summary: 'Change the password',
        description: 'Every other session is signed out; this one stays.',
        access: 'user',
        rateLimit: strictLimit,
        body: changePasswordBody,
        responses: { 204: { description: 'Password changed' } },
        handler: async ({ user, body }) => {
          await auth.changePassword(user, body.currentPassword, body.newPassword);
          return { status: 204 };
        },
      }),
    ],
  };
}
