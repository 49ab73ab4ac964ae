import express from 'express';
import helmet from 'helmet';
import type { Client } from '@temporalio/client';
import type { Db } from '../lib/db';
import { actionRoutes } from './actions';
import { adminRoutes } from './admin';
import { auditRoutes, auditTrail } from './audit';
import { authenticate } from './auth';
import { complaintRoutes } from './complaints';
import { consoleRoutes, dashboardRoutes } from './dashboard';
import { sessionAuth, sessionRoutes } from './sessions';
import { config } from '../lib/config';
import { jsonBody, textOnlyUrl } from './body-limits';
import { errorHandler, ApiError } from './errors';
import { healthRoutes } from './health';
import { apiMetrics, metricsRoutes } from './metrics';
import { docsRoutes } from './openapi';
import { requestContext } from './request-context';
import { traceRequests } from './tracing';
import { rateLimits, type RateLimits } from './rate-limits';
import { regulatoryRoutes } from './regulatory';
import { reportRoutes } from './reports';
import { reviewRoutes } from './review-admin';
import { directoryRoutes } from './staff';
import { surveyRoutes } from './survey';
import { customerRoutes } from './customer';

export interface AppDeps {
  db: Db; temporal: Client; taskQueue: string;
  /** Requests per minute; default RATE_LIMIT_PER_ADDRESS and RATE_LIMIT_PER_TOKEN from the configuration. */
  rateLimits?: RateLimits;
  /** Default: REVIEW_SCHEDULE_ID from the configuration. */
  reviewScheduleId?: string;
  /** The quality reports' own small pool with a statement timeout (lib/db.ts). Default: one made from the configuration. */
  reportDb?: Db;
  /** Express's "trust proxy": how many proxies in front (their X-Forwarded-Proto/-For are believed). Default TRUST_PROXY. */
  trustProxy?: number;
  /** GET /metrics needs this bearer token when set. Default: METRICS_TOKEN. */
  metricsToken?: string;
}

/** A body in another format would be read as no body at all: refuse it instead. */
const jsonBodiesOnly: express.RequestHandler = (req, _res, next) => {
  const hasBody = Number(req.get('content-length') ?? 0) > 0 || req.get('transfer-encoding') !== undefined;
  if (!hasBody || req.is('application/json')) return next();
  next(new ApiError(400, 'invalid_json', 'body: must be JSON sent with Content-Type: application/json', { body: 'must be JSON' }));
};

export function createApp(deps: AppDeps) {
  const app = express();
  app.disable('x-powered-by');
  // Behind a proxy that ends TLS: the client's address and https are read from its X-Forwarded-* headers
  // (the session cookie is then Secure).
  const proxies = deps.trustProxy ?? config().TRUST_PROXY;
  if (proxies) app.set('trust proxy', proxies);
  app.use(requestContext);
  app.use(traceRequests); // a server span per request when tracing is on (lib/tracing.ts)
  const metrics = apiMetrics(deps);
  app.use(metrics.observe);
  app.use(textOnlyUrl);
  app.use(helmet());
  app.use(auditTrail(deps.db));
  const c = config();
  app.use(rateLimits(deps.rateLimits ?? { perAddress: c.RATE_LIMIT_PER_ADDRESS, perToken: c.RATE_LIMIT_PER_TOKEN }));
  // Nothing that carries customer data is kept by a browser or a proxy.
  app.use((_req, res, next) => { res.set('Cache-Control', 'no-store'); next(); });
  // Open to all: the customer's survey link, complaint form and status page (a browser's forms, read by their own parsers), health.
  app.use(surveyRoutes(deps));
  app.use(customerRoutes(deps)); // the public complaint form and the customer's status page (HTML, their language)
  // A console session cookie signs the request in (and a change without its CSRF token is refused) before any body is read.
  app.use(sessionAuth(deps.db));
  app.use(jsonBody('100kb'));
  app.use(jsonBodiesOnly);
  app.use(healthRoutes(deps));
  app.use(metricsRoutes(metrics, deps.metricsToken ?? config().METRICS_TOKEN)); // Prometheus text: request latency by route, the process, open complaints by stage
  // The API reference: the OpenAPI document and its interactive page.
  app.use(docsRoutes());
  app.use(dashboardRoutes()); // the managers' quality dashboard: static pages, signed in with a token by the page itself
  app.use(consoleRoutes()); // the staff console: static pages that sign in with a password (a session cookie)
  app.use(sessionRoutes(deps)); // sign-in, sign-out, and setting a password through an emailed link
  // Everything else needs a staff token.
  app.use(authenticate(deps.db));
  app.use(complaintRoutes(deps));
  app.use(actionRoutes(deps));
  app.use(directoryRoutes(deps));
  app.use(reportRoutes(deps));
  app.use(regulatoryRoutes(deps)); // the regulators' returns (/reports/regulatory/…) and a complaint's regulatory evidence
  app.use(adminRoutes(deps));
  app.use(auditRoutes(deps));
  app.use(reviewRoutes(deps));
  app.use((req, _res, next) => next(new ApiError(404, 'not_found', `No route for ${req.method} ${req.path}`)));
  app.use(errorHandler);
  return app;
}
