import { Prisma } from '../generated/prisma/client';
import type { Db } from '../lib/db';
import { closeOfBusinessAfter } from '../workflows/regulatory';
import { reportQuery, ts } from './filters';
import { calendarsOf, daysBetween, describePeriod, localDate, MissingProfile, resolvePeriod, type PeriodInput } from './regulatory-calendar';

// ASIC's internal dispute resolution (IDR) data report (RG 271, and ASIC's instrument that sets out the
// IDR data reporting requirements): one row per IDR complaint, lodged every six months (1 January to
// 30 June, 1 July to 31 December) as a data file through the ASIC Regulatory Portal. Which complaints: those received in the period and
// those received before it that were not closed when it started (the IDR data reporting handbook), so
// every complaint closed in the period is there, and so is every one still open at its end.
//
// Sources for the fields: ASIC, "Internal dispute resolution data reporting"
// (https://asic.gov.au/regulatory-resources/financial-services/dispute-resolution/internal-dispute-resolution-data-reporting/)
// and its IDR data reporting handbook; ASIC, "Internal dispute resolution: Data dictionary" (pilot
// version, July 2021; draft: Attachment 2 to 20-327MR, December 2020), whose data elements include the
// entity's complaint unique identifier, the date the complaint was received and closed, the method it
// was received by, the product or service and the issue it is about, its status, its outcome, financial
// compensation and the number of days taken to close it. Only the elements this system records are
// here (no complainant demographics, brand or representative), named after ASIC's elements in
// snake_case; `labels` gives ASIC's wording. The data dictionary's code tables (product, issue, outcome
// codes) are not applied: the values are this system's codes. Check the columns against the current
// data dictionary before lodging. Dates are local dates in the profile's time zone (Australia/Sydney).

export const ASIC_IDR_LABELS = {
  complaint_unique_identifier: "Entity's complaint unique identifier (the complaint reference)",
  complaint_received_date: 'Date the complaint was received',
  complaint_acknowledged_date: 'Date the complaint was acknowledged (RG 271: within 24 hours or one business day)',
  complaint_received_method: 'Method by which the complaint was received',
  product_or_service: 'Product or service the complaint is about',
  product_or_service_group: 'Product or service group (category) the complaint is about',
  complaint_issue: 'Issue raised by the complaint (its category)',
  complaint_status: 'Status of the complaint at the end of the period: open or closed',
  complaint_closed_date: 'Date the complaint was closed (the IDR response, or closure without one)',
  complaint_outcome: 'Outcome of the complaint (resolved, rejected, withdrawn, …)',
  resolution_code: 'How it was resolved (the resolution code)',
  remedy: 'Remedy given',
  financial_compensation: 'Financial compensation paid (AUD)',
  closed_within_5_business_days: 'Closed by close of business on the fifth business day after receipt (no written IDR response needed unless asked: RG 271)',
  days_to_close: 'Number of calendar days taken to close the complaint',
  idr_delay_notification_sent: 'An IDR delay notification was sent (RG 271: the IDR response could not be given within 30 calendar days)',
} as const;
export const ASIC_IDR_COLUMNS = Object.keys(ASIC_IDR_LABELS) as (keyof typeof ASIC_IDR_LABELS)[];
export type AsicIdrRow = Record<(typeof ASIC_IDR_COLUMNS)[number], string | number | boolean | null>;

interface Fact {
  reference: string; channel: string; product: string; productGroup: string | null; category: string | null; outcome: string | null;
  resolutionCode: string | null; remedy: string | null; receivedAt: Date; acknowledgedAt: Date | null; closedAt: Date | null;
  compensation: string | null; delayNotice: boolean;
}

export interface AsicIdrOptions extends PeriodInput { department?: string; now?: Date }

export async function asicIdrExport(db: Db, o: AsicIdrOptions) {
  const asic = (await calendarsOf(db, ['asic'])).get('asic');
  if (!asic) throw new MissingProfile('asic');
  const period = resolvePeriod(o, asic.timeZone, o.now);
  const facts = await reportQuery<Fact>(db, Prisma.sql`
    SELECT c.reference, c.channel, c.product, c.product_group AS "productGroup", c.category, c.outcome, c.resolution_code AS "resolutionCode",
           c.remedy, c.created_at AS "receivedAt", c.acknowledged_at AS "acknowledgedAt", coalesce(c.resolved_at, c.closed_at) AS "closedAt",
           c.redress_amount::text AS compensation,
           EXISTS (SELECT 1 FROM complaint_events e WHERE e.complaint_id = c.id AND e.type = 'regulatory_letter_sent'
                   AND (e.data->>'kind' = 'asic_idr_delay' OR e.data->>'clock' = 'idr_response') AND e.at < ${ts(period.to)}) AS "delayNotice"
    FROM complaints c
    WHERE c.regulation = 'asic' AND c.created_at < ${ts(period.to)}
      AND (coalesce(c.resolved_at, c.closed_at) IS NULL OR coalesce(c.resolved_at, c.closed_at) >= ${ts(period.from)})
      ${o.department === undefined ? Prisma.empty : Prisma.sql`AND c.department = ${o.department}`}
    ORDER BY c.created_at, c.id`);

  const day = (d: Date | null) => (d ? localDate(d, asic.timeZone) : null);
  const rows: AsicIdrRow[] = facts.map((f) => {
    // Closed as far as the period knows: a closure after its end is still open in this report.
    const closedAt = f.closedAt && f.closedAt < period.to ? f.closedAt : null;
    const received = day(f.receivedAt)!;
    const closed = day(closedAt);
    return {
      complaint_unique_identifier: f.reference,
      complaint_received_date: received,
      complaint_acknowledged_date: day(f.acknowledgedAt && f.acknowledgedAt < period.to ? f.acknowledgedAt : null),
      complaint_received_method: f.channel,
      product_or_service: f.product,
      product_or_service_group: f.productGroup,
      complaint_issue: f.category,
      complaint_status: closedAt ? 'closed' : 'open',
      complaint_closed_date: closed,
      complaint_outcome: closedAt ? f.outcome : null,
      resolution_code: closedAt ? f.resolutionCode : null,
      remedy: closedAt ? f.remedy : null,
      financial_compensation: closedAt && f.compensation !== null ? Number(f.compensation) : null,
      closed_within_5_business_days: closedAt ? closedAt.getTime() <= closeOfBusinessAfter(f.receivedAt.getTime(), 5, asic) : null,
      days_to_close: closed ? daysBetween(received, closed) : null,
      idr_delay_notification_sent: f.delayNotice,
    };
  });
  return {
    report: 'asic-idr' as const, regulation: 'asic', ...describePeriod(period), filters: { department: o.department ?? null },
    columns: ASIC_IDR_COLUMNS, labels: ASIC_IDR_LABELS, rows,
  };
}
