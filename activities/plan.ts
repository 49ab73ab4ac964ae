import type { Duration } from '@temporalio/common';
import { toMs } from '../lib/config';
import { validateCalendar } from '../workflows/business-hours';
import type { Role, Severity } from '../workflows/messages';
import { SEVERITIES } from '../workflows/messages';
import { flagsOf, type Intake, type Policy, type SlaTerms } from '../workflows/policy';
import type { ActivityDeps } from './deps';
import type { RegulatoryMetBy, RegulatoryPlan, RegulatoryPoint, RegulatoryUnit } from '../workflows/regulatory';

const HOUR = 3_600_000;
/** Used for a severity that has no row in sla_policies. */
export const DEFAULT_SLA: Record<Severity, Omit<SlaTerms, 'calendar'>> = {
  critical: { triageMs: 1 * HOUR, firstResponseMs: 4 * HOUR, resolutionMs: 24 * HOUR, warnShare: 0.75, reescalateMs: 1 * HOUR },
  major: { triageMs: 4 * HOUR, firstResponseMs: 24 * HOUR, resolutionMs: 5 * 24 * HOUR, warnShare: 0.75, reescalateMs: 4 * HOUR },
  minor: { triageMs: 24 * HOUR, firstResponseMs: 72 * HOUR, resolutionMs: 14 * 24 * HOUR, warnShare: 0.75, reescalateMs: 24 * HOUR },
};

export const DEFAULT_LISTS: Record<'category' | 'root_cause' | 'resolution_code', string[]> = {
  category: ['product_quality', 'delivery', 'billing', 'service', 'safety', 'staff_conduct', 'other'],
  root_cause: ['manufacturing_defect', 'design_flaw', 'supplier_issue', 'process_failure', 'human_error',
    'communication', 'system_error', 'customer_misuse', 'other'],
  resolution_code: ['refund_issued', 'replacement_sent', 'repair_done', 'apology_given', 'process_changed',
    'compensation_paid', 'explanation_given', 'no_action_needed'],
};

export function planActivities({ db, config }: ActivityDeps) {
  return {
    /** The policy this complaint keeps for its life, and what staff said about it at registration. */
    async loadPlan(complaintId: number): Promise<{ policy: Policy; intake: Intake; regulation?: RegulatoryPlan }> {
      const [complaint, slaRows, listRows, departments] = await Promise.all([
        db.complaint.findUniqueOrThrow({ where: { id: complaintId }, include: { owner: true } }),
        db.slaPolicy.findMany(),
        db.listItem.findMany({ where: { active: true }, orderBy: { code: 'asc' } }),
        db.department.findMany({ orderBy: { code: 'asc' } }),
      ]);
      const sla = {} as Record<Severity, SlaTerms>;
      for (const severity of SEVERITIES) {
        const row = slaRows.find((r) => r.severity === severity);
        sla[severity] = row
          ? {
              triageMs: row.triageSeconds * 1000,
              firstResponseMs: row.firstResponseSeconds * 1000,
              resolutionMs: row.resolutionSeconds * 1000,
              warnShare: row.warnShare,
              reescalateMs: row.reescalateSeconds * 1000,
              calendar: row.businessHours ? validateCalendar(row.businessHours) : null,
            }
          : { ...DEFAULT_SLA[severity], calendar: null };
      }
      const list = (name: keyof typeof DEFAULT_LISTS) => {
        const codes = listRows.filter((r) => r.list === name).map((r) => r.code);
        return codes.length ? codes : DEFAULT_LISTS[name];
      };
      const flags = flagsOf(complaint);
      const regulation = complaint.regulation ? await regulatoryPlan(db, complaint.regulation, complaint.createdAt) : undefined;
      return {
        ...(regulation ? { regulation } : {}), // absent, not undefined: the plan of an unregulated complaint is as it was
        policy: {
          activityTimeout: config.ACTIVITY_TIMEOUT as Duration,
          sla,
          surveyDelayMs: toMs(config.SURVEY_DELAY),
          surveyReminderMs: toMs(config.SURVEY_REMINDER_AFTER),
          surveyWindowMs: toMs(config.SURVEY_WINDOW),
          reopenPriority: config.REOPEN_PRIORITY,
          reopenScoreAtMost: config.REOPEN_SCORE_AT_MOST,
          categories: list('category'),
          rootCauses: list('root_cause'),
          resolutionCodes: list('resolution_code'),
          departments: departments.map((d) => d.code),
          maxOptionalActions: config.MAX_ACTIONS_PER_COMPLAINT,
        },
        intake: {
          severity: (complaint.severity as Severity | null) ?? 'minor',
          flags,
          department: complaint.department,
          owner: complaint.owner
            ? { id: complaint.owner.id, role: complaint.owner.role as Role, department: complaint.owner.department }
            : null,
        },
      };
    },
  };
}

/**
 * A regulatory profile as a complaint keeps it: its clocks and the public holidays of its calendar from
 * a week before receipt to two years after (the longest clock is 60 days; reopened cases keep the dates).
 */
async function regulatoryPlan(db: ActivityDeps['db'], code: string, receivedAt: Date): Promise<RegulatoryPlan> {
  const profile = await db.regulatoryProfile.findUniqueOrThrow({ where: { code }, include: { clocks: { orderBy: { id: 'asc' } } } });
  const holidays = await db.publicHoliday.findMany({
    where: { calendar: profile.calendar, date: { gte: new Date(receivedAt.getTime() - 7 * 86_400_000), lte: new Date(receivedAt.getTime() + 731 * 86_400_000) } },
    orderBy: { date: 'asc' }, select: { date: true },
  });
  return {
    code: profile.code, name: profile.name, regulator: profile.regulator, timeZone: profile.timeZone, closeOfBusiness: profile.closeOfBusiness,
    holidays: holidays.map((h) => h.date.toISOString().slice(0, 10)),
    rules: profile.clocks.map((c) => ({
      name: c.name, citation: c.citation, amount: c.amount, unit: c.unit as RegulatoryUnit, metBy: c.metBy as RegulatoryMetBy,
      atPoint: c.atPoint as RegulatoryPoint, letterKind: c.letterKind, warnShare: c.warnShare,
    })),
  };
}
