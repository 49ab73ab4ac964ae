import crypto from 'node:crypto';
import type { Db } from './db';
import { hashToken } from './tokens';

// Console sessions: the browser's cookie holds a random token; the database keeps its SHA-256 with
// the session's end (absolute) and its last request (for the idle end). The CSRF token a page must
// send with every change is derived from the session token (HMAC), so it needs no storage and is
// worthless without the cookie.

export const SESSION_COOKIE = 'complaints_session';

export interface SessionTerms { idleMs: number; maxMs: number }

export async function startSession(db: Db, staffId: number, terms: SessionTerms) {
  const token = crypto.randomBytes(32).toString('base64url');
  const row = await db.staffSession.create({
    data: { staffId, tokenHash: hashToken(token), expiresAt: new Date(Date.now() + terms.maxMs) },
  });
  return { token, expiresAt: row.expiresAt, csrfToken: csrfTokenFor(token) };
}

export const csrfTokenFor = (sessionToken: string) =>
  crypto.createHmac('sha256', sessionToken).update('csrf').digest('base64url');

/** Whether `sent` is the CSRF token of the session (compared in constant time). */
export function csrfMatches(sessionToken: string, sent: string | undefined): boolean {
  if (!sent) return false;
  const a = Buffer.from(csrfTokenFor(sessionToken));
  const b = Buffer.from(sent);
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

/** The active staff member of a session token, or why it is refused. Marks the session seen (to the minute). */
export async function staffForSession(db: Db, token: string, terms: SessionTerms) {
  const row = await db.staffSession.findUnique({ where: { tokenHash: hashToken(token) }, include: { staff: true } });
  const now = Date.now();
  if (!row || row.endedAt) return { refused: 'you are signed out' } as const;
  if (row.expiresAt.getTime() <= now) return { refused: 'your session has ended; please sign in again' } as const;
  if (row.lastSeenAt.getTime() + terms.idleMs <= now) return { refused: 'your session ended after a time without use; please sign in again' } as const;
  if (!row.staff.active) return { refused: 'the staff account is inactive' } as const;
  if (now - row.lastSeenAt.getTime() > 60_000) {
    await db.staffSession.update({ where: { id: row.id }, data: { lastSeenAt: new Date(now) } });
  }
  return { sessionId: row.id, expiresAt: row.expiresAt, staff: row.staff } as const;
}

export async function endSession(db: Db, token: string) {
  await db.staffSession.updateMany({ where: { tokenHash: hashToken(token), endedAt: null }, data: { endedAt: new Date() } });
}

/** Ends every session of a staff member (a new password, a deactivated account). */
export async function endSessionsOf(db: Pick<Db, 'staffSession'>, staffId: number) {
  await db.staffSession.updateMany({ where: { staffId, endedAt: null }, data: { endedAt: new Date() } });
}
