import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { Router } from 'express';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { reportDb } from '../lib/db';
import { log } from '../lib/log';
import { openComplaintCounts, STAGES_OPEN } from '../reports/backlog';
import type { AppDeps } from './app';
import { ApiError } from './errors';
import { routeTemplate } from './request-context';

// Prometheus metrics of one API process (GET /metrics, text format): requests and their latency by
// route, the process itself (memory, event-loop lag, CPU), and the service's figures at the moment of
// the scrape (open complaints by stage, at risk, breached). The worker's own metrics (workflow and
// activity task latencies, slots, cache) come from the Temporal SDK on WORKER_METRICS_ADDRESS.

export interface ApiMetrics { registry: Registry; observe: RequestHandler }

export function apiMetrics(deps: Pick<AppDeps, 'reportDb'>): ApiMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const latency = new Histogram({
    name: 'http_request_duration_seconds', help: 'Time from request to the last byte of the answer, by route template',
    labelNames: ['method', 'route', 'status'] as const, registers: [registry],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  });
  const inFlight = new Gauge({ name: 'http_requests_in_flight', help: 'Requests being answered', registers: [registry] });
  const scrapeFailures = new Counter({ name: 'complaints_metrics_query_failures_total', help: 'Scrapes whose complaint figures could not be read from the database', registers: [registry] });
  const db = () => deps.reportDb ?? reportDb();
  let counts: Promise<Awaited<ReturnType<typeof openComplaintCounts>> | null> | null = null;
  // One query per scrape for the three gauges below (each collect() asks; the first one runs it).
  const current = () => (counts ??= openComplaintCounts(db()).catch((err) => {
    scrapeFailures.inc();
    log('warn', 'metrics: complaint figures not read', { error: String(err?.message ?? err).split('\n')[0] });
    return null;
  }).finally(() => setImmediate(() => { counts = null; })));
  const byStage = (name: string, help: string, pick: (r: { count: number; atRisk: number; breached: number }) => number) => new Gauge({
    name, help, labelNames: ['stage'] as const, registers: [registry],
    async collect() {
      const rows = await current();
      if (!rows) return; // the database did not answer: these gauges are left out of this scrape's figures
      for (const stage of STAGES_OPEN) this.set({ stage }, pick(rows.find((r) => r.stage === stage) ?? { count: 0, atRisk: 0, breached: 0 }));
    },
  });
  byStage('complaints_open', 'Open complaints by stage', (r) => r.count);
  byStage('complaints_at_risk', 'Open complaints past a warning point or with a breached deadline, by stage', (r) => r.atRisk);
  byStage('complaints_breached', 'Open complaints with at least one breached deadline, by stage', (r) => r.breached);

  const observe: RequestHandler = (req, res, next) => {
    const end = latency.startTimer();
    inFlight.inc();
    res.once('close', () => {
      inFlight.dec();
      // The route's template (/complaints/:id), never the raw path: one series per route, whatever is asked.
      const route = routeTemplate(req) ?? 'unmatched';
      end({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  };
  return { registry, observe };
}

/** GET /metrics. With METRICS_TOKEN set, only with `Authorization: Bearer <METRICS_TOKEN>`. */
export function metricsRoutes({ registry }: ApiMetrics, token: string | undefined): Router {
  const router = Router();
  router.get('/metrics', async (req, res) => {
    const digest = (s: string) => createHash('sha256').update(s).digest();
    if (token && !timingSafeEqual(digest(req.get('authorization') ?? ''), digest(`Bearer ${token}`))) throw new ApiError(401, 'unauthenticated', 'The metrics need Authorization: Bearer <METRICS_TOKEN>');
    res.type(registry.contentType).send(await registry.metrics());
  });
  return router;
}
