import { Router, type ErrorRequestHandler, type Request, type Response } from 'express';
import { z } from 'zod';
import { reportDb, type Db } from '../lib/db';
import { asicIdrExport } from '../reports/asic-idr';
import { fcaReturn } from '../reports/fca-return';
import { regulatoryBreaches } from '../reports/regulatory-breaches';
import { MissingProfile } from '../reports/regulatory-calendar';
import { regulatoryEvidence } from '../reports/regulatory-evidence';
import type { AppDeps } from './app';
import { ANY_ROLE, REPORT_ROLES, requireRole } from './auth';
import { ApiError, validationError } from './errors';
import type { Operation } from './openapi';
import { reportStopped, send } from './reports';
import { parseId } from './schemas';
import { reportDepartment, visibleTo } from './scope';

// The regulators' returns and a complaint's regulatory evidence (reports/fca-return.ts, asic-idr.ts,
// regulatory-breaches.ts, regulatory-evidence.ts). Each route is declared once below (its method, path,
// roles, query and answer, and its handler); the router and the OpenAPI document (api/openapi.ts) are
// both made from that list.
//
// Scope: the returns have the other reports' roles and rule (api/scope.ts's reportDepartment): a manager
// sees their own department's complaints, senior managers and admins every department or the one they
// ask for. The return a firm files is the whole firm's, so it is the one without a department, which
// only senior managers and admins can ask for. The evidence of one complaint follows need to know
// (visibleTo): whoever may see the complaint may see its deadlines.

const MAX_RANGE_DAYS = 3660;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$/;
const realDay = (s: string) => new Date(`${s}T00:00:00Z`).toISOString().startsWith(s);

/** A period edge kept as written: a date is a local day of the regulator, resolved by the report. */
const edge = z.string().trim().max(40, 'must be at most 40 characters')
  // Years 1900 to 2199: PostgreSQL's timestamps and the time zone arithmetic both hold there.
  .regex(/^(19|20|21)\d{2}-\d{2}-\d{2}(T[0-9:.]+(Z|[+-]\d{2}:\d{2}))?$/, 'must be a date (YYYY-MM-DD) or an ISO 8601 date-time with an offset (2026-11-01T08:00:00Z), from 1900 to 2199')
  .refine((s) => (DATE.test(s) && realDay(s)) || (DATE_TIME.test(s) && !Number.isNaN(Date.parse(s)) && realDay(s.slice(0, 10))), 'is not a real date or date-time');
const period = {
  half: z.string().trim().regex(/^20\d{2}-H[12]$/, 'must be a half-year such as 2026-H1 (January to June) or 2026-H2 (July to December)').optional(),
  from: edge.optional(),
  to: edge.optional(),
  department: z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters').optional(),
  format: z.enum(['json', 'csv'], { message: 'must be json or csv' }).optional(),
};
type PeriodQuery = { half?: string; from?: string; to?: string };
/** Roughly (UTC), which is enough to refuse an empty, reversed or overlong period before the report runs. */
const approx = (s: string, which: 'from' | 'to') => (DATE.test(s) ? Date.parse(`${s}T00:00:00Z`) + (which === 'to' ? 86_400_000 : 0) : Date.parse(s));
const checkPeriod = (q: PeriodQuery, ctx: z.RefinementCtx) => {
  if (q.half !== undefined && (q.from !== undefined || q.to !== undefined)) {
    ctx.addIssue({ code: 'custom', path: ['half'], message: 'give either half or from and to, not both' });
  }
  if ((q.from === undefined) !== (q.to === undefined)) {
    ctx.addIssue({ code: 'custom', path: [q.from === undefined ? 'from' : 'to'], message: 'from and to go together (or give half)' });
  }
  if (typeof q.from === 'string' && typeof q.to === 'string') {
    const [from, to] = [approx(q.from, 'from'), approx(q.to, 'to')];
    if (from >= to) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' });
    else if (to - from > MAX_RANGE_DAYS * 86_400_000) ctx.addIssue({ code: 'custom', path: ['from'], message: `the period may span at most ${MAX_RANGE_DAYS} days` });
  }
};
/** The query each route accepts (also its parameters in the OpenAPI document). */
export const regulatoryQuerySchemas = {
  period: z.strictObject(period).superRefine(checkPeriod),
  breaches: z.strictObject({ ...period, regulation: z.string().trim().regex(/^[a-z0-9_]{1,40}$/, 'must be a regulatory profile code such as fca or asic').optional() }).superRefine(checkPeriod),
};

function parse<S extends z.ZodType<PeriodQuery & { department?: string }>>(schema: S, req: Request): z.infer<S> {
  const parsed = schema.safeParse({ ...(req.query as Record<string, unknown>) });
  if (!parsed.success) throw validationError(parsed.error);
  return { ...parsed.data, department: reportDepartment(req.staff!, parsed.data.department) };
}

/** fca-return_2026-H2.csv, or fca-return_2026-07-01_2026-12-31.csv (the local first and last day). */
const csvName = (r: { report: string; half: string | null; firstDay: string; lastDay: string }) =>
  `${r.report}_${r.half ?? `${r.firstDay}_${r.lastDay}`}.csv`;

interface Route { op: Operation & { method: 'get' }; handle(req: Request, res: Response, dbs: { db: Db; reports: Db }): Promise<void> }

const periodText = 'The period: `half` (2026-H1: 1 January to 30 June; 2026-H2: 1 July to 31 December), or `from` and `to` (a date is a whole local day of the regulator, `to` included; or ISO instants). Default: the half-year running now. Its edges are midnights in the regulator\'s time zone.';
const scopeText = 'A manager sees their own department only; senior managers and admins every department (the return a firm files) or the one in `department`.';
const csvText = 'JSON by default; with ?format=csv or Accept: text/csv the rows as CSV (RFC 4180), one column per entry of `columns`.';
const table = (what: string) => ({
  type: 'object', description: `${what}. ${csvText}`,
  properties: {
    report: { type: 'string' }, from: { type: 'string', format: 'date-time' }, to: { type: 'string', format: 'date-time', description: 'Exclusive' },
    half: { type: ['string', 'null'] }, timeZone: { type: 'string' }, firstDay: { type: 'string' }, lastDay: { type: 'string' },
    filters: { type: 'object' }, columns: { type: 'array', items: { type: 'string' } }, rows: { type: 'array', items: { type: 'object' } },
  },
  required: ['report', 'from', 'to', 'timeZone', 'columns', 'rows'],
});
/** A report route: its query checked, the figures computed on the report pool, sent as JSON or CSV. */
type RegulatoryReport = Parameters<typeof send>[3] & Parameters<typeof csvName>[0];
const report = <Q extends PeriodQuery & { department?: string; format?: 'json' | 'csv' }>(
  path: string, summary: string, description: string, query: z.ZodType<Q> & z.ZodObject, what: string,
  compute: (db: Db, q: Q) => Promise<RegulatoryReport>,
): Route => ({
  op: { method: 'get', path, tag: 'Regulatory returns', roles: REPORT_ROLES, summary, description: `${description} ${periodText} ${scopeText}`, query, ok: { status: 200, description: what, schema: table(what) }, errors: [404, 503] },
  handle: async (req, res, { reports }) => {
    const q = parse(query, req);
    const r = await compute(reports, q);
    send(req, res, q.format, r, csvName(r));
  },
});

const routes: Route[] = [
  report('/reports/regulatory/fca-return', 'The FCA complaints return (DISP 1 Annex 1R) for a half-year',
    'Complaints held to the FCA\'s rules (fca, fca_payments), per product group and in total: outstanding at the start, opened, closed, closed within 3 business days / after 3 business days but within 8 weeks / after 8 weeks, upheld, redress paid.',
    regulatoryQuerySchemas.period, 'One row per product group, then `total`', fcaReturn),
  report('/reports/regulatory/asic-idr', "ASIC's IDR data report: one row per complaint",
    'Complaints held to ASIC\'s rules (asic) received in the period or still open at its start, with the IDR data elements this system records (named after ASIC\'s data dictionary; `labels` has ASIC\'s wording).',
    regulatoryQuerySchemas.period, 'One row per complaint', asicIdrExport),
  report('/reports/regulatory/breaches', 'Every regulatory deadline missed',
    'One row per complaint and clock whose point passed without what the rule needs (regulatory_breached) or that was met late, due in the period; `regulation` keeps one profile.',
    regulatoryQuerySchemas.breaches, 'One row per missed deadline, the earliest due first', regulatoryBreaches),
  {
    op: {
      method: 'get', path: '/complaints/:id/regulatory-evidence', tag: 'Regulatory returns', roles: ANY_ROLE,
      summary: "A complaint's regulatory deadlines and what happened to each (evidence)",
      description: 'From the events its workflow recorded: per clock its citation, due and warning instants, and whether it was met (on time or late), its letter sent, breached, or closed in a short window; then the raw events in order. A complaint held to no regulator answers `regulation: null` and no clocks. A printable page of it is at /dashboard/complaints/{id}/regulatory-evidence.',
      params: { id: { schema: { type: 'integer', minimum: 1, maximum: 2_147_483_647 }, description: 'The complaint id', bad: 400 } },
      ok: {
        status: 200, description: 'The evidence',
        schema: {
          type: 'object', required: ['complaintId', 'reference', 'regulation', 'clocks', 'events'],
          properties: {
            complaintId: { type: 'integer' }, reference: { type: 'string' }, receivedAt: { type: 'string', format: 'date-time' }, asOf: { type: 'string', format: 'date-time' },
            regulation: { type: ['string', 'null'] }, profile: { type: ['object', 'null'] }, note: { type: 'string' },
            clocks: { type: 'array', items: { type: 'object' } }, events: { type: 'array', items: { type: 'object' } },
          },
        },
      },
      errors: [404],
    },
    async handle(req, res, { db }) {
      const id = parseId(String(req.params.id), 'id', 'complaint');
      if (!(await db.complaint.findFirst({ where: { id, ...visibleTo(req.staff!) }, select: { id: true } }))) throw new ApiError(404, 'not_found', `No complaint with id ${id}`);
      res.json(await regulatoryEvidence(db, id));
    },
  },
];

/** A return whose regulator has no profile row: 404 in the one error shape, saying how to add it. */
const missingProfile: ErrorRequestHandler = (err, _req, _res, next) =>
  next(err instanceof MissingProfile ? new ApiError(404, 'no_regulatory_profile', err.message) : err);

export function regulatoryRoutes(deps: AppDeps): Router {
  const router = Router();
  const dbs = { db: deps.db, reports: deps.reportDb ?? reportDb() };
  for (const { op, handle } of routes) {
    router.get(op.path, requireRole(op.roles as Exclude<Operation['roles'], 'public'>, op.path.startsWith('/reports') ? 'regulatory reports' : 'this'), (req, res) => handle(req, res, dbs));
  }
  router.use(reportStopped, missingProfile);
  return router;
}

/** The routes above as entries of the OpenAPI document. */
export const regulatoryOperations = (): Operation[] => routes.map((r) => r.op);
