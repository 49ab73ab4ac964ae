import { DEFAULT_PROFILES, holidaysOf } from '../lib/regulatory-profiles';
import { closeOfBusinessAfter, isBusinessDay, regulatoryDueAt, summaryWindow, type RegulatoryPlan } from '../workflows/regulatory';

// The regulators' clock arithmetic with the real calendars (date-holidays), no services: business days
// to close of business, calendar days across summer time, "24 hours or one business day".

const planOf = (code: string, years = [2026, 2027]): RegulatoryPlan => {
  const p = DEFAULT_PROFILES.find((x) => x.code === code)!;
  return {
    code: p.code, name: p.name, regulator: p.regulator, timeZone: p.timeZone, closeOfBusiness: p.closeOfBusiness,
    holidays: holidaysOf(p.calendar, years).map((h) => h.date.toISOString().slice(0, 10)),
    rules: p.clocks.map((c) => ({ ...c, letterKind: c.letterKind ?? null, warnShare: c.warnShare ?? null })),
  };
};
const fca = planOf('fca');
const rule = (plan: RegulatoryPlan, name: string) => plan.rules.find((r) => r.name === name)!;
const at = (s: string) => Date.parse(s);

test('the calendars hold the real bank holidays: Monday 31 August 2026 in England, St Andrew\'s Day in Scotland only', () => {
  expect(fca.holidays).toContain('2026-08-31');
  expect(fca.holidays).toContain('2026-12-28'); // Boxing Day's substitute
  expect(fca.holidays).not.toContain('2026-11-30');
  expect(holidaysOf('GB-SCT', [2026]).map((h) => h.date.toISOString().slice(0, 10))).toContain('2026-11-30');
  expect(isBusinessDay(Date.UTC(2026, 7, 31) / 86_400_000, fca)).toBe(false);
  expect(isBusinessDay(Date.UTC(2026, 8, 1) / 86_400_000, fca)).toBe(true);
});

test('DISP 1.5.1R: received on a Friday before the August bank holiday, the window closes at close of business on Thursday', () => {
  const friday = at('2026-08-28T10:00:00+01:00');
  // Tuesday 1, Wednesday 2, Thursday 3 September are the three business days following the day of receipt.
  expect(new Date(regulatoryDueAt(friday, rule(fca, 'summary_resolution'), fca)).toISOString()).toBe('2026-09-03T16:00:00.000Z');
  // Without the bank holiday it would have closed on Wednesday.
  expect(new Date(closeOfBusinessAfter(friday, 3, { ...fca, holidays: [] })).toISOString()).toBe('2026-09-02T16:00:00.000Z');
  // Friday to Wednesday across the bank holiday: a summary resolution; so is Thursday before 17:00; Friday is not.
  expect(summaryWindow(friday, at('2026-09-02T15:00:00+01:00'), fca)?.name).toBe('summary_resolution');
  expect(summaryWindow(friday, at('2026-09-03T16:59:00+01:00'), fca)?.name).toBe('summary_resolution');
  expect(summaryWindow(friday, at('2026-09-03T17:01:00+01:00'), fca)).toBeUndefined();
  expect(summaryWindow(friday, at('2026-09-04T09:00:00+01:00'), fca)).toBeUndefined();
  // Received on the bank holiday itself: the day of receipt is Monday, the window runs to Thursday.
  expect(new Date(regulatoryDueAt(at('2026-08-31T12:00:00+01:00'), rule(fca, 'summary_resolution'), fca)).toISOString()).toBe('2026-09-03T16:00:00.000Z');
});

test('DISP 1.6.2R: eight weeks after receipt, at the same local time across the end of summer time', () => {
  const received = at('2026-10-07T10:00:00+01:00'); // BST
  expect(new Date(regulatoryDueAt(received, rule(fca, 'eight_weeks'), fca)).toISOString()).toBe('2026-12-02T10:00:00.000Z'); // GMT
  expect(new Date(regulatoryDueAt(at('2026-11-01T09:30:15.250Z'), rule(fca, 'eight_weeks'), fca)).toISOString()).toBe('2026-12-27T09:30:15.250Z');
});

test('DISP 1.6.2AR: payment services, 15 and 35 business days over Christmas and New Year', () => {
  const psd = planOf('fca_payments');
  const received = at('2026-12-10T11:00:00Z');
  // 15 business days after Thursday 10 December skip 25, 28 December (substitute Boxing Day) and 1 January.
  expect(new Date(regulatoryDueAt(received, rule(psd, 'fifteen_business_days'), psd)).toISOString()).toBe('2027-01-05T17:00:00.000Z');
  expect(new Date(regulatoryDueAt(received, rule(psd, 'thirty_five_business_days'), psd)).toISOString()).toBe('2027-02-02T17:00:00.000Z');
});

test('ASIC RG 271: 24 hours or one business day, whichever is later; 30 calendar days in Sydney', () => {
  const asic = planOf('asic');
  const ack = rule(asic, 'acknowledgement');
  // Tuesday 10:00 in Sydney: 24 hours (Wednesday 10:00) is before close of business on Wednesday (17:00).
  expect(new Date(regulatoryDueAt(at('2026-11-03T10:00:00+11:00'), ack, asic)).toISOString()).toBe('2026-11-04T06:00:00.000Z');
  // Friday 16:00: the next business day is Monday, 17:00.
  expect(new Date(regulatoryDueAt(at('2026-11-06T16:00:00+11:00'), ack, asic)).toISOString()).toBe('2026-11-09T06:00:00.000Z');
  // Thursday 24 December: Friday 25 (Christmas), the weekend and Monday 28 (Boxing Day's substitute) do not count.
  expect(new Date(regulatoryDueAt(at('2026-12-24T09:00:00+11:00'), ack, asic)).toISOString()).toBe('2026-12-29T06:00:00.000Z');
  expect(new Date(regulatoryDueAt(at('2026-11-03T10:00:00+11:00'), rule(asic, 'idr_response'), asic)).toISOString()).toBe('2026-12-02T23:00:00.000Z');
});
