import { seedRegulation } from '../lib/regulatory-profiles';
import { fcaTimeBand } from '../reports/fca-return';
import { calendarsOf } from '../reports/regulatory-calendar';
import { createOrganisation, type Organisation } from './support/organisation';
import { FIXTURE, seedRegulatoryFixture, type Seeded } from './support/regulatory-fixture';
import { getJson, startServices, type TestServices } from './support/services';

// The regulators' returns over HTTP, against complaints seeded straight into PostgreSQL (no workflow runs:
// test/support/regulatory-fixture.ts lists them and why each counts or not). Every figure below was
// worked out by hand from that list. The fixture's department keeps other files' complaints out.

let s: TestServices;
let org: Organisation;
let other: Organisation;
let seeded: Seeded;
beforeAll(async () => {
  s = await startServices('regulatory', {}, { worker: false });
  await seedRegulation(s.db);
  org = await createOrganisation(s.db, 'regulatory');
  other = await createOrganisation(s.db, 'regulatoryother');
  seeded = await seedRegulatoryFixture(s.db, org.department);
});
afterAll(async () => { await s?.close(); });

const get = (path: string, who = org.senior) => getJson(`${s.api}${path}`, who.auth);
const H2 = () => `half=2026-H2&department=${org.department}`;

const zero = { outstandingAtStart: 0, opened: 0, closed: 0, closedWithin3BusinessDays: 0, closedAfter3BusinessDaysWithin8Weeks: 0, closedAfter8Weeks: 0, upheld: 0, redressPaid: 0 };
/** Worked out by hand from the fixture (its comment has each complaint's dates). */
const expectedFca: Record<string, typeof zero> = {
  // a (opened, within 3 business days across the bank holiday, upheld £50), b (opened, 7 weeks), j (opened: 1 July in London)
  credit_cards: { ...zero, opened: 3, closed: 2, closedWithin3BusinessDays: 1, closedAfter3BusinessDaysWithin8Weeks: 1, upheld: 1, redressPaid: 50 },
  // c (opened, after 8 weeks, upheld £250.75), d (opened, withdrawn within 3 business days), f (outstanding at the start, 25 days, upheld £20)
  banking: { ...zero, outstandingAtStart: 1, opened: 2, closed: 3, closedWithin3BusinessDays: 1, closedAfter3BusinessDaysWithin8Weeks: 1, closedAfter8Weeks: 1, upheld: 2, redressPaid: 270.75 },
  unspecified: { ...zero, opened: 1 }, // e, open
  total: { outstandingAtStart: 1, opened: 6, closed: 5, closedWithin3BusinessDays: 2, closedAfter3BusinessDaysWithin8Weeks: 2, closedAfter8Weeks: 1, upheld: 3, redressPaid: 320.75 },
};

test('the FCA return for 2026-H2 counts opened, closed by time band, upheld and redress per product group, by hand', async () => {
  const res = await get(`/reports/regulatory/fca-return?${H2()}`);
  expect(res.status).toBe(200);
  const r = res.body;
  expect(r).toMatchObject({
    report: 'fca-return', half: '2026-H2', timeZone: 'Europe/London', firstDay: '2026-07-01', lastDay: '2026-12-31',
    from: '2026-06-30T23:00:00.000Z', to: '2027-01-01T00:00:00.000Z', filters: { department: org.department },
  });
  const groups = (r.rows as { productGroup: string }[]).map((x) => x.productGroup);
  expect(groups.slice(-2)).toEqual(['unspecified', 'total']);
  expect(groups).toEqual(expect.arrayContaining(['banking', 'credit_cards', 'insurance', 'payment_services']));
  for (const row of r.rows) {
    const { productGroup, ...counts } = row;
    expect([productGroup, counts]).toEqual([productGroup, expectedFca[productGroup] ?? zero]);
  }
  // The same period as dates is the same return.
  const dates = await get(`/reports/regulatory/fca-return?from=2026-07-01&to=2026-12-31&department=${org.department}`);
  expect(dates.body.rows).toEqual(r.rows);
  expect(dates.body).toMatchObject({ half: null, from: r.from, to: r.to });
  // The first half: g (received and resolved in it), f (received, still open at its end), j is 30 June in UTC only.
  const h1 = await get(`/reports/regulatory/fca-return?half=2026-H1&department=${org.department}`);
  expect(h1.body.rows.find((x: any) => x.productGroup === 'total')).toEqual({
    productGroup: 'total', ...zero, opened: 2, closed: 1, closedAfter3BusinessDaysWithin8Weeks: 1, upheld: 1, redressPaid: 75,
  });
});

test('the three-business-day band counts in the profile calendar: Monday 31 August 2026 is an English bank holiday', async () => {
  const fca = (await calendarsOf(s.db, ['fca'])).get('fca')!;
  const received = Date.parse(FIXTURE.a.received); // Friday 28 August, 10:00 in London
  const thursday = Date.parse(FIXTURE.a.resolved!); // Thursday 3 September, 15:00
  expect(fca.holidays).toContain('2026-08-31');
  expect(fcaTimeBand(received, thursday, fca)).toBe('within3BusinessDays');
  expect(fcaTimeBand(received, Date.parse('2026-09-03T16:00:00Z'), fca)).toBe('within3BusinessDays'); // 17:00: close of business
  expect(fcaTimeBand(received, Date.parse('2026-09-03T16:00:01Z'), fca)).toBe('within8Weeks');
  // Without the holiday the third business day would have been Wednesday.
  expect(fcaTimeBand(received, thursday, { ...fca, holidays: [] })).toBe('within8Weeks');
  // Eight weeks after receipt, at the same local time; a second later is after eight weeks.
  expect(fcaTimeBand(received, Date.parse('2026-10-23T09:00:00Z'), fca)).toBe('within8Weeks');
  expect(fcaTimeBand(received, Date.parse('2026-10-23T09:00:01Z'), fca)).toBe('after8Weeks');
});

/** RFC 4180, read independently of reports/csv.ts; numbers and booleans as JSON has them. */
function parseCsv(text: string): Record<string, unknown>[] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (ch === '"') quoted = false; else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { record.push(field); field = ''; } else if (ch === '\r' && text[i + 1] === '\n') { record.push(field); records.push(record); record = []; field = ''; i++; } else field += ch;
  }
  const [header, ...rows] = records;
  const value = (cell: string) => (cell === '' ? null : cell === 'true' ? true : cell === 'false' ? false : /^-?\d+(\.\d+)?$/.test(cell) ? Number(cell) : cell);
  return rows.map((r) => Object.fromEntries(header.map((h, i) => [h, value(r[i])])));
}

test('each report as CSV is its JSON rows, with a file name for the half-year', async () => {
  for (const [path, file] of [['fca-return', 'fca-return_2026-H2.csv'], ['asic-idr', 'asic-idr_2026-H2.csv'], ['breaches', 'regulatory-breaches_2026-H2.csv']]) {
    const json = await get(`/reports/regulatory/${path}?${H2()}`);
    const csv = await fetch(`${s.api}/reports/regulatory/${path}?${H2()}&format=csv`, { headers: org.senior.auth });
    expect([path, csv.status, csv.headers.get('content-type')]).toEqual([path, 200, 'text/csv; charset=utf-8']);
    expect(csv.headers.get('content-disposition')?.replace(/"/g, '')).toBe(`attachment; filename=${file}`);
    const text = await csv.text();
    expect(text.split('\r\n')[0]).toBe(json.body.columns.join(','));
    const rows = parseCsv(text);
    // lateSeconds of a deadline still unmet grows with the clock: compare the rest.
    const steady = (r: Record<string, unknown>) => (r.metAt === null && 'lateSeconds' in r ? { ...r, lateSeconds: 'running' } : r);
    expect(rows.map(steady)).toEqual(json.body.rows.map(steady));
  }
  const viaAccept = await fetch(`${s.api}/reports/regulatory/fca-return?${H2()}`, { headers: { ...org.senior.auth, accept: 'text/csv' } });
  expect(viaAccept.headers.get('content-type')).toMatch(/^text\/csv/);
});

test('the ASIC IDR export has one row per complaint received in the half-year or open at its start', async () => {
  const res = await get(`/reports/regulatory/asic-idr?${H2()}`);
  expect(res.status).toBe(200);
  expect(res.body).toMatchObject({ report: 'asic-idr', timeZone: 'Australia/Sydney', from: '2026-06-30T14:00:00.000Z', to: '2026-12-31T13:00:00.000Z' });
  expect(Object.keys(res.body.labels)).toEqual(res.body.columns);
  expect(res.body.rows).toEqual([
    {
      // Open at the start of the period (received in March), closed in it.
      complaint_unique_identifier: seeded.refs.m, complaint_received_date: '2026-03-02', complaint_acknowledged_date: '2026-03-02',
      complaint_received_method: 'web', product_or_service: 'Basic card', product_or_service_group: 'credit_cards', complaint_issue: 'fees',
      complaint_status: 'closed', complaint_closed_date: '2026-07-20', complaint_outcome: 'resolved', resolution_code: 'explanation_given', remedy: 'none',
      financial_compensation: null, closed_within_5_business_days: false, days_to_close: 140, idr_delay_notification_sent: false,
    },
    {
      complaint_unique_identifier: seeded.refs.h, complaint_received_date: '2026-09-01', complaint_acknowledged_date: '2026-09-01',
      complaint_received_method: 'phone', product_or_service: 'Platinum card', product_or_service_group: 'credit_cards', complaint_issue: 'fees',
      complaint_status: 'closed', complaint_closed_date: '2026-09-04', complaint_outcome: 'resolved', resolution_code: 'refund_given', remedy: 'refund',
      financial_compensation: 100, closed_within_5_business_days: true, days_to_close: 3, idr_delay_notification_sent: false,
    },
    {
      // Acknowledged on the 12th in Sydney (01:00 UTC is 11:00 AEST); still open, its delay notification sent.
      complaint_unique_identifier: seeded.refs.l, complaint_received_date: '2026-09-10', complaint_acknowledged_date: '2026-09-12',
      complaint_received_method: 'email', product_or_service: 'Variable home loan', product_or_service_group: 'home_loans', complaint_issue: 'service',
      complaint_status: 'open', complaint_closed_date: null, complaint_outcome: null, resolution_code: null, remedy: null,
      financial_compensation: null, closed_within_5_business_days: null, days_to_close: null, idr_delay_notification_sent: true,
    },
  ]);
});

test('the breach list names every missed deadline once: a late acknowledgement, a late final response, one still unmet', async () => {
  const res = await get(`/reports/regulatory/breaches?${H2()}`);
  expect(res.status).toBe(200);
  const r = res.body;
  expect(r).toMatchObject({ report: 'regulatory-breaches', timeZone: 'UTC', filters: { regulation: null, department: org.department } });
  const stillLate = Math.round((Date.parse(r.asOf) - Date.parse('2026-10-16T14:00:00Z')) / 1000);
  expect(r.rows).toEqual([
    {
      reference: seeded.refs.c, complaintId: seeded.ids.c, regulation: 'fca', clock: 'eight_weeks', citation: 'DISP 1.6.2R',
      dueAt: '2026-08-31T10:00:00.000Z', breachedAt: null, metAt: '2026-09-04T10:00:00.000Z', lateSeconds: 4 * 86_400,
    },
    {
      // Recorded twice (breached at its point, then met late): one row.
      reference: seeded.refs.l, complaintId: seeded.ids.l, regulation: 'asic', clock: 'acknowledgement', citation: 'RG 271 (acknowledge within 24 hours or one business day)',
      dueAt: '2026-09-11T07:00:00.000Z', breachedAt: '2026-09-11T07:00:00.000Z', metAt: '2026-09-12T01:00:00.000Z', lateSeconds: 18 * 3600,
    },
    {
      reference: seeded.refs.r, complaintId: seeded.ids.r, regulation: 'cfpb', clock: 'response', citation: 'CFPB company response: within 15 days',
      dueAt: '2026-10-16T14:00:00.000Z', breachedAt: '2026-10-16T14:00:00.000Z', metAt: null, lateSeconds: stillLate,
    },
  ]);
  const asic = await get(`/reports/regulatory/breaches?${H2()}&regulation=asic`);
  expect(asic.body).toMatchObject({ timeZone: 'Australia/Sydney', filters: { regulation: 'asic' } });
  expect(asic.body.rows.map((x: any) => [x.reference, x.clock])).toEqual([[seeded.refs.l, 'acknowledgement']]);
  expect((await get(`/reports/regulatory/breaches?half=2026-H1&department=${org.department}`)).body.rows).toEqual([]);
});

test("a complaint's evidence lists its clocks in the order they fall due, with what happened to each", async () => {
  const res = await get(`/complaints/${seeded.ids.l}/regulatory-evidence`, org.agent); // any staff member who may see it
  expect(res.status).toBe(200);
  const e = res.body;
  expect(e).toMatchObject({ complaintId: seeded.ids.l, reference: seeded.refs.l, regulation: 'asic', receivedAt: '2026-09-10T00:00:00.000Z', profile: { code: 'asic', timeZone: 'Australia/Sydney' } });
  expect(e.clocks.map((c: any) => [c.clock, c.outcome])).toEqual([
    ['acknowledgement', 'met_late'], ['five_business_days', 'window_passed'], ['idr_response', 'letter_sent'],
  ]);
  expect(e.clocks[0]).toMatchObject({
    citation: 'RG 271 (acknowledge within 24 hours or one business day)', dueAt: '2026-09-11T07:00:00.000Z',
    breachedAt: '2026-09-11T07:00:00.000Z', metAt: '2026-09-12T01:00:00.000Z', late: true,
  });
  expect(e.clocks[1]).toMatchObject({ atPoint: 'window', dueAt: '2026-09-17T07:00:00.000Z', metAt: null }); // Thursday 17 September, 17:00 in Sydney
  expect(e.clocks[2]).toMatchObject({
    warnedAt: '2026-10-02T12:00:00.000Z', letterKind: 'asic_idr_delay', letterDelivery: 'sent', letterSentAt: e.clocks[2].dueAt, metAt: null,
  });
  expect(e.events.map((x: any) => x.type)).toEqual(['regulatory_clocks_started', 'regulatory_breached', 'regulatory_met', 'regulatory_warning', 'regulatory_letter_sent']);
  expect(e.events.map((x: any) => x.step)).toEqual([1, 2, 3, 4, 5]);

  const none = await get(`/complaints/${seeded.ids.x}/regulatory-evidence`);
  expect(none.status).toBe(200);
  expect(none.body).toMatchObject({ reference: seeded.refs.x, regulation: null, profile: null, clocks: [], events: [] });
  expect(none.body.note).toMatch(/not held to a regulator/);
  // Need to know: another department's agent, and an admin, are told it does not exist.
  expect((await get(`/complaints/${seeded.ids.l}/regulatory-evidence`, other.agent)).status).toBe(404);
  expect((await get(`/complaints/${seeded.ids.l}/regulatory-evidence`, org.admin)).status).toBe(404);
  expect((await get('/complaints/abc/regulatory-evidence')).body.error.code).toBe('invalid_id');
});

test('who may see the returns: managers their own department, senior managers and admins any; agents none', async () => {
  const agent = await get(`/reports/regulatory/fca-return?half=2026-H2`, org.agent);
  expect(agent.status).toBe(403);
  expect(agent.body.error).toMatchObject({ code: 'forbidden' });
  expect((await get('/reports/regulatory/breaches', org.supervisor)).status).toBe(403);
  // A manager is held to their department without asking, and refused another.
  const manager = await get('/reports/regulatory/fca-return?half=2026-H2', org.manager);
  expect(manager.status).toBe(200);
  expect(manager.body.filters.department).toBe(org.department);
  expect(manager.body.rows.at(-1)).toEqual({ productGroup: 'total', ...expectedFca.total });
  expect((await get(`/reports/regulatory/asic-idr?department=${org.department}`, other.manager)).status).toBe(403);
  expect((await get(`/reports/regulatory/asic-idr?${H2()}`, org.admin)).status).toBe(200);
  // Another department's figures have none of this one's complaints.
  const theirs = await get('/reports/regulatory/fca-return?half=2026-H2', other.manager);
  expect(theirs.body.rows.at(-1)).toEqual({ productGroup: 'total', ...zero });
});

test('a bad query is a 400 naming the field, in the one error shape', async () => {
  const cases: [string, string][] = [
    ['/reports/regulatory/fca-return?half=2026-H3', 'half'],
    ['/reports/regulatory/fca-return?half=26-H1', 'half'],
    ['/reports/regulatory/fca-return?half=2026-H1&from=2026-01-01&to=2026-06-30', 'half'],
    ['/reports/regulatory/asic-idr?from=2026-07-01', 'to'],
    ['/reports/regulatory/asic-idr?from=2026-02-30&to=2026-03-31', 'from'],
    ['/reports/regulatory/breaches?from=2026-07-01&to=2026-06-01', 'to'],
    ['/reports/regulatory/breaches?regulation=FCA%3Bdrop', 'regulation'],
    ['/reports/regulatory/breaches?format=xml', 'format'],
    ['/reports/regulatory/fca-return?unexpected=1', 'unexpected'],
  ];
  for (const [path, field] of cases) {
    const res = await get(path);
    expect([path, res.status, res.body.error.code]).toEqual([path, 400, 'validation_failed']);
    expect([path, Object.keys(res.body.error.fields)]).toEqual([path, expect.arrayContaining([field])]);
  }
});
