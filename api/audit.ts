import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import type { Prisma } from '../generated/prisma/client';
import type { Db } from '../lib/db';
import { log } from '../lib/log';
import type { AppDeps } from './app';
import { ADMIN_ROLES, requireRole } from './auth';
import { validationError } from './errors';
import { instant } from './schemas';

// The audit trail: every request by a signed-in staff member that changes something (or tries to), and
// every read of customer data (who looked at which complaint), with who, what, when and the outcome.
// A client that goes away before the answer still leaves its row, marked aborted. Requests without a
// valid token are only counted: anyone could send those, and the disk is not theirs to fill.

const CHANGES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** Reads that show customer data. */
const CUSTOMER_READS = /^\/complaints(\/\d+(\/timeline|\/emails)?)?\/?$/;
const SECRET = /token|password|secret/i;
/** The customer's contact details are kept out of the trail (the complaint itself has them). */
const CONTACT = /^customer(Name|Email|Phone|Address)$/;

let anonymous = 0;
/** Requests refused for want of a valid token since the process started (not audited one by one). */
export const unauthenticatedRequests = () => anonymous;

function redact(body: unknown): unknown {
  if (!body || typeof body !== 'object') return undefined;
  const json = JSON.stringify(body, (k, v) => (SECRET.test(k) || CONTACT.test(k) ? '[redacted]' : v));
  return json.length > 4000 ? { truncated: json.slice(0, 4000) } : JSON.parse(json);
}

export function auditTrail(db: Db): RequestHandler {
  return (req, res, next) => {
    const read = req.method === 'GET' && CUSTOMER_READS.test(req.path);
    if (!CHANGES.has(req.method) && !read) return next();
    let done = false;
    // Runs after the answer (or the client) has gone: nothing here may throw out of the process.
    const write = (aborted: boolean) => {
      if (done) return;
      done = true;
      try {
        // Sign-in attempts name the account tried (res.locals.auditActorId) before anyone is signed in.
        const actorId: number | undefined = req.staff?.id ?? res.locals.auditActorId;
        if (actorId === undefined) { anonymous++; return; }
        const pattern = req.route?.path ? `${req.baseUrl}${req.route.path}` : req.path;
        const [, targetType, targetId] = /^\/(?:admin\/)?([a-z-]+)\/([^/]+)/.exec(req.path) ?? [];
        const status = aborted ? 499 : res.statusCode; // 499: the client closed the request before its answer
        const outcome = aborted ? 'aborted' : status < 400 ? 'ok' : status < 500 ? 'refused' : 'error';
        const detail = {
          ...(read ? { query: redact(req.query) ?? null } : { body: redact(req.body) ?? null, error: res.locals.errorCode ?? null }),
          ...(aborted && answered ? { answer: res.statusCode } : {}), // what the client would have been told
        };
        db.auditEntry
          .create({
            data: {
              requestId: req.requestId, actorId, method: req.method, path: req.path, action: `${req.method} ${pattern}`,
              targetType: targetType ?? (res.locals.auditTarget ? req.path.split('/')[1] : null),
              targetId: targetId ?? res.locals.auditTarget ?? null, outcome, status, detail: detail as object,
            },
          })
          .catch((err) => log('error', 'audit entry not written', { requestId: req.requestId, error: String(err) }));
      } catch (err) {
        log('error', 'audit entry not written', { requestId: req.requestId, error: String(err) });
      }
    };
    // A client that leaves early does not stop its request, and who sent it may not be known yet: the row
    // is written once the route answers (into the void), or after a minute if it never does.
    let left = false;
    let answered = false;
    const end = res.end;
    res.end = function (this: typeof res, ...args: unknown[]) {
      answered = true;
      if (left) write(true);
      return (end as (...a: unknown[]) => typeof res).apply(this, args);
    } as typeof res.end;
    res.on('finish', () => write(false));
    res.on('close', () => {
      if (res.writableFinished) return write(false);
      left = true;
      setTimeout(() => write(true), 60_000).unref();
    });
    next();
  };
}

/** GET /admin/audit: the trail, newest first, filtered. */
export const auditQuery = z.strictObject({
  actorId: z.coerce.number().int().positive().max(2_147_483_647).optional(),
  targetType: z.string().max(50).optional(),
  targetId: z.string().max(100).optional(),
  action: z.string().max(200).optional().describe('e.g. POST /complaints/:id/withdrawal'),
  outcome: z.enum(['ok', 'refused', 'error', 'aborted'], { message: 'must be one of ok, refused, error, aborted' }).optional(),
  from: instant('from').optional(),
  to: instant('to').optional(),
  limit: z.coerce.number().int().min(1, 'must be from 1 to 200').max(200, 'must be from 1 to 200').default(50),
  before: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional().describe('An entry id: the page of older entries (nextBefore of the last page)'),
});

export function auditRoutes({ db }: AppDeps): Router {
  const router = Router();
  router.get('/admin/audit', requireRole(ADMIN_ROLES, 'the audit trail'), async (req, res) => {
    const q = auditQuery.safeParse(req.query);
    if (!q.success) throw validationError(q.error);
    const f = q.data;
    const where: Prisma.AuditEntryWhereInput = {
      actorId: f.actorId, targetType: f.targetType, targetId: f.targetId, action: f.action, outcome: f.outcome,
      at: f.from || f.to ? { gte: f.from, lt: f.to } : undefined, id: f.before ? { lt: BigInt(f.before) } : undefined,
    };
    const rows = await db.auditEntry.findMany({ where, orderBy: { id: 'desc' }, take: f.limit + 1 });
    const page = rows.slice(0, f.limit).map((r) => ({ ...r, id: Number(r.id) }));
    res.set('Cache-Control', 'no-store').json({ items: page, nextBefore: rows.length > f.limit ? page[page.length - 1].id : null, unauthenticatedSinceStart: unauthenticatedRequests() });
  });
  return router;
}
