import { Prisma } from '../generated/prisma/client';
import { csvField, toCsv } from '../reports/csv';
import { must } from './support/actions';
import { complaintBody } from './support/complaints';
import { createOrganisation, relaxedSla, setSla, type Organisation, type Person } from './support/organisation';
import { eventually, getJson, postJson, startServices, type TestServices } from './support/services';

// The quality figures (reports/, api/reports.ts) over a known set of complaints, each driven through the
// real workflow over HTTP: resolved, breached and escalated, reopened by an unhappy answer, unanswered,
// rejected, withdrawn, and three still open. Every figure is checked against values worked out by hand
// below, for two date ranges and one department.
//
// The workflows run now, within seconds. To give them a calendar, once they have finished every
// timestamp of each complaint (its row, events, escalations, survey answers and invitations) is moved
// with SQL UPDATEs so that it arrives at a planned instant in February/March 2020 (a period no other
// test file writes to) or, for the open ones, a few hours or days ago; then a few instants are set
// outright (time to acknowledge, to triage, to resolve; a late root cause; a second survey round six
// days after the first) so that the times come out as round numbers.

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let s: TestServices;
let a: Organisation; // department A
let b: Organisation; // department B
beforeAll(async () => {
  s = await startServices('reports', { SURVEY_DELAY: '1s', SURVEY_REMINDER_AFTER: '2s', SURVEY_WINDOW: '4s' });
  // Named so that A's department code sorts before B's.
  a = await createOrganisation(s.db, 'reportsa');
  b = await createOrganisation(s.db, 'reportsb');
  await relaxedSla(s.db); // minor: 10 h for every clock, nothing fires during the test
  // Registered as major or critical, a complaint misses its 2 s triage deadline; triage re-plans it as minor.
  await setSla(s.db, 'major', { triage: 2, firstResponse: 600, resolution: 600, reescalate: 600 }); // → manager, once
  await setSla(s.db, 'critical', { triage: 2, firstResponse: 600, resolution: 600, reescalate: 1 }); // → manager, senior manager
}, 180_000);
afterAll(async () => { await s?.close(); });

// ---- The fixture --------------------------------------------------------------------------------------

type Flow = 'answered' | 'unanswered' | 'rejected' | 'withdrawn' | 'open_analysed' | 'open_untriaged' | 'open_triaged';
interface Spec {
  org: 'a' | 'b';
  channel: string;
  intake: 'minor' | 'major' | 'critical';
  category?: string;
  rootCause?: string;
  flow: Flow;
  /** Survey answers, one per round: a low score or "not resolved" reopens. */
  answers?: { score: number; resolved: boolean }[];
  /** Escalations to wait for before triage. */
  escalations?: number;
  /** Planned arrival (ISO), or how long before now. */
  at: string | { ago: number };
  ackMin?: number;
  triageH?: number;
  resolveH?: number;
}

const fixture = {
  c1: { org: 'a', channel: 'web', intake: 'minor', category: 'service', rootCause: 'communication', flow: 'answered', answers: [{ score: 5, resolved: true }], at: '2020-02-26T12:00:00Z', ackMin: 2, triageH: 0.5, resolveH: 2 },
  c2: { org: 'a', channel: 'phone', intake: 'major', escalations: 1, category: 'delivery', rootCause: 'human_error', flow: 'answered', answers: [{ score: 4, resolved: true }], at: '2020-03-03T12:00:00Z', ackMin: 4, triageH: 6, resolveH: 20 },
  // Reopened: its second round (letter, survey, answer, closure) is moved six days on, to the week of 9 March.
  c3: { org: 'a', channel: 'web', intake: 'minor', category: 'product_quality', rootCause: 'manufacturing_defect', flow: 'answered', answers: [{ score: 1, resolved: false }, { score: 5, resolved: true }], at: '2020-03-04T12:00:00Z', ackMin: 1, triageH: 1, resolveH: 144 },
  c4: { org: 'b', channel: 'email', intake: 'minor', category: 'product_quality', rootCause: 'manufacturing_defect', flow: 'unanswered', at: '2020-03-10T12:00:00Z', ackMin: 3, triageH: 2, resolveH: 10 },
  c5: { org: 'b', channel: 'web', intake: 'minor', flow: 'rejected', at: '2020-03-11T12:00:00Z', ackMin: 5, triageH: 3 },
  // Breached twice, still open; its root cause is recorded an hour after the resolution deadline.
  c6: { org: 'a', channel: 'email', intake: 'critical', escalations: 2, category: 'delivery', rootCause: 'supplier_issue', flow: 'open_analysed', at: '2020-03-17T12:00:00Z', ackMin: 2, triageH: 5 },
  c7: { org: 'a', channel: 'phone', intake: 'minor', flow: 'withdrawn', at: '2020-03-18T12:00:00Z', ackMin: 6 },
  c8: { org: 'a', channel: 'web', intake: 'minor', category: 'product_quality', rootCause: 'manufacturing_defect', flow: 'answered', answers: [{ score: 3, resolved: true }], at: '2020-03-19T12:00:00Z', ackMin: 2, triageH: 0.75, resolveH: 30 },
  o1: { org: 'a', channel: 'web', intake: 'minor', flow: 'open_untriaged', at: { ago: 1 * HOUR } },
  o2: { org: 'b', channel: 'phone', intake: 'minor', category: 'billing', flow: 'open_triaged', at: { ago: 4 * DAY } },
} satisfies Record<string, Spec>;
type Key = keyof typeof fixture;
const ids = {} as Record<Key, number>;

const orgOf = (spec: Spec) => (spec.org === 'a' ? a : b);
const handle = (id: number) => s.temporal.workflow.getHandle(`complaint-${id}`);

async function answerSurvey(id: number, round: number, answer: { score: number; resolved: boolean }) {
  const token = await eventually(`the round ${round} survey of complaint ${id}`, async () => {
    // The link as the customer got it: the database keeps only its token's hash.
    const [c, email] = await Promise.all([
      s.db.complaint.findUniqueOrThrow({ where: { id } }),
      s.db.emailMessage.findUnique({ where: { idempotencyKey: `survey:${id}:${round}` } }),
    ]);
    return c.stage === 'survey' && email?.status === 'sent' && /\/survey\/([A-Za-z0-9_-]+)/.exec(email.textBody)?.[1];
  });
  const res = await postJson(`${s.api}/survey/${token}`, answer);
  if (res.status !== 200) throw new Error(`survey answer: ${res.status} ${res.text}`);
}

/** Drives one complaint through its flow, as staff and customer would. */
async function drive(key: Key): Promise<void> {
  const spec: Spec = fixture[key];
  const org = orgOf(spec);
  const filed = await postJson(`${s.api}/complaints`, complaintBody({ department: org.department, channel: spec.channel, severity: spec.intake }), s.auth);
  expect(filed.status).toBe(201);
  const id = (ids[key] = filed.body.id as number);
  await eventually(`complaint ${key} acknowledged`, async () => (await s.db.complaint.findUniqueOrThrow({ where: { id } })).acknowledgedAt);
  if (spec.escalations) {
    await eventually(`${spec.escalations} escalation(s) of ${key}`, async () => (await s.db.escalation.count({ where: { complaintId: id } })) >= spec.escalations!, 20_000);
  }
  if (spec.flow === 'open_untriaged') return;
  if (spec.flow === 'withdrawn') {
    await must(s.api, org.agent, id, 'withdrawal', { reason: 'The customer phoned: sorted out.' });
    await handle(id).result();
    return;
  }
  if (spec.flow === 'rejected') {
    await must(s.api, org.supervisor, id, 'triage', { valid: false, rejectionReason: 'Not our product.' });
    await handle(id).result();
    return;
  }
  await must(s.api, org.supervisor, id, 'triage', { valid: true, category: spec.category, severity: 'minor', department: org.department, ownerId: org.supervisor.id });
  if (spec.flow === 'open_triaged') return;
  await must(s.api, org.agent, id, 'root-cause', { rootCause: spec.rootCause });
  if (spec.flow === 'open_analysed') return;
  const answers = spec.answers ?? [];
  for (let round = 1; ; round++) {
    await must(s.api, org.agent, id, 'resolution', { resolutionCode: 'apology_given', summary: `Round ${round}.`, remedy: 'apology' });
    await must(s.api, org.supervisor, id, 'sign-off', { approve: true });
    const answer = answers[round - 1];
    if (!answer) break; // unanswered: the survey window closes it as "no response"
    await answerSurvey(id, round, answer);
    if (round === answers.length) break;
    await eventually(`${key} reopened`, async () => (await s.db.complaint.findUniqueOrThrow({ where: { id } })).stage === 'investigation');
  }
  await handle(id).result();
}

/** Moves every timestamp of complaint `id` by `ms`. */
async function shift(id: number, ms: number) {
  const by = Prisma.sql`make_interval(secs => ${ms / 1000}::float8)`;
  await s.db.$transaction([
    s.db.$executeRaw`UPDATE complaints SET created_at = created_at + ${by}, updated_at = updated_at + ${by},
      acknowledged_at = acknowledged_at + ${by}, triage_due_at = triage_due_at + ${by}, first_response_due_at = first_response_due_at + ${by},
      resolution_due_at = resolution_due_at + ${by}, resolved_at = resolved_at + ${by}, closed_at = closed_at + ${by},
      signed_off_at = signed_off_at + ${by} WHERE id = ${id}`,
    s.db.$executeRaw`UPDATE complaint_events SET at = at + ${by} WHERE complaint_id = ${id}`,
    s.db.$executeRaw`UPDATE escalations SET at = at + ${by}, deadline = deadline + ${by} WHERE complaint_id = ${id}`,
    s.db.$executeRaw`UPDATE survey_responses SET at = at + ${by} WHERE complaint_id = ${id}`,
    s.db.$executeRaw`UPDATE survey_invitations SET created_at = created_at + ${by}, expires_at = expires_at + ${by}, used_at = used_at + ${by} WHERE complaint_id = ${id}`,
  ]);
}
const hours = (h: number) => Prisma.sql`make_interval(secs => ${h * 3600}::float8)`;

async function plan() {
  for (const [key, spec] of Object.entries(fixture) as [Key, Spec][]) {
    const id = ids[key];
    const row = await s.db.complaint.findUniqueOrThrow({ where: { id } });
    const target = typeof spec.at === 'string' ? new Date(spec.at).getTime() : Date.now() - spec.at.ago;
    await shift(id, target - row.createdAt.getTime());
    if (spec.ackMin !== undefined) await s.db.$executeRaw`UPDATE complaints SET acknowledged_at = created_at + ${hours(spec.ackMin / 60)} WHERE id = ${id}`;
    if (spec.triageH !== undefined) {
      await s.db.$executeRaw`UPDATE complaint_events e SET at = c.created_at + ${hours(spec.triageH)} FROM complaints c
        WHERE c.id = e.complaint_id AND e.complaint_id = ${id} AND e.type = 'triaged'`;
    }
    if (spec.resolveH !== undefined) await s.db.$executeRaw`UPDATE complaints SET resolved_at = created_at + ${hours(spec.resolveH)} WHERE id = ${id}`;
  }
  // c3's second round, six days after the first; closed an hour after its last letter.
  await s.db.$executeRaw`UPDATE complaint_events SET at = at + interval '6 days' WHERE complaint_id = ${ids.c3}
    AND id > (SELECT id FROM complaint_events WHERE complaint_id = ${ids.c3} AND type = 'reopened')`;
  await s.db.$executeRaw`UPDATE survey_responses SET at = at + interval '6 days' WHERE complaint_id = ${ids.c3} AND round = 2`;
  await s.db.$executeRaw`UPDATE complaints SET closed_at = created_at + interval '145 hours' WHERE id = ${ids.c3}`;
  // c6's root cause, an hour after its resolution deadline.
  await s.db.$executeRaw`UPDATE complaint_events e SET at = c.resolution_due_at + interval '1 hour' FROM complaints c
    WHERE c.id = e.complaint_id AND e.complaint_id = ${ids.c6} AND e.type = 'root_cause_recorded'`;
}

beforeAll(async () => {
  await Promise.all((Object.keys(fixture) as Key[]).map(drive));
  // What the workflows recorded is what the fixture says (before the calendar is set).
  const rows = await s.db.complaint.findMany({ where: { id: { in: Object.values(ids) } } });
  const byKey = (k: Key) => rows.find((r) => r.id === ids[k])!;
  expect(Object.fromEntries((Object.keys(fixture) as Key[]).map((k) => [k, [byKey(k).stage, byKey(k).outcome, byKey(k).reopenCount]]))).toEqual({
    c1: ['closed', 'resolved', 0], c2: ['closed', 'resolved', 0], c3: ['closed', 'resolved', 1], c4: ['closed', 'no_response', 0],
    c5: ['closed', 'rejected', 0], c6: ['investigation', null, 0], c7: ['closed', 'withdrawn', 0], c8: ['closed', 'resolved', 0],
    o1: ['triage', null, 0], o2: ['investigation', null, 0],
  });
  const keyOf = (id: number) => (Object.keys(ids) as Key[]).find((k) => ids[k] === id);
  const escalations = await s.db.escalation.findMany({ where: { complaintId: { in: Object.values(ids) } }, orderBy: { at: 'asc' } });
  expect(escalations.map((e) => [keyOf(e.complaintId), e.clock, e.level]).sort()).toEqual([
    ['c2', 'triage', 'manager'], ['c6', 'triage', 'manager'], ['c6', 'triage', 'senior_manager'],
  ]);
  const breached = await s.db.complaintEvent.findMany({ where: { complaintId: { in: Object.values(ids) }, type: 'sla_breached' } });
  expect(breached.map((e) => e.complaintId).sort()).toEqual([ids.c2, ids.c6].sort());
  await plan();
}, 180_000);

// ---- Asking -----------------------------------------------------------------------------------------------

const R1 = 'from=2020-02-01&to=2020-03-31';
const R2 = 'from=2020-03-09&to=2020-03-31';
const depA = () => `department=${a.department}`;
const ask = async (path: string, who: Person = a.senior) => {
  const res = await getJson(`${s.api}${path}`, who.auth);
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
};

type TargetExpectation = [value: number | null, count: number, base: number | null, met?: boolean | null];
function expectTargets(rows: any[], expected: Record<string, TargetExpectation>) {
  expect(rows.map((r) => r.name)).toEqual(Object.keys(expected));
  for (const [name, [value, count, base, met]] of Object.entries(expected)) {
    const row = rows.find((r) => r.name === name);
    if (value === null) expect(row.value).toBeNull();
    else expect(row.value).toBeCloseTo(value, 6);
    expect([name, row.count, row.base]).toEqual([name, count, base]);
    expect([name, row.met]).toEqual([name, met === undefined ? null : met]);
  }
}

// Worked out by hand from the fixture (see the comments on each line).
// on time: decided = closed, or breached; c2 and c6 breached.    satisfied: answers scoring 4–5.
// analysis: root cause by the resolution deadline; c6 late.      effective: closed, resolved, not reopened, answered "resolved".
// ack/triage/resolve: percentile_cont over the fixture's ackMin / triageH / resolveH of the complaints received in the range.
const M = 60; // seconds per minute
test('the target table, for two ranges and one department', async () => {
  const all = await ask(`/reports/targets?${R1}`);
  expect(all).toMatchObject({ report: 'targets', from: '2020-02-01T00:00:00.000Z', to: '2020-04-01T00:00:00.000Z', filters: { department: null } });
  expectTargets(all.rows, {
    on_time_handling_rate: [6 / 8, 6, 8, false], // c1 c3 c4 c5 c7 c8 of all eight
    satisfaction_rate: [3 / 5, 3, 5, false], // 5, 4, 1, 5, 3
    on_time_analysis_rate: [5 / 6, 5, 6, false], // c1 c2 c3 c4 c8 of those six with a root cause
    effective_resolution_rate: [3 / 7, 3, 7, false], // c1 c2 c8 of the seven closed (c3 reopened, c4 no answer, c5 rejected, c7 withdrawn)
    complaint_reduction: [null, 8, 0, null], // nothing in the 60 days before
    survey_response_rate: [5 / 6, 5, 6], // c1 c2 c3 c3' c8 of six surveys (c4 unanswered)
    reopen_rate: [1 / 5, 1, 5], // c3 of c1 c2 c3 c4 c8 (those that got a letter)
    time_to_acknowledge_median: [2.5 * M, 8, null], // 1 2 2 2 | 3 4 5 6 minutes
    time_to_acknowledge_p90: [5.3 * M, 8, null], // 5 + 0.3 × (6 − 5)
    time_to_triage_median: [2 * 3600, 7, null], // 0.5 0.75 1 [2] 3 5 6 hours (c7 was never triaged)
    time_to_triage_p90: [5.4 * 3600, 7, null], // 5 + 0.4 × (6 − 5)
    time_to_resolve_median: [20 * 3600, 5, null], // 2 10 [20] 30 144 hours
    time_to_resolve_p90: [98.4 * 3600, 5, null], // 30 + 0.6 × (144 − 30)
  });

  expectTargets((await ask(`/reports/targets?${R2}`)).rows, { // c4 … c8
    on_time_handling_rate: [4 / 5, 4, 5, false], // c6 breached
    satisfaction_rate: [1 / 2, 1, 2, false], // c3's second answer (5), c8 (3)
    on_time_analysis_rate: [2 / 3, 2, 3, false], // c4 c8, not c6
    effective_resolution_rate: [1 / 5, 1, 5, false], // c8 of c3 c4 c5 c7 c8 (closed from 9 March on)
    complaint_reduction: [1 - 5 / 3, 5, 3, false], // 5 received; 3 (c1 c2 c3) in the 23 days before
    survey_response_rate: [2 / 3, 2, 3], // c3' c8 answered, c4 not
    reopen_rate: [0, 0, 2], // c4 c8
    time_to_acknowledge_median: [3 * M, 5, null], // 2 2 [3] 5 6
    time_to_acknowledge_p90: [5.6 * M, 5, null], // 5 + 0.6 × (6 − 5)
    time_to_triage_median: [2.5 * 3600, 4, null], // 0.75 2 | 3 5
    time_to_triage_p90: [4.4 * 3600, 4, null], // 3 + 0.7 × (5 − 3)
    time_to_resolve_median: [20 * 3600, 2, null], // 10 | 30
    time_to_resolve_p90: [28 * 3600, 2, null], // 10 + 0.9 × 20
  });

  const depRows = (await ask(`/reports/targets?${R1}&${depA()}`)).rows; // c1 c2 c3 c6 c7 c8
  expectTargets(depRows, {
    on_time_handling_rate: [4 / 6, 4, 6, false], // c2 c6 breached
    satisfaction_rate: [3 / 5, 3, 5, false], // every answer is A's
    on_time_analysis_rate: [4 / 5, 4, 5, false], // c1 c2 c3 c8, not c6
    effective_resolution_rate: [3 / 5, 3, 5, false], // c1 c2 c8 of c1 c2 c3 c7 c8
    complaint_reduction: [null, 6, 0, null],
    survey_response_rate: [1, 5, 5], // c1 c2 c3 c3' c8
    reopen_rate: [1 / 4, 1, 4], // c3 of c1 c2 c3 c8
    time_to_acknowledge_median: [2 * M, 6, null], // 1 2 2 | 2 4 6
    time_to_acknowledge_p90: [5 * M, 6, null], // 4 + 0.5 × (6 − 4)
    time_to_triage_median: [1 * 3600, 5, null], // 0.5 0.75 [1] 5 6
    time_to_triage_p90: [5.6 * 3600, 5, null], // 5 + 0.6 × (6 − 5)
    time_to_resolve_median: [25 * 3600, 4, null], // 2 20 | 30 144
    time_to_resolve_p90: [109.8 * 3600, 4, null], // 30 + 0.7 × (144 − 30)
  });
  // A manager asking without a department gets their own.
  expect((await ask(`/reports/targets?${R1}`, a.manager)).rows).toEqual(depRows);

  // Targets come from the configuration.
  expect(all.rows.filter((r: any) => r.target !== null).map((r: any) => [r.name, r.target])).toEqual([
    ['on_time_handling_rate', 0.95], ['satisfaction_rate', 0.95], ['on_time_analysis_rate', 1],
    ['effective_resolution_rate', 0.9], ['complaint_reduction', 0.1],
  ]);
});

// [period, received, breached, closed, answers, satisfactionRate, receivedChange, breachedChange, closedChange, satisfactionChange, receivedTarget, reductionMet]
type TrendLine = [string, number, number, number, number, number | null, number | null, number | null, number | null, number | null, number | null, boolean | null];
function expectTrend(rows: any[], expected: TrendLine[]) {
  const keys = ['period', 'received', 'breached', 'closed', 'answers', 'satisfactionRate', 'receivedChange', 'breachedChange', 'closedChange', 'satisfactionChange', 'receivedTarget', 'reductionMet'];
  expect(rows.map((r) => r.period)).toEqual(expected.map((e) => e[0]));
  rows.forEach((row, i) => keys.forEach((k, j) => {
    const want = expected[i][j];
    if (typeof want === 'number' && !Number.isInteger(want)) expect([row.period, k, row[k]]).toEqual([row.period, k, expect.closeTo(want, 6)]);
    else expect([row.period, k, row[k]]).toEqual([row.period, k, want]);
  }));
}
const quiet = (period: string): TrendLine => [period, 0, 0, 0, 0, null, null, null, null, null, null, null];

test('trends per week and per month, with the change and the reduction target', async () => {
  // Every week (Monday) that overlaps 1 Feb – 31 Mar 2020.
  expectTrend((await ask(`/reports/trends?${R1}&interval=week`)).rows, [
    quiet('2020-01-27'), quiet('2020-02-03'), quiet('2020-02-10'), quiet('2020-02-17'),
    ['2020-02-24', 1, 0, 1, 1, 1, null, null, null, null, null, null], // c1
    ['2020-03-02', 2, 1, 1, 2, 0.5, 1, null, 0, -0.5, 0.9, false], // c2 c3 received, c2 breached and closed, answers 4 and 1
    ['2020-03-09', 2, 0, 3, 1, 1, 0, -1, 2, 0.5, 1.8, false], // c4 c5; c3 c4 c5 closed; c3's second answer
    ['2020-03-16', 3, 1, 2, 1, 0, 0.5, null, -1 / 3, -1, 1.8, false], // c6 c7 c8; c6 breached; c7 c8 closed; c8 answers 3
    ['2020-03-23', 0, 0, 0, 0, null, -1, -1, -1, null, 2.7, true],
    quiet('2020-03-30'),
  ]);
  // Whole months: March (all of it), against February.
  const month = await ask(`/reports/trends?${R2}&interval=month`);
  expect(month).toMatchObject({ interval: 'month', reductionTarget: 0.1 });
  expectTrend(month.rows, [['2020-03-01', 7, 2, 6, 4, 0.5, 6, null, 5, -0.5, 0.9, false]]);
  expectTrend((await ask(`/reports/trends?${R1}&interval=week&${depA()}`)).rows, [
    quiet('2020-01-27'), quiet('2020-02-03'), quiet('2020-02-10'), quiet('2020-02-17'),
    ['2020-02-24', 1, 0, 1, 1, 1, null, null, null, null, null, null],
    ['2020-03-02', 2, 1, 1, 2, 0.5, 1, null, 0, -0.5, 0.9, false],
    ['2020-03-09', 0, 0, 1, 1, 1, -1, -1, 0, 0.5, 1.8, true], // only c3 closes; c4 c5 are B's
    ['2020-03-16', 3, 1, 2, 1, 0, null, null, 1, -1, null, null],
    ['2020-03-23', 0, 0, 0, 0, null, -1, -1, -1, null, 2.7, true],
    quiet('2020-03-30'),
  ]);
});

// [scope, group, rootCause, count, cumulativeShare, vitalFew]
type ParetoLine = [string, string | null, string, number, number, boolean];
function expectPareto(rows: any[], expected: ParetoLine[]) {
  expect(rows.map((r) => [r.scope, r.group, r.rootCause, r.count, r.vitalFew])).toEqual(expected.map(([sc, g, c, n, , v]) => [sc, g, c, n, v]));
  rows.forEach((r, i) => expect(r.cumulativeShare).toBeCloseTo(expected[i][4], 9));
  // Ranks count from 1 in each group, and the shares of a group add up to its last cumulative share.
  const groups = new Map<string, any[]>();
  for (const r of rows) groups.set(`${r.scope}|${r.group}`, [...(groups.get(`${r.scope}|${r.group}`) ?? []), r]);
  for (const g of groups.values()) {
    expect(g.map((r) => r.rank)).toEqual(g.map((_, i) => i + 1));
    expect(g.reduce((n, r) => n + r.share, 0)).toBeCloseTo(1, 9);
  }
}

test('the root-cause Pareto, overall, per department and per category', async () => {
  const A = a.department;
  const B = b.department;
  expectPareto((await ask(`/reports/pareto?${R1}`)).rows, [
    ['overall', null, 'manufacturing_defect', 3, 3 / 6, true], // c3 c4 c8
    ['overall', null, 'communication', 1, 4 / 6, true], // c1
    ['overall', null, 'human_error', 1, 5 / 6, true], // c2
    ['overall', null, 'supplier_issue', 1, 1, false], // c6: the first 80% are already covered
    ['department', A, 'manufacturing_defect', 2, 0.4, true],
    ['department', A, 'communication', 1, 0.6, true],
    ['department', A, 'human_error', 1, 0.8, true],
    ['department', A, 'supplier_issue', 1, 1, false],
    ['department', B, 'manufacturing_defect', 1, 1, true],
    ['category', 'delivery', 'human_error', 1, 0.5, true],
    ['category', 'delivery', 'supplier_issue', 1, 1, true],
    ['category', 'product_quality', 'manufacturing_defect', 3, 1, true],
    ['category', 'service', 'communication', 1, 1, true],
  ]);
  expectPareto((await ask(`/reports/pareto?${R2}`)).rows, [
    ['overall', null, 'manufacturing_defect', 2, 2 / 3, true], // c4 c8
    ['overall', null, 'supplier_issue', 1, 1, true], // c6
    ['department', A, 'manufacturing_defect', 1, 0.5, true],
    ['department', A, 'supplier_issue', 1, 1, true],
    ['department', B, 'manufacturing_defect', 1, 1, true],
    ['category', 'delivery', 'supplier_issue', 1, 1, true],
    ['category', 'product_quality', 'manufacturing_defect', 2, 1, true],
  ]);
  expectPareto((await ask(`/reports/pareto?${R1}&${depA()}`)).rows, [
    ['overall', null, 'manufacturing_defect', 2, 0.4, true],
    ['overall', null, 'communication', 1, 0.6, true],
    ['overall', null, 'human_error', 1, 0.8, true],
    ['overall', null, 'supplier_issue', 1, 1, false],
    ['department', A, 'manufacturing_defect', 2, 0.4, true],
    ['department', A, 'communication', 1, 0.6, true],
    ['department', A, 'human_error', 1, 0.8, true],
    ['department', A, 'supplier_issue', 1, 1, false],
    ['category', 'delivery', 'human_error', 1, 0.5, true],
    ['category', 'delivery', 'supplier_issue', 1, 1, true],
    ['category', 'product_quality', 'manufacturing_defect', 2, 1, true],
    ['category', 'service', 'communication', 1, 1, true],
  ]);
});

test('escalations per level', async () => {
  const levels = (body: any) => body.rows.map((r: any) => [r.level, r.escalations, r.complaints, r.triage, r.firstResponse, r.resolution]);
  expect(levels(await ask(`/reports/escalations?${R1}`))).toEqual([
    ['supervisor', 0, 0, 0, 0, 0], ['manager', 2, 2, 2, 0, 0], ['senior_manager', 1, 1, 1, 0, 0], // c2 → manager; c6 → manager, senior
  ]);
  expect(levels(await ask(`/reports/escalations?${R2}`))).toEqual([
    ['supervisor', 0, 0, 0, 0, 0], ['manager', 1, 1, 1, 0, 0], ['senior_manager', 1, 1, 1, 0, 0], // c6 only
  ]);
  expect(levels(await ask(`/reports/escalations?${R1}&${depA()}`))).toEqual(levels(await ask(`/reports/escalations?${R1}`)));
  expect(levels(await ask(`/reports/escalations?${R1}&department=${b.department}`))).toEqual([
    ['supervisor', 0, 0, 0, 0, 0], ['manager', 0, 0, 0, 0, 0], ['senior_manager', 0, 0, 0, 0, 0],
  ]);
});

test('the backlog by stage and age, and the complaints at risk', async () => {
  const nonZero = (body: any) => body.rows.filter((r: any) => r.count > 0).map((r: any) => [r.stage, r.ageBucket, r.count, r.atRisk]);
  // Department A: c6 (breached, 2020) and o1 (an hour old, far from its warning point).
  const backlogA = await ask(`/reports/backlog?${depA()}`);
  expect(backlogA.rows).toHaveLength(7 * 4); // every open stage × every age bucket
  expect(nonZero(backlogA)).toEqual([['triage', '<1d', 1, 0], ['investigation', '>7d', 1, 1]]);
  // Department B: o2, four days old, past the warning point of its 10-hour deadlines though not breached.
  expect(nonZero(await ask(`/reports/backlog?department=${b.department}`))).toEqual([['investigation', '3-7d', 1, 1]]);
  // Received in either range: c6 only; the rest of 2020 is closed.
  for (const range of [R1, R2, `${R1}&${depA()}`]) expect(nonZero(await ask(`/reports/backlog?${range}`))).toEqual([['investigation', '>7d', 1, 1]]);

  const c6 = await s.db.complaint.findUniqueOrThrow({ where: { id: ids.c6 } });
  const o2 = await s.db.complaint.findUniqueOrThrow({ where: { id: ids.o2 } });
  const atRiskA = (await ask(`/reports/at-risk?${depA()}`)).rows;
  expect(atRiskA).toEqual([{
    id: ids.c6, reference: c6.reference, stage: 'investigation', severity: 'minor', department: a.department, category: 'delivery',
    channel: 'email', createdAt: '2020-03-17T12:00:00.000Z', ageBucket: '>7d', breachedClocks: 'triage',
    // First response and resolution both run (10 h each, from the same start); the first by name is shown.
    clock: 'firstResponse', dueAt: c6.firstResponseDueAt!.toISOString(), warnAt: expect.any(String),
  }]);
  // The warning point: created + 0.75 × (due − created), to the millisecond.
  const warnAt = c6.createdAt.getTime() + 0.75 * (c6.firstResponseDueAt!.getTime() - c6.createdAt.getTime());
  expect(Math.abs(new Date(atRiskA[0].warnAt).getTime() - warnAt)).toBeLessThanOrEqual(1);
  const atRiskB = (await ask(`/reports/at-risk?department=${b.department}`)).rows;
  expect(atRiskB).toEqual([expect.objectContaining({ id: ids.o2, breachedClocks: null, clock: 'firstResponse', dueAt: o2.firstResponseDueAt!.toISOString(), ageBucket: '3-7d' })]);
  expect((await ask(`/reports/at-risk?${R1}`)).rows.map((r: any) => r.id)).toEqual([ids.c6]);
});

/** RFC 4180, read independently of reports/csv.ts. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (ch === '"') quoted = false; else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { row.push(field); field = ''; }
    else if (ch === '\r' && text[i + 1] === '\n') { row.push(field); rows.push(row); row = []; field = ''; i++; }
    else field += ch;
  }
  if (field || row.length) { row.push(field); rows.push(row); }
  return rows;
}
/** A cell as the JSON value it stands for: empty is null, true/false, numbers, text. */
const typed = (cell: string): unknown =>
  cell === '' ? null : cell === 'true' ? true : cell === 'false' ? false : /^-?\d+(\.\d+)?(e[+-]?\d+)?$/i.test(cell) ? Number(cell) : cell;

test('the CSV of every figure is a table whose rows equal the JSON', async () => {
  for (const path of [
    `/reports/targets?${R1}`, `/reports/trends?${R1}&interval=week`, `/reports/trends?${R2}&interval=month&${depA()}`,
    `/reports/pareto?${R1}`, `/reports/backlog?${depA()}`, `/reports/at-risk?department=${b.department}`, `/reports/escalations?${R1}`,
  ]) {
    const json = await ask(path);
    expect(json.rows.length).toBeGreaterThan(0);
    const viaParam = await fetch(`${s.api}${path}&format=csv`, { headers: a.senior.auth });
    const viaAccept = await fetch(`${s.api}${path}`, { headers: { ...a.senior.auth, accept: 'text/csv' } });
    for (const res of [viaParam, viaAccept]) {
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
      expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="?[a-z-]+(_\d{4}-\d{2}-\d{2})+\.csv"?$/);
    }
    if (path.startsWith(`/reports/targets?${R1}`)) expect(viaParam.headers.get('content-disposition')).toContain('targets_2020-02-01_2020-03-31.csv');
    const text = await viaParam.text();
    expect(await viaAccept.text()).toBe(text);
    expect(text.endsWith('\r\n')).toBe(true);
    const [header, ...lines] = parseCsv(text);
    expect(header).toEqual(json.columns);
    expect(header).toEqual(Object.keys(json.rows[0]));
    expect(lines.map((cells) => Object.fromEntries(header.map((h, i) => [h, typed(cells[i])])))).toEqual(json.rows);
  }
  // Quoting: a comma, a double quote, a line break survive; numbers read back equal.
  const tricky = [{ name: 'a,b', note: 'say "hi"\r\nbye', n: 0.1 + 0.2, none: null, at: new Date('2020-03-01T00:00:00Z') }];
  const csv = toCsv(['name', 'note', 'n', 'none', 'at'], tricky);
  expect(csv).toBe('name,note,n,none,at\r\n"a,b","say ""hi""\r\nbye",0.30000000000000004,,2020-03-01T00:00:00.000Z\r\n');
  expect(parseCsv(csv)).toEqual([['name', 'note', 'n', 'none', 'at'], ['a,b', 'say "hi"\r\nbye', '0.30000000000000004', '', '2020-03-01T00:00:00.000Z']]);
  expect(csvField(true)).toBe('true');
});

test('the summary holds every figure; its backlog is the whole open backlog', async () => {
  const summary = await ask(`/reports/summary?${R1}&${depA()}&interval=month&limit=5`);
  expect(summary).toMatchObject({ report: 'summary', from: '2020-02-01T00:00:00.000Z', to: '2020-04-01T00:00:00.000Z', filters: { department: a.department } });
  expect(summary.targets.rows).toEqual((await ask(`/reports/targets?${R1}&${depA()}`)).rows);
  expect(summary.trends.rows).toEqual((await ask(`/reports/trends?${R1}&${depA()}&interval=month`)).rows);
  expect(summary.pareto.rows).toEqual((await ask(`/reports/pareto?${R1}&${depA()}`)).rows);
  expect(summary.escalations.rows).toEqual((await ask(`/reports/escalations?${R1}&${depA()}`)).rows);
  // Not only what was received in the range: o1 (received an hour ago) is in it too.
  expect(summary.backlog).toMatchObject({ from: null, to: null });
  expect(summary.backlog.rows).toEqual((await ask(`/reports/backlog?${depA()}`)).rows);
  expect(summary.atRisk).toMatchObject({ limit: 5, rows: [expect.objectContaining({ id: ids.c6 })] });
  expect((await fetch(`${s.api}/reports/summary?${R1}&format=csv`, { headers: a.senior.auth })).status).toBe(400);
  expect((await fetch(`${s.api}/reports/summary?${R1}`, { headers: { ...a.senior.auth, accept: 'text/csv' } })).status).toBe(406);
});

test('who may see what: managers their department, senior managers and admins all; nobody else', async () => {
  const url = (q: string) => `${s.api}/reports/targets?${R1}${q}`;
  expect((await getJson(url(''))).status).toBe(401);
  for (const who of [a.agent, a.supervisor]) {
    const res = await getJson(url(''), who.auth);
    expect(res.status).toBe(403);
    expect(res.body.error.message).toContain('manager');
  }
  // A manager: their own department, asked for or not; another department is refused.
  expect((await getJson(url(`&${depA()}`), a.manager.auth)).status).toBe(200);
  const other = await getJson(url(`&department=${b.department}`), a.manager.auth);
  expect(other.status).toBe(403);
  expect(other.body.error.fields).toEqual({ department: `must be ${a.department}` });
  const forced = await ask(`/reports/pareto?${R1}`, b.manager);
  expect(forced.filters.department).toBe(b.department);
  expect(forced.rows.map((r: any) => [r.scope, r.group, r.rootCause])).toEqual([
    ['overall', null, 'manufacturing_defect'], ['department', b.department, 'manufacturing_defect'], ['category', 'product_quality', 'manufacturing_defect'],
  ]);
  expect((await ask(`/reports/backlog`, b.manager)).rows.filter((r: any) => r.count > 0)).toEqual([{ stage: 'investigation', ageBucket: '3-7d', count: 1, atRisk: 1 }]);
  // Senior management and admins: any department, or all.
  for (const who of [b.senior, a.admin]) {
    expect((await getJson(url(`&${depA()}`), who.auth)).body.rows).toEqual((await ask(`/reports/targets?${R1}&${depA()}`)).rows);
  }
});

test('a bad query is a 400 naming the field', async () => {
  const cases: [string, string][] = [
    ['/reports/targets?from=2020-02-30', 'from'],
    ['/reports/targets?from=yesterday', 'from'],
    ['/reports/targets?from=2020-03-10&to=2020-03-01', 'to'],
    ['/reports/targets?from=1990-01-01&to=2020-01-01', 'from'],
    ['/reports/trends?interval=day', 'interval'],
    ['/reports/targets?severity=huge', 'severity'],
    ['/reports/targets?channel=pigeon', 'channel'],
    ['/reports/targets?format=xml', 'format'],
    ['/reports/targets?department=', 'department'],
    ['/reports/targets?department=a&department=b', 'department'],
    ['/reports/targets?interval=week', 'interval'], // only the trends have periods
    ['/reports/at-risk?limit=0', 'limit'],
    ['/reports/pareto?colour=red', 'colour'],
  ];
  for (const [path, field] of cases) {
    const res = await getJson(`${s.api}${path}`, a.senior.auth);
    expect([path, res.status, res.body.error.code]).toEqual([path, 400, 'validation_failed']);
    expect([path, Object.keys(res.body.error.fields)]).toEqual([path, [field]]);
    expect(res.body.error.message).toContain(`${field}:`);
  }
});
