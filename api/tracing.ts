import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { RequestHandler } from 'express';
import { tracing } from '../lib/tracing';
import { routeTemplate } from './request-context';

/**
 * One server span per request when tracing is on (lib/tracing.ts), named by its route template
 * ("POST /complaints"), continuing a caller's W3C `traceparent`. Whatever the request does (the
 * workflow start, updates) is a child of it.
 */
export const traceRequests: RequestHandler = (req, res, next) => {
  if (!tracing()) return next();
  const parent = propagation.extract(context.active(), req.headers);
  const span = trace.getTracer('complaint-service').startSpan(req.method, {
    kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method },
  }, parent);
  res.once('close', () => {
    const route = routeTemplate(req);
    if (route) {
      span.updateName(`${req.method} ${route}`);
      span.setAttribute('http.route', route);
    }
    span.setAttribute('http.response.status_code', res.statusCode);
    if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  });
  context.with(trace.setSpan(parent, span), next);
};
