import Holidays from 'date-holidays';
import type { Db } from './db';
import type { RegulatoryRule } from '../workflows/regulatory';

// The regulators' profiles a firm starts with (workflows/regulatory.ts quotes each rule). They are rows
// (regulatory_profiles, regulatory_clocks): a firm changes amounts, warnings, product groups and
// channels there; a complaint keeps the profile it was registered under for its whole life.

type Rule = Omit<RegulatoryRule, 'letterKind' | 'warnShare'> & { letterKind?: string; warnShare?: number };
export interface ProfileSeed {
  code: string; name: string; regulator: string; calendar: string; timeZone: string; closeOfBusiness: string;
  productGroups: string[]; channels: string[]; ombudsmanName: string; ombudsmanUrl: string; clocks: Rule[];
}

const FOS = { ombudsmanName: 'Financial Ombudsman Service', ombudsmanUrl: 'https://www.financial-ombudsman.org.uk' };

export const DEFAULT_PROFILES: ProfileSeed[] = [
  {
    code: 'fca', name: 'UK FCA (DISP 1)', regulator: 'FCA', calendar: 'GB-ENG', timeZone: 'Europe/London', closeOfBusiness: '17:00',
    productGroups: ['banking', 'credit_cards', 'insurance', 'investments', 'home_finance', 'pensions', 'decumulation'], channels: [], ...FOS,
    clocks: [
      { name: 'summary_resolution', citation: 'DISP 1.5.1R', amount: 3, unit: 'business_days', metBy: 'final_response', atPoint: 'window', letterKind: 'fca_summary_resolution' },
      { name: 'eight_weeks', citation: 'DISP 1.6.2R', amount: 56, unit: 'calendar_days', metBy: 'final_response', atPoint: 'letter', letterKind: 'fca_eight_week', warnShare: 0.75 },
    ],
  },
  {
    code: 'fca_payments', name: 'UK FCA, payment services (DISP 1.6.2AR)', regulator: 'FCA', calendar: 'GB-ENG', timeZone: 'Europe/London', closeOfBusiness: '17:00',
    productGroups: ['payment_services', 'e_money'], channels: [], ...FOS,
    clocks: [
      { name: 'summary_resolution', citation: 'DISP 1.5.1R', amount: 3, unit: 'business_days', metBy: 'final_response', atPoint: 'window', letterKind: 'fca_summary_resolution' },
      { name: 'fifteen_business_days', citation: 'DISP 1.6.2AR(1)', amount: 15, unit: 'business_days', metBy: 'final_response', atPoint: 'letter', letterKind: 'psd_holding_reply', warnShare: 0.75 },
      { name: 'thirty_five_business_days', citation: 'DISP 1.6.2AR(2)', amount: 35, unit: 'business_days', metBy: 'final_response', atPoint: 'breach', warnShare: 0.8 },
    ],
  },
  {
    code: 'asic', name: 'Australia ASIC (RG 271)', regulator: 'ASIC', calendar: 'AU-NSW', timeZone: 'Australia/Sydney', closeOfBusiness: '17:00',
    productGroups: [], channels: [], ombudsmanName: 'Australian Financial Complaints Authority (AFCA)', ombudsmanUrl: 'https://www.afca.org.au',
    clocks: [
      { name: 'acknowledgement', citation: 'RG 271 (acknowledge within 24 hours or one business day)', amount: 24, unit: 'hours_or_business_day', metBy: 'acknowledgement', atPoint: 'breach' },
      { name: 'five_business_days', citation: 'RG 271 (closed within 5 business days: no written IDR response unless asked)', amount: 5, unit: 'business_days', metBy: 'final_response', atPoint: 'window' },
      { name: 'idr_response', citation: 'RG 271 (IDR response within 30 calendar days)', amount: 30, unit: 'calendar_days', metBy: 'final_response', atPoint: 'letter', letterKind: 'asic_idr_delay', warnShare: 0.75 },
    ],
  },
  {
    code: 'cfpb', name: 'US CFPB portal complaints', regulator: 'CFPB', calendar: 'US', timeZone: 'America/New_York', closeOfBusiness: '17:00',
    productGroups: [], channels: ['cfpb_portal'], ombudsmanName: 'Consumer Financial Protection Bureau', ombudsmanUrl: 'https://www.consumerfinance.gov/complaint/',
    clocks: [
      { name: 'response', citation: 'CFPB company response: within 15 days', amount: 15, unit: 'calendar_days', metBy: 'response', atPoint: 'breach', warnShare: 0.75 },
      { name: 'final_response', citation: 'CFPB company response: final response within 60 days', amount: 60, unit: 'calendar_days', metBy: 'final_response', atPoint: 'breach', warnShare: 0.85 },
    ],
  },
];

const HOLIDAYS_FROM = 2020;

/** date-holidays' country and region for a calendar key ('GB-ENG' → GB, ENG). */
const HOLIDAY_SOURCES: Record<string, [string, string?]> = { 'GB-ENG': ['GB', 'ENG'], 'GB-SCT': ['GB', 'SCT'], 'AU-NSW': ['AU', 'NSW'], US: ['US'] };

/** The public and bank holidays of a calendar for the given years, from date-holidays. */
export function holidaysOf(calendar: string, years: number[]): { calendar: string; date: Date; name: string }[] {
  const source = HOLIDAY_SOURCES[calendar];
  if (!source) throw new Error(`no holiday source for calendar ${calendar} (known: ${Object.keys(HOLIDAY_SOURCES).join(', ')})`);
  const hd = new Holidays(...(source as [string, string]));
  const seen = new Set<string>();
  return years.flatMap((y) => hd.getHolidays(y))
    .filter((h) => (h.type === 'public' || h.type === 'bank') && !seen.has(h.date.slice(0, 10)) && seen.add(h.date.slice(0, 10)))
    .map((h) => ({ calendar, date: new Date(`${h.date.slice(0, 10)}T00:00:00Z`), name: h.name }));
}

/**
 * Seeds the default profiles (rows already there are kept as a firm changed them) and each calendar's
 * public holidays from 2020 to five years on.
 */
export async function seedRegulation(db: Db, now = new Date()): Promise<void> {
  // From a fixed first year, so complaints received years ago (and their returns) keep their holidays.
  const years = Array.from({ length: now.getUTCFullYear() + 6 - HOLIDAYS_FROM }, (_, i) => HOLIDAYS_FROM + i);
  for (const { clocks, ...profile } of DEFAULT_PROFILES) {
    await db.regulatoryProfile.upsert({ where: { code: profile.code }, update: {}, create: profile });
    await db.regulatoryClock.createMany({
      data: clocks.map((c) => ({ ...c, profileCode: profile.code, letterKind: c.letterKind ?? null, warnShare: c.warnShare ?? null })),
      skipDuplicates: true,
    });
  }
  const calendars = [...new Set(DEFAULT_PROFILES.map((p) => p.calendar))];
  await db.publicHoliday.createMany({ data: calendars.flatMap((c) => holidaysOf(c, years)), skipDuplicates: true });
}
