import { Prisma } from '../generated/prisma/client';
import type { Db } from '../lib/db';
import { LADDER } from '../workflows/policy';
import { describe, dimensions, rangeOf, ts, reportQuery, type ReportFilters } from './filters';

// Escalations made in the range (`escalations.at`), per level of the chain: how many, how many distinct
// complaints they concern, and how many came from each clock. Every level is listed, with zeros.

export interface EscalationRow {
  level: string;
  escalations: number;
  complaints: number;
  triage: number;
  firstResponse: number;
  resolution: number;
}
export const ESCALATION_COLUMNS = ['level', 'escalations', 'complaints', 'triage', 'firstResponse', 'resolution'] as const;

export async function escalationsReport(db: Db, filters: ReportFilters, now = new Date()) {
  const range = rangeOf(filters, now);
  const rows = await reportQuery<EscalationRow>(db, Prisma.sql`
    WITH x AS (
      SELECT x.complaint_id, x.level, x.clock
      FROM escalations x JOIN complaints c ON c.id = x.complaint_id
      WHERE x.at >= ${ts(range.from)} AND x.at < ${ts(range.to)}${dimensions(filters)}
    )
    SELECT l.level, count(x.level)::int AS escalations, count(DISTINCT x.complaint_id)::int AS complaints,
           count(x.level) FILTER (WHERE x.clock = 'triage')::int AS triage,
           count(x.level) FILTER (WHERE x.clock = 'firstResponse')::int AS "firstResponse",
           count(x.level) FILTER (WHERE x.clock = 'resolution')::int AS resolution
    FROM unnest(${[...LADDER]}::text[]) WITH ORDINALITY AS l(level, ord)
    LEFT JOIN x ON x.level = l.level
    GROUP BY l.level, l.ord
    ORDER BY l.ord`);
  return { report: 'escalations' as const, ...describe(filters, range), columns: ESCALATION_COLUMNS, rows };
}
