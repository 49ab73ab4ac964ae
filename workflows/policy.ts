import type { Duration } from '@temporalio/common';
import type { BusinessCalendar } from './business-hours';
import { FLAGS, type Actor, type Flag, type Role, type Severity } from './messages';

// What a complaint keeps for its whole life, read once when its workflow starts: a later policy
// change affects new complaints only.

export interface SlaTerms {
  triageMs: number;
  firstResponseMs: number;
  resolutionMs: number;
  /** Share of each deadline at which the owner is warned, e.g. 0.75. */
  warnShare: number;
  /** After a breach, escalate one level further up every this long while it stays breached. */
  reescalateMs: number;
  /** Null: every hour counts. */
  calendar: BusinessCalendar | null;
}

export interface Policy {
  activityTimeout: Duration;
  sla: Record<Severity, SlaTerms>;
  surveyDelayMs: number;
  surveyReminderMs: number;
  surveyWindowMs: number;
  reopenPriority: 'high' | 'urgent';
  /** A survey score at or below this reopens the case (as does "not resolved"). */
  reopenScoreAtMost: number;
  categories: string[];
  rootCauses: string[];
  resolutionCodes: string[];
  departments: string[];
  /** Optional actions (notes, messages to the customer, questions) a complaint takes before refusing more. */
  maxOptionalActions: number;
}

/** What staff said about the complaint when they registered it. */
export interface Intake {
  severity: Severity;
  flags: Flag[];
  department: string | null;
  owner: Actor | null;
}

const RANK: Record<Role, number> = { admin: 0, agent: 1, supervisor: 2, manager: 3, senior_manager: 4 };
export const rank = (role: Role) => RANK[role];

/** The escalation chain, bottom to top. */
export const LADDER = ['supervisor', 'manager', 'senior_manager'] as const satisfies readonly Role[];

/** A role's level in the chain (1 supervisor … 3 senior management), 0 for roles below it. */
export const ladderLevel = (role: string) => LADDER.indexOf(role as (typeof LADDER)[number]) + 1;
/** How a level is named in emails. */
export const LADDER_LABEL: Record<(typeof LADDER)[number], string> = {
  supervisor: 'supervisor', manager: 'manager', senior_manager: 'senior management',
};

/** The n-th escalation (0-based) above someone of `role`, or undefined past the top. */
export function escalationRole(responsible: Role, n: number): (typeof LADDER)[number] | undefined {
  const first = LADDER.findIndex((r) => rank(r) > rank(responsible));
  return first < 0 ? undefined : LADDER[first + n];
}

/** The complaint row's flag columns for a list of flags, and back. */
const FLAG_COLUMNS = { legal: 'flagLegal', safety: 'flagSafety', financial: 'flagFinancial' } as const;
type FlagRow = Record<(typeof FLAG_COLUMNS)[Flag], boolean>;
export const flagColumns = (flags: readonly Flag[]): FlagRow =>
  ({ flagLegal: flags.includes('legal'), flagSafety: flags.includes('safety'), flagFinancial: flags.includes('financial') });
export const flagsOf = (row: FlagRow): Flag[] => FLAGS.filter((f) => row[FLAG_COLUMNS[f]]);

const ORDER: Severity[] = ['minor', 'major', 'critical'];
/** Any flag makes a complaint at least major. */
export function effectiveSeverity(severity: Severity, flags: Flag[]): Severity {
  return flags.length && ORDER.indexOf(severity) < 1 ? 'major' : severity;
}
