import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Db } from '../lib/db';
import { staffForToken } from '../lib/tokens';
import type { Actor, Role } from '../workflows/messages';
import { ApiError } from './errors';

// Who is asking: `authenticate` turns `Authorization: Bearer <token>` into req.staff (401 otherwise; a
// console session has set it already, api/sessions.ts);
// `requireRole` lets the named roles through (403 naming them otherwise).

declare global {
  namespace Express {
    interface Request { staff?: Actor & { name: string; email: string } }
  }
}

export function authenticate(db: Db): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    if (req.staff) return next(); // signed in with a session cookie (api/sessions.ts)
    const header = req.get('authorization');
    const match = header && /^Bearer\s+(\S+)$/i.exec(header);
    if (!match && res.locals.sessionEnded) return next(new ApiError(401, 'session_ended', `Sign-in: ${res.locals.sessionEnded}`));
    if (!match) {
      return next(new ApiError(401, 'unauthenticated', 'Authorization: send your API token as "Authorization: Bearer <token>", or sign in (POST /session)'));
    }
    const found = await staffForToken(db, match[1]);
    if ('refused' in found) return next(new ApiError(401, 'invalid_token', `Authorization: ${found.refused}`));
    const s = found.staff;
    req.staff = { id: s.id, role: s.role as Role, department: s.department, name: s.name, email: s.email };
    // "Last used" to the minute is enough; a write on every request is not worth it.
    if (!found.lastUsedAt || Date.now() - found.lastUsedAt.getTime() > 60_000) {
      void db.apiToken.update({ where: { id: found.tokenId }, data: { lastUsedAt: new Date() } }).catch(() => undefined);
    }
    next();
  };
}

export const STAFF_ROLES: Role[] = ['agent', 'supervisor', 'manager', 'senior_manager'];
export const TRIAGE_ROLES: Role[] = ['supervisor', 'manager', 'senior_manager'];
export const SIGN_OFF_ROLES: Role[] = ['supervisor', 'manager', 'senior_manager'];
export const REPORT_ROLES: Role[] = ['manager', 'senior_manager', 'admin'];
export const ADMIN_ROLES: Role[] = ['admin'];
/** Everyone with an account may read. */
export const ANY_ROLE: Role[] = [...STAFF_ROLES, 'admin'];

export function requireRole(roles: readonly Role[], what = 'this'): RequestHandler {
  return (req, _res, next) => {
    const staff = req.staff;
    if (!staff) return next(new ApiError(401, 'unauthenticated', 'Authorization: an API token is required'));
    if (!roles.includes(staff.role)) {
      return next(new ApiError(403, 'forbidden', `${what} needs the role ${roles.join(' or ')}; you are ${staff.role}`));
    }
    next();
  };
}

/** The authenticated staff member as the workflow knows actors. */
export const actorOf = (req: Request): Actor => ({
  id: req.staff!.id, role: req.staff!.role, department: req.staff!.department, requestId: req.requestId,
});
