import type { Duration } from '@temporalio/common';
import { toMs } from '../lib/config';
import { validateCalendar } from '../workflows/business-hours';
import type { Role, Severity } from '../workflows/messages';
import { SEVERITIES } from '../workflows/messages';
import { flagsOf, type Intake, type Policy, type SlaTerms } from '../workflows/policy';
import type { ActivityDeps } from './deps';

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
    async loadPlan(complaintId: number): Promise<{ policy: Policy; intake: Intake }> {
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
      return {
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
