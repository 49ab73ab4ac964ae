import { must } from './support/actions';
import { complaintBody } from './support/complaints';
import { mailTo, waitForMail } from './support/mail';
import { createOrganisation, relaxedSla, setSla, type Organisation, type Person } from './support/organisation';
import { eventually, getJson, postJson, startServices, type TestServices } from './support/services';
import { summaryReport } from '../reports/figures';

// The periodic review is a Temporal Schedule: set to a few seconds here, it must email its owner the
// period's figures on every run, record each run, and stop when an admin pauses it.

const scheduleId = `review-test-${Date.now()}`;
let s: TestServices;
let org: Organisation;
let admin: Person;
beforeAll(async () => {
  s = await startServices('review', { REVIEW_EVERY: '4s', REVIEW_PERIOD: '1d', REVIEW_SCHEDULE_ID: scheduleId, REVIEW_RECIPIENT: undefined });
  org = await createOrganisation(s.db, 'review');
  await relaxedSla(s.db);
  admin = org.admin;
  // Send the review to this file's senior manager.
  const set = await fetch(`${s.api}/admin/review-schedule`, { method: 'PATCH', headers: { ...admin.auth, 'content-type': 'application/json' }, body: JSON.stringify({ recipientEmail: org.senior.email }) });
  expect(set.status).toBe(200);
});
afterAll(async () => {
  await s?.temporal.schedule.getHandle(scheduleId).delete().catch(() => undefined);
  await s?.close();
});

test('the review schedule emails its owner the figures on every run and records each run; pausing stops it', async () => {
  // Something to report on: one complaint breached and escalated, one resolved by a root cause.
  await setSla(s.db, 'minor', { triage: 2, firstResponse: 600, resolution: 600, warnShare: 0.5, reescalate: 600 });
  const late = (await postJson(`${s.api}/complaints`, complaintBody({ department: org.department }), s.auth)).body.id;
  await waitForMail(org.manager.email, { timeoutMs: 15_000 }); // escalated at 2 s
  await relaxedSla(s.db);
  const analysed = (await postJson(`${s.api}/complaints`, complaintBody({ department: org.department }), s.auth)).body.id;
  await must(s.api, org.supervisor, analysed, 'triage', { valid: true, category: 'billing', severity: 'minor', department: org.department, ownerId: org.supervisor.id });
  await must(s.api, org.agent, analysed, 'root-cause', { rootCause: 'system_error' });
  expect(late).toBeGreaterThan(0);
  const dataReady = new Date();

  // The next two runs after that (earlier ones, from before the data, do not count here).
  const runs = await eventually('two finished runs', async () => {
    const r = await s.db.reviewRun.findMany({ where: { workflowId: { startsWith: scheduleId }, periodTo: { gt: dataReady } }, orderBy: { id: 'asc' } });
    return r.filter((x) => x.finishedAt).length >= 2 && r;
  }, 30_000);
  const reviews = await waitForMail(org.senior.email, { count: 2, filter: (m) => m.subject.startsWith('Complaint handling review') && new Date(m.date) > dataReady });
  expect(runs[0].recipientId).toBe(org.senior.id);
  for (const run of runs.slice(0, 2)) {
    expect(run.periodTo.getTime() - run.periodFrom.getTime()).toBe(86_400_000);
    // The recorded figures are the period's, as they stood when the run took them: complaints of the period
    // keep moving afterwards (other test files' workflows close, breach, get analysed), so a recomputation
    // later may differ; what must hold is the period, the figures' names, and the email carrying the record.
    const stored = run.figures as any;
    expect([stored.targets.from, stored.targets.to]).toEqual([run.periodFrom.toISOString(), run.periodTo.toISOString()]);
    const recomputed = await summaryReport(s.db, { from: run.periodFrom, to: run.periodTo });
    expect(stored.targets.rows.map((r: any) => r.name)).toEqual(recomputed.targets.rows.map((r: any) => r.name));
    const mail = reviews.find((m) => m.subject.includes(run.periodTo.toISOString().slice(0, 16).replace('T', ' ')));
    expect(mail).toBeDefined();
    expect(mail!.text).toContain('system_error');
    for (const row of stored.targets.rows) {
      const shown = row.unit === 'ratio' ? (typeof row.value === 'number' ? `${(row.value * 100).toFixed(1)}%` : 'n/a') : String(row.value ?? 'n/a');
      expect(mail!.text).toMatch(new RegExp(`${row.name}\\s+${shown.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    }
    expect(mail!.text).toMatch(/manager\s+\d+/); // the escalations table
    expect(mail!.html).toContain('<table');
  }

  // Pause: the schedule says so, and no further review arrives.
  const paused = await fetch(`${s.api}/admin/review-schedule`, { method: 'PATCH', headers: { ...admin.auth, 'content-type': 'application/json' }, body: JSON.stringify({ paused: true }) });
  expect(paused.status).toBe(200);
  expect(((await paused.json()) as any).paused).toBe(true);
  // A run already started may still finish and send its email: wait for it, then for the mail to land.
  await eventually('no review running', async () =>
    (await s.temporal.schedule.getHandle(scheduleId).describe()).info.runningActions.length === 0, 30_000);
  await new Promise((r) => setTimeout(r, 500));
  const before = (await mailTo(org.senior.email)).length;
  await new Promise((r) => setTimeout(r, 6000));
  expect((await mailTo(org.senior.email)).length).toBe(before);
  const view = await getJson(`${s.api}/admin/review-schedule`, admin.auth);
  expect(view.body).toMatchObject({ scheduleId, paused: true, everyMs: 4000, recipientEmail: org.senior.email });
  expect(view.body.recentRuns.length).toBeGreaterThanOrEqual(2);
  // A schedule faster than a second is refused, naming the field.
  const tooFast = await fetch(`${s.api}/admin/review-schedule`, { method: 'PATCH', headers: { ...admin.auth, 'content-type': 'application/json' }, body: JSON.stringify({ every: '0s' }) });
  expect(tooFast.status).toBe(400);
  expect(((await tooFast.json()) as any).error.fields).toHaveProperty('every');
  // Only admins may touch it.
  expect((await getJson(`${s.api}/admin/review-schedule`, org.manager.auth)).status).toBe(403);
});
