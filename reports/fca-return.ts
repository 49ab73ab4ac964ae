import { Prisma } from '../generated/prisma/client';
import type { Db } from '../lib/db';
import { closeOfBusinessAfter, regulatoryDueAt } from '../workflows/regulatory';
import { reportQuery, ts } from './filters';
import { calendarsOf, describePeriod, MissingProfile, resolvePeriod, type PeriodInput, type ProfileCalendar } from './regulatory-calendar';

// The FCA complaints return (DISP 1.10.1R; the form is DISP 1 Annex 1R, "Complaints return"), one row
// per product group and a `total` row, over the complaints held to the FCA's rules (regulation 'fca' or
// 'fca_payments'). How each column is counted:
// - outstandingAtStart: received before the period and not closed when it starts ("Total complaints
//   outstanding at reporting period start date").
// - opened: received in the period. The instant of receipt is complaints.created_at (the arrival the
//   clocks count from).
// - closed: closed in the period. A complaint is closed by its final response: resolved_at; one that
//   ended without a resolution (rejected at triage, withdrawn) at closed_at.
// - the three time bands split `closed` as Annex 1R does: by close of business on the third business
//   day following the day of receipt (DISP 1.5.1R's summary resolution window); after that but by the
//   end of eight weeks after receipt (DISP 1.6.2R); after eight weeks. Business days are Monday to
//   Friday except the profile's public holidays (public_holidays of its calendar), in its time zone,
//   ending at its close of business: the same arithmetic as the workflow's clocks (workflows/regulatory.ts).
// - upheld: closed in the period with upheld = true (DISP 1.10.2R(3)(a) and its guidance count a
//   complaint upheld in part as upheld).
// - redressPaid: the sum of redress_amount of the complaints closed in the period (DISP 1.10.2R(4)).
// A product group is complaints.product_group; a complaint without one counts as 'unspecified'. Every
// group of the two FCA profiles is listed, with zeros when it had no complaint.

export const FCA_REGULATIONS = ['fca', 'fca_payments'] as const;

export interface FcaReturnRow {
  productGroup: string;
  outstandingAtStart: number;
  opened: number;
  closed: number;
  closedWithin3BusinessDays: number;
  closedAfter3BusinessDaysWithin8Weeks: number;
  closedAfter8Weeks: number;
  upheld: number;
  redressPaid: number;
}
export const FCA_RETURN_COLUMNS = ['productGroup', 'outstandingAtStart', 'opened', 'closed', 'closedWithin3BusinessDays',
  'closedAfter3BusinessDaysWithin8Weeks', 'closedAfter8Weeks', 'upheld', 'redressPaid'] as const;

export type TimeBand = 'within3BusinessDays' | 'within8Weeks' | 'after8Weeks';

/** Annex 1R's time band of a complaint received at `receivedAt` and closed at `closedAt`. */
export function fcaTimeBand(receivedAt: number, closedAt: number, calendar: ProfileCalendar): TimeBand {
  if (closedAt <= closeOfBusinessAfter(receivedAt, 3, calendar)) return 'within3BusinessDays';
  if (closedAt <= regulatoryDueAt(receivedAt, { amount: 56, unit: 'calendar_days' }, calendar)) return 'within8Weeks';
  return 'after8Weeks';
}

interface Fact { regulation: string; productGroup: string | null; receivedAt: Date; closedAt: Date | null; upheld: boolean | null; redress: string | null }

export interface FcaReturnOptions extends PeriodInput { department?: string; now?: Date }

export async function fcaReturn(db: Db, o: FcaReturnOptions) {
  const calendars = await calendarsOf(db, FCA_REGULATIONS);
  const main = calendars.get('fca') ?? calendars.get('fca_payments');
  if (!main) throw new MissingProfile('fca');
  const period = resolvePeriod(o, main.timeZone, o.now);
  const facts = await reportQuery<Fact>(db, Prisma.sql`
    SELECT c.regulation, c.product_group AS "productGroup", c.created_at AS "receivedAt",
           coalesce(c.resolved_at, c.closed_at) AS "closedAt", c.upheld, c.redress_amount::text AS redress
    FROM complaints c
    WHERE c.regulation = ANY(${[...FCA_REGULATIONS]}::text[]) AND c.created_at < ${ts(period.to)}
      AND (coalesce(c.resolved_at, c.closed_at) IS NULL OR coalesce(c.resolved_at, c.closed_at) >= ${ts(period.from)})
      ${o.department === undefined ? Prisma.empty : Prisma.sql`AND c.department = ${o.department}`}`);

  const groups = await profileGroups(db);
  const blank = (productGroup: string): FcaReturnRow => ({
    productGroup, outstandingAtStart: 0, opened: 0, closed: 0, closedWithin3BusinessDays: 0, closedAfter3BusinessDaysWithin8Weeks: 0, closedAfter8Weeks: 0, upheld: 0, redressPaid: 0,
  });
  const rows = new Map<string, FcaReturnRow>();
  const row = (group: string) => {
    let r = rows.get(group);
    if (!r) rows.set(group, (r = blank(group)));
    return r;
  };
  groups.forEach(row);
  const from = period.from.getTime();
  const to = period.to.getTime();
  for (const f of facts) {
    const r = row(f.productGroup ?? 'unspecified');
    const received = f.receivedAt.getTime();
    const closed = f.closedAt?.getTime() ?? null;
    if (received >= from) r.opened++;
    else r.outstandingAtStart++;
    if (closed === null || closed >= to) continue;
    r.closed++;
    const band = fcaTimeBand(received, closed, calendars.get(f.regulation) ?? main);
    if (band === 'within3BusinessDays') r.closedWithin3BusinessDays++;
    else if (band === 'within8Weeks') r.closedAfter3BusinessDaysWithin8Weeks++;
    else r.closedAfter8Weeks++;
    if (f.upheld === true) r.upheld++;
    if (f.redress !== null) r.redressPaid += Math.round(Number(f.redress) * 100); // in pence until the end
  }
  const ordered = [...rows.values()].sort((a, b) => rank(a.productGroup, groups) - rank(b.productGroup, groups) || a.productGroup.localeCompare(b.productGroup));
  const total = blank('total');
  for (const r of ordered) {
    for (const c of FCA_RETURN_COLUMNS) if (c !== 'productGroup') total[c] += r[c];
  }
  const out = [...ordered, total].map((r) => ({ ...r, redressPaid: r.redressPaid / 100 }));
  return {
    report: 'fca-return' as const, regulations: FCA_REGULATIONS, ...describePeriod(period),
    filters: { department: o.department ?? null }, columns: FCA_RETURN_COLUMNS, rows: out,
  };
}

/** The product groups the FCA profiles name, in their order. */
async function profileGroups(db: Db): Promise<string[]> {
  const profiles = await db.regulatoryProfile.findMany({ where: { code: { in: [...FCA_REGULATIONS] } }, select: { code: true, productGroups: true } });
  profiles.sort((a, b) => FCA_REGULATIONS.indexOf(a.code as never) - FCA_REGULATIONS.indexOf(b.code as never));
  return [...new Set(profiles.flatMap((p) => p.productGroups))];
}

/** The profiles' groups first (their order), then others by name, then 'unspecified'. */
const rank = (group: string, groups: string[]) => (group === 'unspecified' ? 2 * groups.length + 2 : groups.includes(group) ? groups.indexOf(group) : groups.length + 1);
