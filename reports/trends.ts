import { Prisma } from '../generated/prisma/client';
import type { Db } from '../lib/db';
import { describe, dimensions, num, rangeOf, ts, reportQuery, type ReportFilters } from './filters';
import { targetsFromConfig, type Targets } from './targets';

// Complaints received, breached, closed and the satisfaction rate per calendar week (Monday, UTC) or
// month, with the change against the period before and against the complaint-reduction target.
//
// - Periods are whole weeks or months: every period that overlaps the range, counted in full, plus the
//   one before the first (computed only for the first period's change, not listed).
// - received: complaints created in the period; closed: closed in the period; breached: complaints with
//   at least one `sla_breached` event in the period; answers / satisfaction rate: survey answers given
//   in the period and the share of them scoring 4–5.
// - receivedChange, breachedChange, closedChange: (this − previous) / previous, null when previous is 0;
//   satisfactionChange: this rate − previous rate (share points), null when either has no answers.
// - receivedTarget: the most complaints the period may have to meet the reduction target,
//   previous × (1 − TARGET_COMPLAINT_REDUCTION); reductionMet: received ≤ receivedTarget (null when the
//   previous period had none).

export type Interval = 'week' | 'month';

export interface TrendRow {
  /** First day of the period, YYYY-MM-DD. */
  period: string;
  received: number;
  breached: number;
  closed: number;
  answers: number;
  satisfactionRate: number | null;
  receivedChange: number | null;
  breachedChange: number | null;
  closedChange: number | null;
  satisfactionChange: number | null;
  receivedTarget: number | null;
  reductionMet: boolean | null;
}

export const TREND_COLUMNS = [
  'period', 'received', 'breached', 'closed', 'answers', 'satisfactionRate',
  'receivedChange', 'breachedChange', 'closedChange', 'satisfactionChange', 'receivedTarget', 'reductionMet',
] as const;

interface Raw { period: string; received: number; breached: number; closed: number; answers: number; satisfied: number }

export async function trendsReport(
  db: Db, filters: ReportFilters, interval: Interval = 'week', targets: Targets = targetsFromConfig(), now = new Date(),
) {
  const range = rangeOf(filters, now);
  const dims = dimensions(filters);
  const rows = await reportQuery<Raw>(db, Prisma.sql`
    WITH periods AS (
      SELECT p AS start, p + ('1 ' || ${interval}::text)::interval AS stop
      FROM generate_series(
        date_trunc(${interval}::text, ${ts(range.from)}) - ('1 ' || ${interval}::text)::interval,
        date_trunc(${interval}::text, ${ts(range.to)} - interval '1 millisecond'),
        ('1 ' || ${interval}::text)::interval) AS p
    ), bounds AS (
      SELECT min(start) AS lo, max(stop) AS hi FROM periods
    ), received AS (
      SELECT date_trunc(${interval}::text, c.created_at) AS start, count(*)::int AS n
      FROM complaints c, bounds
      WHERE c.created_at >= bounds.lo AND c.created_at < bounds.hi${dims}
      GROUP BY 1
    ), closed AS (
      SELECT date_trunc(${interval}::text, c.closed_at) AS start, count(*)::int AS n
      FROM complaints c, bounds
      WHERE c.closed_at >= bounds.lo AND c.closed_at < bounds.hi${dims}
      GROUP BY 1
    ), breached AS (
      SELECT date_trunc(${interval}::text, e.at) AS start, count(DISTINCT e.complaint_id)::int AS n
      FROM complaint_events e JOIN complaints c ON c.id = e.complaint_id, bounds
      WHERE e.type = 'sla_breached' AND e.at >= bounds.lo AND e.at < bounds.hi${dims}
      GROUP BY 1
    ), answers AS (
      SELECT date_trunc(${interval}::text, s.at) AS start, count(*)::int AS n, count(*) FILTER (WHERE s.score >= 4)::int AS satisfied
      FROM survey_responses s JOIN complaints c ON c.id = s.complaint_id, bounds
      WHERE s.at >= bounds.lo AND s.at < bounds.hi${dims}
      GROUP BY 1
    )
    SELECT to_char(p.start, 'YYYY-MM-DD') AS period,
           coalesce(r.n, 0) AS received, coalesce(b.n, 0) AS breached, coalesce(cl.n, 0) AS closed,
           coalesce(a.n, 0) AS answers, coalesce(a.satisfied, 0) AS satisfied
    FROM periods p
    LEFT JOIN received r ON r.start = p.start
    LEFT JOIN closed cl ON cl.start = p.start
    LEFT JOIN breached b ON b.start = p.start
    LEFT JOIN answers a ON a.start = p.start
    ORDER BY p.start`);

  const change = (now: number, before: number) => (before > 0 ? (now - before) / before : null);
  const rate = (r: Raw) => (r.answers > 0 ? r.satisfied / r.answers : null);
  const out: TrendRow[] = [];
  for (let i = 1; i < rows.length; i++) {
    const r = rows[i];
    const p = rows[i - 1];
    const satisfactionRate = rate(r);
    const previousRate = rate(p);
    const receivedTarget = p.received > 0 ? p.received * (1 - targets.complaintReduction) : null;
    out.push({
      period: r.period, received: r.received, breached: r.breached, closed: r.closed, answers: r.answers,
      satisfactionRate,
      receivedChange: change(r.received, p.received),
      breachedChange: change(r.breached, p.breached),
      closedChange: change(r.closed, p.closed),
      satisfactionChange: satisfactionRate === null || previousRate === null ? null : num(satisfactionRate - previousRate),
      receivedTarget,
      reductionMet: receivedTarget === null ? null : r.received <= receivedTarget,
    });
  }
  return {
    report: 'trends' as const, ...describe(filters, range), interval, reductionTarget: targets.complaintReduction,
    columns: TREND_COLUMNS, rows: out,
  };
}
