import { Prisma } from '../generated/prisma/client';
import { config, type Config } from '../lib/config';
import type { Db } from '../lib/db';
import { describe, dimensions, num, rangeOf, ratio, ts, reportQuery, type ReportFilters } from './filters';

// The process targets and the figures around them, for the complaints of one range and slice.
//
// Definitions (the README's "Quality figures" section says the same):
// - on-time handling rate: complaints received in the range that never had an `sla_breached` event,
//   out of those whose outcome on time is already decided: closed, or past every deadline (stage
//   `resolved` or `survey`: triage, first response and resolution are all met by then), or breached
//   at least once (a breach cannot be undone). Open complaints still within their deadlines are left
//   out: they may still go either way.
// - satisfaction rate: survey answers given in the range that score 4 or 5, out of all answers given
//   in the range (every round counts: a reopened case answers twice).
// - on-time analysis rate: complaints received in the range whose first `root_cause_recorded` event is
//   at or before the complaint's resolution deadline (`resolution_due_at`, which waiting on the
//   customer moves), out of those with a root cause plus those still open without one whose resolution
//   deadline has already passed (they can no longer be on time). Rejected and withdrawn complaints
//   closed without a root cause are not counted.
// - effective resolution rate: complaints closed in the range with outcome `resolved`, never reopened,
//   whose last survey answer says "resolved", out of all complaints closed in the range.
// - complaint reduction: 1 − received in the range / received in the equally long period just before;
//   a 10% target is met when the range has at least 10% fewer complaints (null without a previous one).
// - survey response rate: surveys sent in the range (`survey_sent` events, one per round) that have an
//   answer (at any time), out of all sent in the range.
// - reopen rate: complaints received in the range that were reopened, out of those that got at least one
//   follow-up letter (only those can be reopened).
// - times, median and 90th percentile (linear interpolation, `percentile_cont`) in seconds, over the
//   complaints received in the range: to acknowledge (acknowledged_at − created_at), to triage (first
//   `triaged` event − created_at; a rejection is a triage too), to resolve (resolved_at − created_at,
//   i.e. until the follow-up letter of the final round; reset on reopening, so a reopened case counts
//   until its last letter).

export interface Targets {
  onTimeRate: number;
  satisfactionRate: number;
  analysisRate: number;
  effectiveResolutionRate: number;
  complaintReduction: number;
}

export function targetsFromConfig(c: Config = config()): Targets {
  return {
    onTimeRate: c.TARGET_ON_TIME_RATE,
    satisfactionRate: c.TARGET_SATISFACTION_RATE,
    analysisRate: c.TARGET_ANALYSIS_RATE,
    effectiveResolutionRate: c.TARGET_EFFECTIVE_RESOLUTION_RATE,
    complaintReduction: c.TARGET_COMPLAINT_REDUCTION,
  };
}

export interface TargetRow {
  name: string;
  /** A share (0–1), a number of seconds, or null when there is nothing to measure. */
  value: number | null;
  unit: 'ratio' | 'seconds';
  /** Null for figures without a target. */
  target: number | null;
  /** value ≥ target; null without a target or without a value. */
  met: boolean | null;
  /** Shares: the numerator; times: how many complaints were measured; reduction: received in the range. */
  count: number;
  /** Shares: the denominator; reduction: received in the period before; times: null. */
  base: number | null;
}

export const TARGET_COLUMNS = ['name', 'value', 'unit', 'target', 'met', 'count', 'base'] as const;

interface Raw {
  on_time: number; decided: number; analysed_on_time: number; analysis_due: number; reopened: number; letters: number;
  /** [median, p90] in seconds, or null without any value. */
  ack: number[] | null; ack_n: number;
  triage: number[] | null; triage_n: number;
  resolve: number[] | null; resolve_n: number;
  satisfied: number; answers: number; surveys_sent: number; surveys_answered: number;
  effective: number; closed: number; received: number; previous: number;
}

export async function targetsReport(db: Db, filters: ReportFilters, targets: Targets = targetsFromConfig(), now = new Date()) {
  const range = rangeOf(filters, now);
  const { from, to } = range;
  const previousFrom = new Date(from.getTime() - (to.getTime() - from.getTime()));
  const dims = dimensions(filters);
  // With a slice, only its complaints' events are aggregated; without one, the join would cost more than
  // the few events of complaints received before the range (the cohort below drops them).
  const eventScope = dims === Prisma.empty ? Prisma.empty
    : Prisma.sql` JOIN complaints c ON c.id = e.complaint_id AND c.created_at >= ${ts(from)} AND c.created_at < ${ts(to)}${dims}`;
  // Median and 90th percentile from one sort each.
  const percentiles = (later: Prisma.Sql) =>
    Prisma.sql`percentile_cont(ARRAY[0.5, 0.9]::float8[]) WITHIN GROUP (ORDER BY extract(epoch FROM ${later} - created_at)::float8)`;

  const [r] = await reportQuery<Raw>(db, Prisma.sql`
    WITH ev AS (
      -- Only the events a figure needs; none of them precedes its complaint's arrival (hence at >= from).
      SELECT e.complaint_id,
             bool_or(e.type = 'sla_breached') AS breached,
             min(e.at) FILTER (WHERE e.type = 'triaged') AS triaged_at,
             min(e.at) FILTER (WHERE e.type = 'root_cause_recorded') AS root_cause_at
      FROM complaint_events e${eventScope}
      WHERE e.type IN ('sla_breached', 'triaged', 'root_cause_recorded') AND e.at >= ${ts(from)}
      GROUP BY e.complaint_id
    ), k AS (
      SELECT c.created_at, c.acknowledged_at, c.stage, c.resolved_at, c.reopen_count, c.resolution_due_at,
             ev.triaged_at, ev.root_cause_at,
             coalesce(ev.breached, false) AS breached,
             -- A follow-up letter went out: resolved_at is set by it, and only a reopening (after one) clears it.
             (c.resolved_at IS NOT NULL OR c.reopen_count > 0) AS letter_sent,
             (c.stage IN ('resolved', 'survey', 'closed') OR coalesce(ev.breached, false)) AS decided
      FROM complaints c LEFT JOIN ev ON ev.complaint_id = c.id
      WHERE c.created_at >= ${ts(from)} AND c.created_at < ${ts(to)}${dims}
    ), cohort AS (
      SELECT
        count(*) FILTER (WHERE decided AND NOT breached)::int AS on_time,
        count(*) FILTER (WHERE decided)::int AS decided,
        count(*) FILTER (WHERE root_cause_at <= resolution_due_at)::int AS analysed_on_time,
        count(*) FILTER (WHERE root_cause_at IS NOT NULL
                            OR (stage <> 'closed' AND resolution_due_at < ${ts(now)}))::int AS analysis_due,
        count(*) FILTER (WHERE letter_sent AND reopen_count > 0)::int AS reopened,
        count(*) FILTER (WHERE letter_sent)::int AS letters,
        ${percentiles(Prisma.sql`acknowledged_at`)} AS ack, count(acknowledged_at)::int AS ack_n,
        ${percentiles(Prisma.sql`triaged_at`)} AS triage, count(triaged_at)::int AS triage_n,
        ${percentiles(Prisma.sql`resolved_at`)} AS resolve, count(resolved_at)::int AS resolve_n
      FROM k
    ), sat AS (
      SELECT count(*) FILTER (WHERE s.score >= 4)::int AS satisfied, count(*)::int AS answers
      FROM survey_responses s JOIN complaints c ON c.id = s.complaint_id
      WHERE s.at >= ${ts(from)} AND s.at < ${ts(to)}${dims}
    ), surveys AS (
      SELECT count(*)::int AS surveys_sent, count(r.id)::int AS surveys_answered
      FROM complaint_events e
      JOIN complaints c ON c.id = e.complaint_id
      LEFT JOIN survey_responses r ON r.complaint_id = e.complaint_id AND r.round = (e.data->>'round')::int
      WHERE e.type = 'survey_sent' AND e.at >= ${ts(from)} AND e.at < ${ts(to)}${dims}
    ), eff AS (
      -- The last survey round of a complaint is reopen_count + 1 (each reopening starts a new round).
      SELECT count(*)::int AS closed,
             count(*) FILTER (WHERE c.outcome = 'resolved' AND c.reopen_count = 0 AND a.resolved)::int AS effective
      FROM complaints c LEFT JOIN survey_responses a ON a.complaint_id = c.id AND a.round = c.reopen_count + 1
      WHERE c.closed_at >= ${ts(from)} AND c.closed_at < ${ts(to)}${dims}
    ), red AS (
      SELECT count(*) FILTER (WHERE c.created_at >= ${ts(from)})::int AS received,
             count(*) FILTER (WHERE c.created_at < ${ts(from)})::int AS previous
      FROM complaints c
      WHERE c.created_at >= ${ts(previousFrom)} AND c.created_at < ${ts(to)}${dims}
    )
    SELECT * FROM cohort, sat, surveys, eff, red`);

  const share = (name: string, count: number, base: number, target: number | null): TargetRow => {
    const value = ratio(count, base);
    return { name, value, unit: 'ratio', target, met: target === null || value === null ? null : value >= target, count, base };
  };
  const time = (name: string, value: number | null, count: number): TargetRow =>
    ({ name, value: num(value), unit: 'seconds', target: null, met: null, count, base: null });
  const reductionValue = r.previous > 0 ? 1 - r.received / r.previous : null;

  const rows: TargetRow[] = [
    share('on_time_handling_rate', r.on_time, r.decided, targets.onTimeRate),
    share('satisfaction_rate', r.satisfied, r.answers, targets.satisfactionRate),
    share('on_time_analysis_rate', r.analysed_on_time, r.analysis_due, targets.analysisRate),
    share('effective_resolution_rate', r.effective, r.closed, targets.effectiveResolutionRate),
    {
      name: 'complaint_reduction', value: reductionValue, unit: 'ratio', target: targets.complaintReduction,
      met: reductionValue === null ? null : reductionValue >= targets.complaintReduction, count: r.received, base: r.previous,
    },
    share('survey_response_rate', r.surveys_answered, r.surveys_sent, null),
    share('reopen_rate', r.reopened, r.letters, null),
    time('time_to_acknowledge_median', r.ack?.[0] ?? null, r.ack_n),
    time('time_to_acknowledge_p90', r.ack?.[1] ?? null, r.ack_n),
    time('time_to_triage_median', r.triage?.[0] ?? null, r.triage_n),
    time('time_to_triage_p90', r.triage?.[1] ?? null, r.triage_n),
    time('time_to_resolve_median', r.resolve?.[0] ?? null, r.resolve_n),
    time('time_to_resolve_p90', r.resolve?.[1] ?? null, r.resolve_n),
  ];
  return { report: 'targets' as const, ...describe(filters, range), columns: TARGET_COLUMNS, rows };
}
