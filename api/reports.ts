import { Router, type ErrorRequestHandler, type Request, type Response } from 'express';
import { z } from 'zod';
import { atRiskReport, backlogReport, escalationsReport, paretoReport, summaryReport, targetsReport, trendsReport } from '../reports/figures';
import { toCsv } from '../reports/csv';
import { DAY_MS, ReportStopped, type ReportFilters } from '../reports/filters';
import { reportDb } from '../lib/db';
import type { AppDeps } from './app';
import { REPORT_ROLES, requireRole } from './auth';
import { ApiError, validationError } from './errors';
import { reportDepartment } from './scope';
import type { Operation } from './openapi';
import { CHANNELS, instant, severityEnum } from './schemas';

// The quality figures (reports/): GET /reports/targets, /trends, /pareto, /backlog, /at-risk,
// /escalations and /summary (all of them). JSON by default; CSV (one table: the JSON's `rows`) with
// ?format=csv or Accept: text/csv. Managers, senior managers and admins only; a manager sees their own
// department (the filter is set for them; asking for another one is 403).
// They run on the report pool (lib/db.ts's reportDb: few connections, a statement timeout), never on the
// pool that token checks and every other request use; a report stopped there is a 503 in the usual shape.

const MAX_RANGE_DAYS = 3660;

const code = z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters');

const common = {
  from: instant('from').optional(),
  to: instant('to').optional(),
  department: code.optional(),
  category: code.optional(),
  severity: severityEnum.optional(),
  channel: z.enum(CHANNELS, { message: `must be one of ${CHANNELS.join(', ')}` }).optional(),
  format: z.enum(['json', 'csv'], { message: 'must be json or csv' }).optional(),
};
const interval = z.enum(['week', 'month'], { message: 'must be week or month' }).optional();
const limit = z.coerce.number({ message: 'must be a whole number from 1 to 1000' })
  .int('must be a whole number from 1 to 1000').min(1, 'must be a whole number from 1 to 1000').max(1000, 'must be a whole number from 1 to 1000').optional();

type Query = z.infer<z.ZodObject<typeof common>>;
const checkRange = (q: Query, ctx: z.RefinementCtx) => {
  // Runs even when a field failed (zod keeps checking): only compare what parsed.
  const from = q.from instanceof Date ? q.from : undefined;
  const to = q.to instanceof Date ? q.to : undefined;
  if (from && to && from >= to) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' });
  if (from && (to?.getTime() ?? Date.now()) - from.getTime() > MAX_RANGE_DAYS * DAY_MS) {
    ctx.addIssue({ code: 'custom', path: ['from'], message: `the range may span at most ${MAX_RANGE_DAYS} days` });
  }
};
/** The query each route accepts (also the OpenAPI document's parameters: see reportOperations). */
export const reportQuerySchemas = {
  plain: z.strictObject(common).superRefine(checkRange),
  trends: z.strictObject({ ...common, interval }).superRefine(checkRange),
  atRisk: z.strictObject({ ...common, limit }).superRefine(checkRange),
  summary: z.strictObject({ ...common, interval, limit }).superRefine(checkRange),
};
const schemas = reportQuerySchemas;

/** The query, checked, with the department a manager is held to. */
function parse<S extends z.ZodType<Query>>(schema: S, req: Request): z.infer<S> & { filters: ReportFilters } {
  const parsed = schema.safeParse({ ...(req.query as Record<string, unknown>) });
  if (!parsed.success) throw validationError(parsed.error);
  const q = parsed.data as Query;
  const department = reportDepartment(req.staff!, q.department);
  const filters: ReportFilters = { from: q.from, to: q.to, department, category: q.category, severity: q.severity, channel: q.channel };
  return { ...(parsed.data as z.infer<S>), filters };
}

function wantsCsv(req: Request, format: 'json' | 'csv' | undefined) {
  if (format) return format === 'csv';
  return req.accepts(['application/json', 'text/csv']) === 'text/csv';
}

interface Report { report: string; from: string | null; to: string | null; asOf?: string; columns: readonly string[]; rows: readonly object[] }

/** targets_2020-02-01_2020-03-31.csv (first and last day of the range), backlog_2026-11-24.csv (as of). */
function fileName(r: Report) {
  const parts = [r.report];
  if (r.asOf) parts.push(r.asOf.slice(0, 10));
  if (r.from || r.to) {
    parts.push(r.from ? r.from.slice(0, 10) : 'start');
    parts.push(r.to ? new Date(Date.parse(r.to) - 1).toISOString().slice(0, 10) : 'now');
  }
  return `${parts.join('_')}.csv`;
}

/** The report as JSON, or its rows as CSV (named `file`, or after the report and its range). */
export function send(req: Request, res: Response, format: 'json' | 'csv' | undefined, report: Report, file = fileName(report)) {
  res.vary('Accept');
  if (!wantsCsv(req, format)) return void res.json(report);
  res.type('text/csv; charset=utf-8').attachment(file).send(toCsv(report.columns, report.rows));
}

/** A report the report pool stopped, as the API's one error shape: 503, with what to do about it. */
export const reportStopped: ErrorRequestHandler = (err, _req, res, next) => {
  if (!(err instanceof ReportStopped)) return next(err);
  if (err.reason === 'busy') {
    res.set('Retry-After', '30');
    return next(new ApiError(503, 'reports_busy', 'Every report connection stayed busy with other reports for as long as a report may wait; try again in a minute'));
  }
  next(new ApiError(503, 'report_timeout',
    'The report ran longer than the time limit for reports (REPORT_STATEMENT_TIMEOUT) and was stopped; ask for a shorter range or one department, or try again later'));
};

export function reportRoutes(deps: AppDeps): Router {
  const router = Router();
  // The reports' own pool: the one given, or the process's (made from the configuration on first use).
  const db = deps.reportDb ?? reportDb();
  router.use('/reports', requireRole(REPORT_ROLES, 'reports')); // after the app-wide authentication

  router.get('/reports/targets', async (req, res) => {
    const q = parse(schemas.plain, req);
    send(req, res, q.format, await targetsReport(db, q.filters));
  });
  router.get('/reports/trends', async (req, res) => {
    const q = parse(schemas.trends, req);
    send(req, res, q.format, await trendsReport(db, q.filters, q.interval ?? 'week'));
  });
  router.get('/reports/pareto', async (req, res) => {
    const q = parse(schemas.plain, req);
    send(req, res, q.format, await paretoReport(db, q.filters));
  });
  router.get('/reports/backlog', async (req, res) => {
    const q = parse(schemas.plain, req);
    send(req, res, q.format, await backlogReport(db, q.filters));
  });
  router.get('/reports/at-risk', async (req, res) => {
    const q = parse(schemas.atRisk, req);
    send(req, res, q.format, await atRiskReport(db, q.filters, q.limit ?? 200));
  });
  router.get('/reports/escalations', async (req, res) => {
    const q = parse(schemas.plain, req);
    send(req, res, q.format, await escalationsReport(db, q.filters));
  });
  router.get('/reports/summary', async (req, res) => {
    const q = parse(schemas.summary, req);
    if (q.format === 'csv') {
      throw new ApiError(400, 'validation_failed', 'format: the summary is JSON only; each part has its CSV at /reports/<part>?format=csv',
        { format: 'must be json (each part has its CSV at /reports/<part>?format=csv)' });
    }
    if (!q.format && wantsCsv(req, undefined)) {
      throw new ApiError(406, 'not_acceptable', 'The summary is JSON only; each part has its CSV at /reports/<part>?format=csv');
    }
    res.vary('Accept').json(await summaryReport(db, q.filters, { interval: q.interval, limit: q.limit }));
  });
  router.use(reportStopped);
  return router;
}

/** The routes above as entries of the OpenAPI document (api/openapi.ts). */
export function reportOperations(): Operation[] {
  const table = (what: string) => ({
    type: 'object', description: `${what}. With ?format=csv or Accept: text/csv: the rows as CSV (RFC 4180), one column per entry of columns.`,
    properties: {
      report: { type: 'string' }, from: { type: ['string', 'null'], format: 'date-time' }, to: { type: ['string', 'null'], format: 'date-time', description: 'Exclusive' },
      filters: { type: 'object' }, columns: { type: 'array', items: { type: 'string' } }, rows: { type: 'array', items: { type: 'object' } },
    },
    required: ['report', 'from', 'to', 'filters', 'columns', 'rows'],
  });
  const common = 'Range: from (inclusive) and to (a date includes that day; default the last 90 days); filters: department, category, severity, channel. A manager sees their own department only.'
    + ' A report that runs longer than REPORT_STATEMENT_TIMEOUT (default 15 s) is stopped: 503 `report_timeout`; when every report connection stays busy that long, 503 `reports_busy`.';
  const op = (path: string, summary: string, query: z.ZodObject, what: string, description = common): Operation =>
    ({ method: 'get', path, tag: 'Quality review', roles: REPORT_ROLES, summary, description, query, ok: { status: 200, description: what, schema: table(what) }, errors: [503] });
  return [
    op('/reports/targets', 'The process targets and the figures around them', schemas.plain, 'One row per figure: name, value, unit, target, met, count, base'),
    op('/reports/trends', 'Received, breached, closed and satisfaction per week or month', schemas.trends, 'One row per period, with the change against the period before and the reduction target'),
    op('/reports/pareto', 'Root causes ranked by count, with the cumulative share', schemas.plain, 'Overall, per department and per category'),
    op('/reports/backlog', 'Open complaints by stage and age, and how many are at risk', schemas.plain, 'Every open stage × age bucket', `As of now. from/to, when given, keep only the complaints received in that window. ${common}`),
    op('/reports/at-risk', 'Open complaints past a warning point or breached', schemas.atRisk, 'The most urgent first', `As of now. ${common}`),
    op('/reports/escalations', 'Escalations per level of the chain', schemas.plain, 'One row per level, with the clocks that caused them'),
    {
      method: 'get', path: '/reports/summary', tag: 'Quality review', roles: REPORT_ROLES, summary: 'Every figure at once (JSON only)',
      description: `${common} The backlog and the list at risk are the whole open backlog as of now.`, query: schemas.summary,
      ok: { status: 200, description: 'targets, trends, pareto, backlog, atRisk and escalations, each as its own route answers', schema: { type: 'object' } },
      errors: [503],
    },
  ];
}
