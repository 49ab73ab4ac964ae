import { Prisma } from '../generated/prisma/client';
import type { Db } from '../lib/db';
import { describe, dimensions, rangeOf, ts, reportQuery, type ReportFilters } from './filters';

// Root-cause Pareto over the complaints received in the range that have a root cause (the one on the
// complaint now, i.e. the last recorded): causes ranked by count (ties by name), each with its share and
// the cumulative share, overall and within each department and each category. `vitalFew` marks the
// causes that together make up the first 80% (the one that crosses 80% included).

export type ParetoScope = 'overall' | 'department' | 'category';

export interface ParetoRow {
  scope: ParetoScope;
  /** The department or category code; null for `overall` and for complaints without one. */
  group: string | null;
  rank: number;
  rootCause: string;
  count: number;
  share: number;
  cumulativeShare: number;
  vitalFew: boolean;
}

export const PARETO_COLUMNS = ['scope', 'group', 'rank', 'rootCause', 'count', 'share', 'cumulativeShare', 'vitalFew'] as const;

export async function paretoReport(db: Db, filters: ReportFilters, now = new Date()) {
  const range = rangeOf(filters, now);
  const rows = await reportQuery<ParetoRow>(db, Prisma.sql`
    WITH counted AS (
      SELECT CASE WHEN GROUPING(c.department) = 0 THEN 'department'
                  WHEN GROUPING(c.category) = 0 THEN 'category' ELSE 'overall' END AS scope,
             CASE WHEN GROUPING(c.department) = 0 THEN c.department ELSE c.category END AS grp,
             c.root_cause, count(*)::int AS n
      FROM complaints c
      WHERE c.created_at >= ${ts(range.from)} AND c.created_at < ${ts(range.to)} AND c.root_cause IS NOT NULL${dimensions(filters)}
      GROUP BY GROUPING SETS ((c.root_cause), (c.department, c.root_cause), (c.category, c.root_cause))
    ), ranked AS (
      SELECT scope, grp, root_cause, n,
             row_number() OVER w::int AS rank,
             sum(n) OVER (w ROWS UNBOUNDED PRECEDING) AS running,
             sum(n) OVER (PARTITION BY scope, grp) AS total
      FROM counted
      WINDOW w AS (PARTITION BY scope, grp ORDER BY n DESC, root_cause)
    )
    SELECT scope, grp AS "group", rank, root_cause AS "rootCause", n AS count,
           n::float8 / total AS share, running::float8 / total AS "cumulativeShare",
           5 * (running - n) < 4 * total AS "vitalFew"
    FROM ranked
    ORDER BY CASE scope WHEN 'overall' THEN 0 WHEN 'department' THEN 1 ELSE 2 END, grp NULLS FIRST, rank`);
  return { report: 'pareto' as const, ...describe(filters, range), columns: PARETO_COLUMNS, rows };
}
