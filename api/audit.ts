import type { RequestHandler } from 'express';
import type { Db } from '../lib/db';
import { log } from '../lib/log';

// The audit trail: every request that changes something (or tries to) is recorded with who, what,
// when and the outcome, once its answer has been sent.

const CHANGES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const SECRET = /token|password|secret/i;

function redact(body: unknown): unknown {
  if (!body || typeof body !== 'object') return undefined;
  const json = JSON.stringify(body, (k, v) => (SECRET.test(k) ? '[redacted]' : v));
  return json.length > 4000 ? { truncated: json.slice(0, 4000) } : JSON.parse(json);
}

export function auditTrail(db: Db): RequestHandler {
  return (req, res, next) => {
    if (!CHANGES.has(req.method)) return next();
    res.on('finish', () => {
      const pattern = req.route?.path ? `${req.baseUrl}${req.route.path}` : req.path;
      // A route may keep its path and body out (res.locals.auditPrivate: the path pattern to record instead).
      const hidden: string | undefined = res.locals.auditPrivate;
      const [, targetType, targetId] = hidden ? [] : /^\/(?:admin\/)?([a-z-]+)\/([^/]+)/.exec(req.path) ?? [];
      const outcome = res.statusCode < 400 ? 'ok' : res.statusCode < 500 ? 'refused' : 'error';
      db.auditEntry
        .create({
          data: {
            requestId: req.requestId, actorId: req.staff?.id ?? null, method: req.method, path: hidden ?? req.path,
            action: `${req.method} ${pattern}`, targetType: targetType ?? (res.locals.auditTarget ? req.path.split('/')[1] : null),
            targetId: targetId ?? res.locals.auditTarget ?? null,
            outcome, status: res.statusCode, detail: { body: hidden ? null : redact(req.body) ?? null, error: res.locals.errorCode ?? null } as object,
          },
        })
        .catch((err) => log('error', 'audit entry not written', { requestId: req.requestId, error: String(err) }));
    });
    next();
  };
}
