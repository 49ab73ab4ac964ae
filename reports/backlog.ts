import { Prisma } from '../generated/prisma/client';
import type { Db } from '../lib/db';
import { describe, dimensions, ts, reportQuery, type ReportFilters } from './filters';

// The open backlog as of now: complaints not closed, by stage and age, and those at risk.
//
// - Age: now − created_at, in buckets <1d, 1-3d, 3-7d, >7d (lower bound inclusive).
// - A deadline is open while its clock runs: triage until triaged (stages received, triage); first
//   response until the customer hears from staff (a message, a question, a rejection or the follow-up
//   letter: no `customer_updated`, `customer_info_requested` or `letter_sent` event yet); resolution until
//   sign-off (signed_off_at is null; reopening starts it again from the `reopened` event). While the case
//   waits on the customer every clock is paused, so none is open.
// - At risk: for some open deadline now ≥ start + warn_share × (due − start), the warning point (start is
//   created_at, or the last reopening for the resolution clock; warn_share from the complaint's severity
//   in sla_policies, 0.75 without one; due is the current deadline on the complaint row), or the
//   complaint has already breached a deadline (an `sla_breached` event).
// - `from`/`to` restrict the backlog to complaints received in that window only when given (the
//   summary never gives them: its backlog is the whole open one); the dimension filters apply as
//   everywhere.

export const STAGES_OPEN = ['received', 'triage', 'investigation', 'waiting_on_customer', 'resolution_proposed', 'resolved', 'survey'] as const;
export const AGE_BUCKETS = ['<1d', '1-3d', '3-7d', '>7d'] as const;

export interface BacklogRow { stage: string; ageBucket: string; count: number; atRisk: number }
export const BACKLOG_COLUMNS = ['stage', 'ageBucket', 'count', 'atRisk'] as const;

export interface AtRiskRow {
  id: number;
  reference: string;
  stage: string;
  severity: string | null;
  department: string | null;
  category: string | null;
  channel: string;
  createdAt: Date;
  ageBucket: string;
  /** Clocks that have breached (comma-separated, in name order), or null. */
  breachedClocks: string | null;
  /** The open deadline due first, or null when none runs (waiting on the customer, or past sign-off). */
  clock: string | null;
  dueAt: Date | null;
  warnAt: Date | null;
}
export const AT_RISK_COLUMNS = [
  'id', 'reference', 'stage', 'severity', 'department', 'category', 'channel', 'createdAt', 'ageBucket',
  'breachedClocks', 'clock', 'dueAt', 'warnAt',
] as const;

/** The open complaints with their open clocks, as CTEs `open` and `flagged`; `ids`: only those complaints. */
function openComplaints(filters: ReportFilters, now: Date, ids?: number[]): Prisma.Sql {
  const received = Prisma.sql`${filters.from ? Prisma.sql` AND c.created_at >= ${ts(filters.from)}` : Prisma.empty}${
    filters.to ? Prisma.sql` AND c.created_at < ${ts(filters.to)}` : Prisma.empty}${
    ids ? Prisma.sql` AND c.id = ANY(${ids}::int[])` : Prisma.empty}`;
  const asOf = ts(now);
  return Prisma.sql`
    WITH open AS (
      SELECT c.id, c.reference, c.stage, c.severity, c.department, c.category, c.channel, c.created_at,
             c.triage_due_at, c.first_response_due_at, c.resolution_due_at, c.signed_off_at,
             coalesce(p.warn_share, 0.75) AS warn_share, ev.breached_clocks, ev.first_response_met, ev.reopened_at
      FROM complaints c
      LEFT JOIN sla_policies p ON p.severity = c.severity
      LEFT JOIN LATERAL (
        SELECT string_agg(DISTINCT e.data->>'clock', ',' ORDER BY e.data->>'clock') FILTER (WHERE e.type = 'sla_breached') AS breached_clocks,
               coalesce(bool_or(e.type IN ('customer_updated', 'customer_info_requested', 'letter_sent')), false) AS first_response_met,
               max(e.at) FILTER (WHERE e.type = 'reopened') AS reopened_at
        FROM complaint_events e
        WHERE e.complaint_id = c.id
          AND e.type IN ('sla_breached', 'customer_updated', 'customer_info_requested', 'letter_sent', 'reopened')
      ) ev ON true
      WHERE c.stage <> 'closed'${received}${dimensions(filters)}
    ), flagged AS (
      SELECT o.*, k.clock, k.due, k.warn_at,
             (o.breached_clocks IS NOT NULL OR coalesce(k.warned, false)) AS at_risk,
             CASE WHEN ${asOf} - o.created_at < interval '1 day' THEN '<1d'
                  WHEN ${asOf} - o.created_at < interval '3 days' THEN '1-3d'
                  WHEN ${asOf} - o.created_at < interval '7 days' THEN '3-7d'
                  ELSE '>7d' END AS age_bucket
      FROM open o
      -- The open clocks of this complaint: whether any is past its warning point, and the one due first.
      LEFT JOIN LATERAL (
        SELECT bool_or(r.warn_at <= ${asOf}) AS warned,
               (array_agg(r.clock ORDER BY r.due, r.clock))[1] AS clock,
               min(r.due) AS due,
               (array_agg(r.warn_at ORDER BY r.due, r.clock))[1] AS warn_at
        FROM (
          SELECT v.clock, v.due, v.start + o.warn_share * (v.due - v.start) AS warn_at
          FROM (VALUES
            ('triage', o.created_at, o.triage_due_at, o.stage IN ('received', 'triage')),
            ('firstResponse', o.created_at, o.first_response_due_at,
              o.stage IN ('received', 'triage', 'investigation', 'resolution_proposed') AND NOT o.first_response_met),
            ('resolution', coalesce(o.reopened_at, o.created_at), o.resolution_due_at,
              o.stage IN ('received', 'triage', 'investigation', 'resolution_proposed') AND o.signed_off_at IS NULL)
          ) AS v(clock, start, due, running)
          WHERE v.running AND v.due IS NOT NULL
        ) r
      ) k ON true
    )`;
}

const meta = (filters: ReportFilters, now: Date) => ({ asOf: now.toISOString(), ...describe(filters, filters) });

export async function backlogReport(db: Db, filters: ReportFilters, now = new Date()) {
  const rows = await reportQuery<BacklogRow>(db, Prisma.sql`${openComplaints(filters, now)}
    SELECT s.stage, a.bucket AS "ageBucket", count(f.id)::int AS count, count(f.id) FILTER (WHERE f.at_risk)::int AS "atRisk"
    FROM unnest(${[...STAGES_OPEN]}::text[]) WITH ORDINALITY AS s(stage, ord)
    CROSS JOIN unnest(${[...AGE_BUCKETS]}::text[]) WITH ORDINALITY AS a(bucket, ord)
    LEFT JOIN flagged f ON f.stage = s.stage AND f.age_bucket = a.bucket
    GROUP BY s.ord, s.stage, a.ord, a.bucket
    ORDER BY s.ord, a.ord`);
  return { report: 'backlog' as const, ...meta(filters, now), columns: BACKLOG_COLUMNS, rows };
}

/** The open complaints at risk, the most urgent first (breached, then by the deadline due first). */
export async function atRiskReport(db: Db, filters: ReportFilters, limit = 200, now = new Date()) {
  const rows = await reportQuery<AtRiskRow>(db, Prisma.sql`${openComplaints(filters, now)}
    SELECT id, reference, stage, severity, department, category, channel, created_at AS "createdAt",
           age_bucket AS "ageBucket", breached_clocks AS "breachedClocks", clock, due AS "dueAt", warn_at AS "warnAt"
    FROM flagged
    WHERE at_risk
    ORDER BY breached_clocks IS NULL, due NULLS LAST, id
    LIMIT ${limit}`);
  return { report: 'at-risk' as const, ...meta(filters, now), limit, columns: AT_RISK_COLUMNS, rows };
}

/** A complaint's deadline as the staff console lists it (the same rules as the backlog above). */
export interface DeadlineFacts {
  id: number;
  /** The open deadline due first, its instant and warning point, or nulls when no clock runs. */
  clock: string | null;
  dueAt: Date | null;
  warnAt: Date | null;
  atRisk: boolean;
  breachedClocks: string | null;
  /** The highest escalation since the complaint arrived or was last reopened: 0 none, 1 supervisor, 2 manager, 3 senior management. */
  escalationLevel: number;
}

const factsOf = (rows: Prisma.Sql) => Prisma.sql`${rows}
    SELECT f.id, f.clock, f.due AS "dueAt", f.warn_at AS "warnAt", f.at_risk AS "atRisk", f.breached_clocks AS "breachedClocks",
           coalesce((SELECT max(CASE e.level WHEN 'supervisor' THEN 1 WHEN 'manager' THEN 2 WHEN 'senior_manager' THEN 3 ELSE 0 END)
                     FROM escalations e WHERE e.complaint_id = f.id AND e.at >= coalesce(f.reopened_at, f.created_at)), 0)::int AS "escalationLevel"
    FROM flagged f`;

/** Deadline facts of the given complaints (those still open; closed ones are left out). */
export async function deadlineFacts(db: Db, ids: number[], now = new Date()): Promise<DeadlineFacts[]> {
  if (!ids.length) return [];
  return db.$queryRaw<DeadlineFacts[]>(factsOf(openComplaints({}, now, ids)));
}

/** Open complaints by stage: how many, how many at risk, how many with a breached clock (the API's /metrics). */
export async function openComplaintCounts(db: Db, now = new Date()) {
  return db.$queryRaw<{ stage: string; count: number; atRisk: number; breached: number }[]>(Prisma.sql`${openComplaints({}, now)}
    SELECT stage, count(*)::int AS count, count(*) FILTER (WHERE at_risk)::int AS "atRisk",
           count(*) FILTER (WHERE breached_clocks IS NOT NULL)::int AS breached
    FROM flagged GROUP BY stage`);
}

/** The ids of every open complaint at risk (past a warning point or breached). */
export async function atRiskIds(db: Db, now = new Date()): Promise<number[]> {
  const rows = await db.$queryRaw<{ id: number }[]>(Prisma.sql`${openComplaints({}, now)} SELECT id FROM flagged WHERE at_risk`);
  return rows.map((r) => r.id);
}
