import type { Db } from '../lib/db';
import { atRiskReport, backlogReport } from './backlog';
import { escalationsReport } from './escalations';
import type { ReportFilters } from './filters';
import { paretoReport } from './pareto';
import { targetsFromConfig, targetsReport, type Targets } from './targets';
import { trendsReport, type Interval } from './trends';

// The quality figures of the complaint process, each computed in PostgreSQL by one query from what the
// workflows record (complaints, complaint_events, escalations, survey_responses). Every function is
// `(db, filters, …) => result`, with `rows` (one table, the CSV's rows) and the range and filters it
// was computed for. Definitions are next to each query: targets.ts, trends.ts, pareto.ts, backlog.ts,
// escalations.ts.

export { atRiskReport, backlogReport, escalationsReport, paretoReport, targetsReport, trendsReport };
export type { Interval, ReportFilters, Targets };

export interface SummaryOptions { interval?: Interval; limit?: number; targets?: Targets; now?: Date }

/**
 * Every figure at once (the queries run side by side). The backlog and the list at risk are the whole
 * open backlog as of now, with the same department/category/severity/channel: the range does not apply
 * to them here (a period's review must still show the old cases that are most at risk).
 */
export async function summaryReport(db: Db, filters: ReportFilters, o: SummaryOptions = {}) {
  const now = o.now ?? new Date();
  const targets = o.targets ?? targetsFromConfig();
  const open: ReportFilters = { ...filters, from: undefined, to: undefined };
  const [t, trends, pareto, backlog, atRisk, escalations] = await Promise.all([
    targetsReport(db, filters, targets, now),
    trendsReport(db, filters, o.interval ?? 'week', targets, now),
    paretoReport(db, filters, now),
    backlogReport(db, open, now),
    atRiskReport(db, open, o.limit ?? 200, now),
    escalationsReport(db, filters, now),
  ]);
  return { report: 'summary' as const, from: t.from, to: t.to, filters: t.filters, targets: t, trends, pareto, backlog, atRisk, escalations };
}
