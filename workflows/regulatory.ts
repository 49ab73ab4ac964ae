import { localDayOf, wallAsUtc, zonedToInstant } from './business-hours';

// Regulators' clocks (deterministic: imported by workflow code). A complaint held to a profile
// (regulatory_profiles) runs these beside its internal SLA clocks, all counted from its receipt.
//
// The rules as the regulators word them (profiles are seeded in lib/regulatory-profiles.ts):
// - FCA DISP 1.6.2R: a final response, or a written response explaining why it is not ready and that
//   the complainant may now refer the complaint to the Financial Ombudsman Service, "by the end of eight
//   weeks after its receipt".
// - FCA DISP 1.5.1R/1.5.4R: a complaint resolved "by close of business on the third business day
//   following the day on which it is received" may be closed with a summary resolution communication.
// - FCA DISP 1.6.2AR (payment services): a final response within 15 business days, or, in exceptional
//   situations, a holding reply then a final response within 35 business days.
// - ASIC RG 271: acknowledge within 24 hours (or one business day); an IDR response within 30 calendar
//   days; complaints closed within 5 business days need no written IDR response unless asked.
// - CFPB (complaints sent through the CFPB portal): a response within 15 days, a final one within 60.

export type RegulatoryUnit = 'hours' | 'hours_or_business_day' | 'calendar_days' | 'business_days';
export const REGULATORY_UNITS: readonly RegulatoryUnit[] = ['hours', 'hours_or_business_day', 'calendar_days', 'business_days'];
/** What stops a clock: the acknowledgement, any answer to the customer, or the final response. */
export type RegulatoryMetBy = 'acknowledgement' | 'response' | 'final_response';
/** What its point does when it has not been met: a letter goes out, a breach is recorded, or a window closes. */
export type RegulatoryPoint = 'letter' | 'breach' | 'window';

export interface RegulatoryRule {
  name: string;
  citation: string;
  amount: number;
  unit: RegulatoryUnit;
  metBy: RegulatoryMetBy;
  atPoint: RegulatoryPoint;
  letterKind: string | null;
  warnShare: number | null;
}

export interface RegulatoryPlan {
  code: string;
  name: string;
  regulator: string;
  timeZone: string;
  /** 'HH:MM' local: when a business day ends. */
  closeOfBusiness: string;
  /** 'YYYY-MM-DD' public holidays of the profile's calendar (weekends never count). */
  holidays: string[];
  rules: RegulatoryRule[];
}

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const MAX_DAYS = 5 * 366;

const dayKey = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);
const minutesOf = (hhmm: string) => {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
};

/** Monday to Friday and not a public holiday of the profile's calendar. */
export function isBusinessDay(day: number, plan: Pick<RegulatoryPlan, 'holidays'>): boolean {
  const weekday = new Date(day * DAY_MS).getUTCDay();
  return weekday !== 0 && weekday !== 6 && !plan.holidays.includes(dayKey(day));
}

/** Close of business on the n-th business day following the (local) day of `from`. */
export function closeOfBusinessAfter(from: number, n: number, plan: Pick<RegulatoryPlan, 'holidays' | 'timeZone' | 'closeOfBusiness'>): number {
  let day = localDayOf(from, plan.timeZone);
  for (let counted = 0, walked = 0; counted < n; walked++) {
    if (walked > MAX_DAYS) throw new Error(`no ${n} business days within five years of ${new Date(from).toISOString()}`);
    day++;
    if (isBusinessDay(day, plan)) counted++;
  }
  return zonedToInstant(day, minutesOf(plan.closeOfBusiness), plan.timeZone);
}

/** The instant a rule's point falls, counted from the complaint's receipt. */
export function regulatoryDueAt(receivedAt: number, rule: Pick<RegulatoryRule, 'amount' | 'unit'>, plan: Pick<RegulatoryPlan, 'holidays' | 'timeZone' | 'closeOfBusiness'>): number {
  switch (rule.unit) {
    case 'hours': return receivedAt + rule.amount * HOUR_MS;
    // "Within 24 hours (or one business day)": whichever is later.
    case 'hours_or_business_day': return Math.max(receivedAt + rule.amount * HOUR_MS, closeOfBusinessAfter(receivedAt, 1, plan));
    // The same local time `amount` days on ("eight weeks after its receipt"), across summer time changes.
    case 'calendar_days': {
      const wall = wallAsUtc(receivedAt, plan.timeZone);
      const day = Math.floor(wall / DAY_MS);
      return zonedToInstant(day + rule.amount, Math.floor((wall - day * DAY_MS) / 60_000), plan.timeZone) + (receivedAt % 60_000);
    }
    case 'business_days': return closeOfBusinessAfter(receivedAt, rule.amount, plan);
  }
}

/** When the owner is warned: the rule's share of the span from receipt to its point, or never. */
export function regulatoryWarnAt(receivedAt: number, rule: RegulatoryRule, plan: RegulatoryPlan): number | undefined {
  if (rule.warnShare === null || rule.atPoint === 'window') return undefined;
  return receivedAt + Math.round((regulatoryDueAt(receivedAt, rule, plan) - receivedAt) * rule.warnShare);
}

/**
 * Whether a final response at `at` closes the complaint within a short window of its profile (a
 * summary resolution, DISP 1.5; RG 271's five business days), and which window.
 */
export function summaryWindow(receivedAt: number, at: number, plan: RegulatoryPlan): RegulatoryRule | undefined {
  return plan.rules.find((r) => r.atPoint === 'window' && at <= regulatoryDueAt(receivedAt, r, plan));
}

/**
 * What the workflow records (complaint_events, in step order) for a complaint held to a profile; the
 * evidence export, the breach list and the returns read these:
 * - `regulatory_clocks_started` { profile, clocks: [{ name, citation, atPoint, dueAt, warnAt? }] } (ISO instants), once, first;
 * - `regulatory_warning` { clock, dueAt }: the owner was warned;
 * - `regulatory_met` { clock, dueAt, late } when what stops the clock happened (the acknowledgement, an
 *   answer to the customer, the final response); `late` when after dueAt (a breach, too);
 * - `regulatory_letter_sent` { clock, kind, dueAt, delivery }: the rule's letter left at its point;
 * - `regulatory_breached` { clock, dueAt }: the point passed without what the rule needs;
 * - `summary_resolution` { clock, dueAt }: the final response fell inside a short window.
 */
export const REGULATORY_EVENTS = ['regulatory_clocks_started', 'regulatory_warning', 'regulatory_met', 'regulatory_letter_sent', 'regulatory_breached', 'summary_resolution'] as const;
