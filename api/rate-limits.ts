import crypto from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import { ApiError } from './errors';
import { sessionToken } from './sessions';

// Requests per minute, counted in memory by each API process (express-rate-limit's own store): per
// client address for every request, and per API token for requests that carry one. With several API
// processes each counts its own share; put a shared store (Redis, PostgreSQL) behind them if the limit
// must hold across processes exactly. Over the limit: 429 in the one error shape, with Retry-After.

export interface RateLimits { perAddress: number; perToken: number }

const refused = (what: string): RequestHandler => (_req, _res, next) =>
  next(new ApiError(429, 'rate_limited', `Too many requests ${what}; wait for the time in Retry-After, then try again`));

/** The bearer token (or console session) of a request, hashed: the key of its budget (the token itself is kept nowhere). */
const tokenKey = (req: Request) => {
  const header = req.get('authorization');
  const token = (header && /^Bearer\s+(\S+)$/i.exec(header)?.[1]) || sessionToken(req);
  return token ? crypto.createHash('sha256').update(token).digest('base64url') : undefined;
};

export function rateLimits(limits: RateLimits): RequestHandler[] {
  const common = { windowMs: 60_000, standardHeaders: 'draft-8' as const, legacyHeaders: false };
  return [
    rateLimit({ ...common, limit: limits.perAddress, handler: (req, res, next) => refused('from this address')(req, res, next) }),
    rateLimit({
      ...common, limit: limits.perToken,
      skip: (req) => tokenKey(req) === undefined,
      keyGenerator: (req) => tokenKey(req)!,
      handler: (req, res, next) => refused('with this token')(req, res, next),
    }),
  ];
}
