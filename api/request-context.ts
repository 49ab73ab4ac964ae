import crypto from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { log, requestScope } from '../lib/log';

declare global {
  namespace Express { interface Request { requestId: string } }
}

/** The route's template (/complaints/:id), never the raw path, once a router has matched; else undefined. */
export const routeTemplate = (req: Request): string | undefined => (req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : undefined);

/**
 * Gives every request an id (the caller's X-Request-Id when it is sane), returns it in the response,
 * and logs one JSON line per request when it finishes. The id travels on with staff actions into the
 * workflow's events and activities.
 */
export const requestContext: RequestHandler = (req, res, next) => {
  const incoming = req.get('x-request-id');
  req.requestId = incoming && /^[\w.:-]{1,100}$/.test(incoming) ? incoming : crypto.randomUUID();
  res.setHeader('X-Request-Id', req.requestId);
  const started = process.hrtime.bigint();
  res.on('finish', () => {
    try {
      // The route's pattern, never the path itself: a survey link's path is the customer's key.
      const route = routeTemplate(req) ?? '(no route)';
      log(res.statusCode >= 500 ? 'error' : 'info', 'request', {
        requestId: req.requestId, method: req.method, route, status: res.statusCode,
        durationMs: Number((process.hrtime.bigint() - started) / 1_000_000n), actorId: req.staff?.id,
      });
    } catch { /* a log line is never worth the process */ }
  });
  // Every line logged while this request is answered carries its id.
  requestScope.run({ requestId: req.requestId }, next);
};
