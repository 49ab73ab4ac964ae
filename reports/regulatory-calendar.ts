import type { Db } from '../lib/db';
import { localDayOf, zonedToInstant } from '../workflows/business-hours';
import type { RegulatoryPlan } from '../workflows/regulatory';

// What the regulators' returns count days in: each profile's time zone, close of business and public
// holidays (regulatory_profiles, public_holidays), and the reporting period, whose edges are midnights
// in the regulator's own time zone (a complaint received at 00:30 on 1 July in London belongs to the
// second half-year, although it is still 30 June in UTC).

const DAY_MS = 86_400_000;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A profile's calendar, as workflows/regulatory.ts's clock arithmetic takes it. */
export type ProfileCalendar = Pick<RegulatoryPlan, 'code' | 'name' | 'regulator' | 'timeZone' | 'closeOfBusiness' | 'holidays'>;

/** A report needs a regulatory profile that is not in regulatory_profiles (the seed adds the defaults). */
export class MissingProfile extends Error {
  constructor(public code: string) {
    super(`There is no regulatory profile ${code} (table regulatory_profiles): npm start seeds the default profiles (prisma/seed.ts, seedRegulation in lib/regulatory-profiles.ts)`);
    this.name = 'MissingProfile';
  }
}

/** The calendars of the profiles named (those that exist), by code. */
export async function calendarsOf(db: Db, codes: readonly string[]): Promise<Map<string, ProfileCalendar>> {
  const profiles = await db.regulatoryProfile.findMany({ where: { code: { in: [...codes] } } });
  const holidays = await db.publicHoliday.findMany({ where: { calendar: { in: profiles.map((p) => p.calendar) } }, orderBy: { date: 'asc' } });
  return new Map(profiles.map((p) => [p.code, {
    code: p.code, name: p.name, regulator: p.regulator, timeZone: p.timeZone, closeOfBusiness: p.closeOfBusiness,
    holidays: holidays.filter((h) => h.calendar === p.calendar).map((h) => h.date.toISOString().slice(0, 10)),
  }]));
}

/** The local calendar date (YYYY-MM-DD) of an instant in a time zone. */
export const localDate = (at: Date | number, timeZone: string): string =>
  new Date(localDayOf(typeof at === 'number' ? at : at.getTime(), timeZone) * DAY_MS).toISOString().slice(0, 10);

/** Whole calendar days from one local date to another (YYYY-MM-DD). */
export const daysBetween = (from: string, to: string): number => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);

const midnight = (date: string, timeZone: string) => new Date(zonedToInstant(Date.parse(`${date}T00:00:00Z`) / DAY_MS, 0, timeZone));
const nextDay = (date: string) => new Date(Date.parse(`${date}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);

/**
 * A reporting period: `half` ('2026-H1': 1 January to 30 June; 'H2': 1 July to 31 December), or `from`
 * and `to`. A date (YYYY-MM-DD) is a local day of the regulator (`to` includes it); a Date or an ISO
 * instant is taken as it is. Nothing given: the half-year that is running now.
 */
export interface PeriodInput { half?: string; from?: Date | string; to?: Date | string }
export interface Period { from: Date; to: Date; timeZone: string; half: string | null }

export function resolvePeriod(p: PeriodInput, timeZone: string, now = new Date()): Period {
  let half = p.half ?? null;
  if (!half && p.from === undefined && p.to === undefined) {
    const today = localDate(now, timeZone);
    half = `${today.slice(0, 4)}-H${Number(today.slice(5, 7)) <= 6 ? 1 : 2}`;
  }
  if (half) {
    const m = /^(\d{4})-H([12])$/.exec(half);
    if (!m) throw new Error(`not a half-year: ${half} (2026-H1 or 2026-H2)`);
    const year = Number(m[1]);
    const [start, end] = m[2] === '1' ? [`${year}-01-01`, `${year}-07-01`] : [`${year}-07-01`, `${year + 1}-01-01`];
    return { from: midnight(start, timeZone), to: midnight(end, timeZone), timeZone, half };
  }
  const edge = (v: Date | string | undefined, which: 'from' | 'to'): Date => {
    if (v === undefined) return which === 'to' ? now : resolvePeriod({}, timeZone, now).from;
    if (v instanceof Date) return v;
    if (DATE.test(v)) return midnight(which === 'to' ? nextDay(v) : v, timeZone);
    return new Date(v);
  };
  return { from: edge(p.from, 'from'), to: edge(p.to, 'to'), timeZone, half: null };
}

/** The period as every regulatory report echoes it. */
export const describePeriod = (p: Period) => ({
  from: p.from.toISOString(), to: p.to.toISOString(), half: p.half, timeZone: p.timeZone,
  firstDay: localDate(p.from, p.timeZone), lastDay: localDate(p.to.getTime() - 1, p.timeZone),
});
