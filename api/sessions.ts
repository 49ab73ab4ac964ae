import crypto from 'node:crypto';
import { Router, type CookieOptions, type Request, type RequestHandler } from 'express';
import { parseCookie } from 'cookie';
import { z } from 'zod';
import { deliverEmail } from '../activities/email';
import { config, publicUrl, toMs } from '../lib/config';
import { mailer } from '../lib/mailer';
import type { Db } from '../lib/db';
import { hashPassword, verifyPassword, weakPassword } from '../lib/passwords';
import {
  csrfMatches, csrfTokenFor, endSession, endSessionsOf, SESSION_COOKIE, startSession, staffForSession, type SessionTerms,
} from '../lib/sessions';
import { hashToken } from '../lib/tokens';
import type { Role } from '../workflows/messages';
import type { AppDeps } from './app';
import { ApiError, validationError } from './errors';

// Sign-in for people (the console): email and password give a session cookie (HttpOnly, SameSite=Strict,
// Secure over HTTPS); every change sent with the cookie must carry the session's CSRF token in the
// X-CSRF-Token header. Machine clients keep using API tokens (Authorization: Bearer), which need no CSRF
// token: a browser never adds that header by itself.

/** Failed sign-ins in a row an account takes before it is slowed down. */
export const FREE_FAILURES = 5;
const MAX_DELAY_MS = 15 * 60_000;

export const signInSchema = z.strictObject({
  email: z.string().trim().max(320).email('must be a valid email address'),
  password: z.string().min(1, 'is required').max(200, 'must be at most 200 characters'),
});
export const passwordSchema = z.strictObject({ password: z.string().max(1000) });
export const passwordLinkUseSchema = z.strictObject({ token: z.string().min(1).max(200), password: z.string().max(1000) });

export const sessionTerms = (): SessionTerms => ({ idleMs: toMs(config().SESSION_IDLE), maxMs: toMs(config().SESSION_MAX) });

/** How long an account waits after `failures` failed sign-ins in a row (0 while under the free ones). */
export function signInDelayMs(failures: number, baseMs = toMs(config().SIGN_IN_DELAY)): number {
  if (failures < FREE_FAILURES) return 0;
  return Math.min(MAX_DELAY_MS, baseMs * 2 ** (failures - FREE_FAILURES));
}

const cookieOptions = (req: Request, expires?: Date): CookieOptions => ({
  httpOnly: true, sameSite: 'strict', secure: req.secure, path: '/', ...(expires ? { expires } : {}),
});

export const sessionToken = (req: Request): string | undefined => {
  const header = req.get('cookie');
  if (!header) return undefined;
  try { return parseCookie(header)[SESSION_COOKIE] || undefined; } catch { return undefined; }
};

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * A request with a session cookie and no API token: the session's staff member (once it has ended,
 * routes that need someone answer 401 session_ended), and for a change, its CSRF token in X-CSRF-Token (403 without it). Runs before the body is
 * read, so a forged form post is refused whatever it carries. Signing in needs no session.
 */
export function sessionAuth(db: Db): RequestHandler {
  return async (req, res, next) => {
    const token = sessionToken(req);
    if (!token || req.get('authorization')) return next();
    if (req.method === 'POST' && req.path === '/session') return next();
    if (req.path === '/password') return next();
    const found = await staffForSession(db, token, sessionTerms());
    if ('refused' in found) {
      // The pages (sign-in among them) still load; a route that needs someone answers 401 session_ended.
      res.clearCookie(SESSION_COOKIE, cookieOptions(req));
      res.locals.sessionEnded = found.refused;
      return next();
    }
    const s = found.staff;
    req.staff = { id: s.id, role: s.role as Role, department: s.department, name: s.name, email: s.email };
    if (!SAFE.has(req.method) && !csrfMatches(token, req.get('x-csrf-token'))) {
      return next(new ApiError(403, 'csrf_failed', 'X-CSRF-Token: a change sent with the session cookie needs the CSRF token of the session (GET /session gives it); this request did not carry it'));
    }
    next();
  };
}

export function sessionRoutes({ db }: AppDeps): Router {
  const router = Router();

  router.post('/session', async (req, res) => {
    const parsed = signInSchema.safeParse(req.body ?? {});
    if (!parsed.success) throw validationError(parsed.error);
    const { email, password } = parsed.data;
    const staff = await db.staff.findFirst({ where: { email: { equals: email, mode: 'insensitive' } } });
    if (staff) res.locals.auditActorId = staff.id; // attempts on an account are on its audit trail
    const blockedFor = staff?.signInBlockedUntil ? staff.signInBlockedUntil.getTime() - Date.now() : 0;
    if (staff && blockedFor > 0) {
      res.set('Retry-After', String(Math.ceil(blockedFor / 1000)));
      res.locals.errorCode = 'sign_in_slowed';
      throw new ApiError(429, 'sign_in_slowed', `Too many failed sign-ins for this account in a row: try again in ${Math.ceil(blockedFor / 1000)} s`);
    }
    const ok = await verifyPassword(password, staff?.active ? staff.passwordHash : null);
    if (!ok || !staff) {
      if (staff) {
        const failures = staff.failedSignIns + 1;
        const delay = signInDelayMs(failures);
        await db.staff.update({
          where: { id: staff.id }, data: { failedSignIns: failures, signInBlockedUntil: delay ? new Date(Date.now() + delay) : null },
        });
      }
      throw new ApiError(401, 'sign_in_failed', 'Sign-in failed: the email or the password is wrong (or the account has no password yet: ask an admin for a link)');
    }
    if (staff.failedSignIns || staff.signInBlockedUntil) {
      await db.staff.update({ where: { id: staff.id }, data: { failedSignIns: 0, signInBlockedUntil: null } });
    }
    const session = await startSession(db, staff.id, sessionTerms());
    req.staff = { id: staff.id, role: staff.role as Role, department: staff.department, name: staff.name, email: staff.email };
    res.cookie(SESSION_COOKIE, session.token, cookieOptions(req, session.expiresAt));
    res.status(201).json({ staff: view(req), csrfToken: session.csrfToken, expiresAt: session.expiresAt });
  });

  // Who is signed in with this browser's cookie, if anyone: pages ask before they show anything.
  router.get('/session', async (req, res) => {
    const token = sessionToken(req);
    if (!req.staff || !token || req.get('authorization')) return void res.json({ staff: null, csrfToken: null });
    res.json({ staff: view(req), csrfToken: csrfTokenFor(token) });
  });

  router.delete('/session', async (req, res) => {
    const token = sessionToken(req);
    if (!req.staff || !token || req.get('authorization')) throw new ApiError(401, 'unauthenticated', 'Sign-in: you are not signed in');
    await endSession(db, token);
    res.clearCookie(SESSION_COOKIE, cookieOptions(req));
    res.status(204).end();
  });

  // A one-time link (emailed by an admin) sets the password; it also ends the account's other sessions.
  router.post('/password', async (req, res) => {
    const parsed = passwordLinkUseSchema.safeParse(req.body ?? {});
    if (!parsed.success) throw validationError(parsed.error);
    const link = await db.passwordLink.findUnique({ where: { tokenHash: hashToken(parsed.data.token) }, include: { staff: true } });
    if (!link || link.usedAt || link.expiresAt.getTime() <= Date.now() || !link.staff.active) {
      throw new ApiError(410, 'link_expired', 'This link to set a password has been used or has expired: ask an admin for a new one');
    }
    res.locals.auditActorId = link.staffId;
    await setPassword(db, link.staffId, link.staff.email, parsed.data.password, link.id);
    res.json({ passwordSet: true, email: link.staff.email });
  });

  return router;
}

const view = (req: Request) => {
  const s = req.staff!;
  return { id: s.id, name: s.name, email: s.email, role: s.role, department: s.department };
};

/** Sets a staff member's password (checked for strength): the old sessions end, failed sign-ins are forgotten. */
export async function setPassword(db: Db, staffId: number, email: string, password: string, usedLinkId?: number) {
  const weak = weakPassword(password, email);
  if (weak) throw new ApiError(422, 'weak_password', `password: ${weak}`, { password: weak });
  const passwordHash = await hashPassword(password);
  await db.$transaction(async (tx) => {
    if (usedLinkId !== undefined) {
      const used = await tx.passwordLink.updateMany({ where: { id: usedLinkId, usedAt: null }, data: { usedAt: new Date() } });
      if (used.count === 0) throw new ApiError(410, 'link_expired', 'This link to set a password has already been used');
    }
    await tx.staff.update({ where: { id: staffId }, data: { passwordHash, passwordSetAt: new Date(), failedSignIns: 0, signInBlockedUntil: null } });
    await endSessionsOf(tx, staffId);
  });
}

/**
 * Emails a one-time link to set a password (valid `hours`), through the outbox. The token is only in
 * the link's fragment (#…), which browsers do not send to servers or in a Referer.
 */
export async function sendPasswordLink(db: Db, staff: { id: number; name: string; email: string }, adminName: string, hours = 24) {
  const token = crypto.randomBytes(32).toString('base64url');
  const link = await db.passwordLink.create({ data: { staffId: staff.id, tokenHash: hashToken(token), expiresAt: new Date(Date.now() + hours * 3_600_000) } });
  const base = publicUrl();
  let delivery: string;
  try {
    ({ delivery } = await deliverEmail({ db, mailer: mailer(), config: { ...config(), publicUrl: base } }, {
      idempotencyKey: `password-link:${link.id}`, kind: 'password_link', to: staff.email, template: 'password_link',
      values: { staffName: staff.name, adminName, email: staff.email, expiresAt: link.expiresAt.toISOString().replace(/\.\d+Z$/, ' UTC').replace('T', ' '), link: `${base}/console/set-password#${token}` },
    }));
  } catch {
    await db.passwordLink.update({ where: { id: link.id }, data: { usedAt: new Date() } }); // never sent: never usable
    throw new ApiError(503, 'mail_unavailable', 'The mail server did not take the email with the link; nothing was sent, please try again');
  }
  return { sentTo: staff.email, expiresAt: link.expiresAt, delivery };
}
