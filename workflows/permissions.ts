import { rank } from './policy';
import type { Role, Severity, Stage } from './messages';

// Who may take which staff action, and in which stages: one table that the workflow's validators, the
// API's role checks and the list of actions offered to a signed-in person (the console's forms) all
// read. Other conditions (a root cause before a resolution, a report for a serious case) stay with the
// workflow, which refuses in words.

export const ACTIONS = [
  'triage', 'reclassify', 'notes', 'root-cause', 'report', 'customer-requests', 'customer-replies', 'responses',
  'resolution', 'sign-off', 'withdrawal',
] as const;
export type ActionName = (typeof ACTIONS)[number];

const STAFF: readonly Role[] = ['agent', 'supervisor', 'manager', 'senior_manager'];
const SUPERVISORS: readonly Role[] = ['supervisor', 'manager', 'senior_manager'];
const WORKING: readonly Stage[] = ['received', 'triage', 'investigation', 'waiting_on_customer', 'resolution_proposed'];

export const ACTION_RULES: Record<ActionName, { stages: readonly Stage[]; roles: readonly Role[] }> = {
  triage: { stages: ['received', 'triage'], roles: SUPERVISORS },
  reclassify: { stages: ['investigation', 'waiting_on_customer'], roles: SUPERVISORS },
  notes: { stages: WORKING, roles: STAFF },
  'root-cause': { stages: ['investigation', 'waiting_on_customer'], roles: STAFF },
  report: { stages: ['investigation', 'waiting_on_customer'], roles: STAFF },
  'customer-requests': { stages: ['investigation'], roles: STAFF },
  'customer-replies': { stages: ['waiting_on_customer'], roles: STAFF },
  responses: { stages: ['triage', 'investigation', 'resolution_proposed'], roles: STAFF },
  resolution: { stages: ['investigation'], roles: STAFF },
  'sign-off': { stages: ['resolution_proposed'], roles: SUPERVISORS },
  withdrawal: { stages: [...WORKING, 'resolved', 'survey'], roles: STAFF },
};

/** The least role that signs off a complaint of this severity. */
export const signOffRole = (severity: Severity): 'supervisor' | 'manager' => (severity === 'minor' ? 'supervisor' : 'manager');

/**
 * The actions a staff member may take on a complaint now: its stage and their role; for a sign-off
 * also the severity and the four-eyes rule (not the one who proposed the resolution).
 */
export function availableActions(
  complaint: { stage: Stage; severity: Severity; proposedBy?: number | null; triaged?: boolean },
  who: { id: number; role: Role },
): ActionName[] {
  return ACTIONS.filter((name) => {
    const rule = ACTION_RULES[name];
    if (!rule.stages.includes(complaint.stage) || !rule.roles.includes(who.role)) return false;
    if (name === 'triage' && complaint.triaged) return false;
    if (name === 'sign-off') return rank(who.role) >= rank(signOffRole(complaint.severity)) && who.id !== complaint.proposedBy;
    return true;
  });
}
