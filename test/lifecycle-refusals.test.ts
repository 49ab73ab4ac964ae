import { act, must } from './support/actions';
import { complaintBody } from './support/complaints';
import { createOrganisation, relaxedSla, type Organisation, type Person } from './support/organisation';
import { eventually, getJson, postJson, startServices, type TestServices } from './support/services';

// A wrong action is refused at once with a reason, and the complaint stays as it was.

let s: TestServices;
let org: Organisation;
beforeAll(async () => {
  s = await startServices('refusals');
  org = await createOrganisation(s.db, 'refusals');
  await relaxedSla(s.db);
});
afterAll(async () => { await s?.close(); });

const status = (id: number) => s.temporal.workflow.getHandle(`complaint-${id}`).query<any>('status');
const eventCount = (id: number) => s.db.complaintEvent.count({ where: { complaintId: id } });

async function majorUnderInvestigation() {
  const res = await postJson(`${s.api}/complaints`, complaintBody({ department: org.department }), s.auth);
  const id = res.body.id as number;
  await must(s.api, org.supervisor, id, 'triage', {
    valid: true, category: 'product_quality', severity: 'major', department: org.department, ownerId: org.manager.id,
  });
  await must(s.api, org.agent, id, 'root-cause', { rootCause: 'design_flaw' });
  // The acknowledgement is recorded beside the staff's steps, whenever its email has gone: wait for it, so
  // that "nothing moved" below is about the refused action alone.
  await eventually('the acknowledgement to be recorded', () => s.db.complaintEvent.findFirst({ where: { complaintId: id, type: 'acknowledged' } }), 20_000);
  return id;
}
const resolution = { resolutionCode: 'refund_issued', summary: 'We refunded the full price.', remedy: 'refund', refundAmount: 49.99 };

/** Sends the action, expects the refusal, and checks nothing moved. */
async function refused(id: number, person: Person, action: string, body: Record<string, unknown>, httpStatus: number, message: RegExp) {
  const [before, eventsBefore] = [await status(id), await eventCount(id)];
  const res = await act(s.api, person, id, action, body);
  expect(res.status).toBe(httpStatus);
  expect(res.body.error.message).toMatch(message);
  const after = await status(id);
  expect(after.stage).toBe(before.stage);
  expect(after.step).toBe(before.step);
  expect(await eventCount(id)).toBe(eventsBefore);
  return res.body.error;
}

test('a major complaint cannot get a resolution before its investigation report', async () => {
  const id = await majorUnderInvestigation();
  await refused(id, org.agent, 'resolution', { ...resolution }, 409, /needs an investigation report/);
  await must(s.api, org.agent, id, 'report', { report: 'The handle design concentrates heat at the joint.' });
  expect((await must(s.api, org.agent, id, 'resolution', { ...resolution })).stage).toBe('resolution_proposed');
});

test('a supervisor may not sign off a major complaint; a manager may send it back to investigation', async () => {
  const id = await majorUnderInvestigation();
  await must(s.api, org.agent, id, 'report', { report: 'Report.' });
  await must(s.api, org.agent, id, 'resolution', { ...resolution });

  const error = await refused(id, org.supervisor, 'sign-off', { approve: true }, 403, /needs a manager or above; staff member \d+ is supervisor/);
  expect(error.code).toBe('forbidden');
  await refused(id, org.manager, 'sign-off', { approve: false }, 422, /comment is required/);

  const back = await must(s.api, org.manager, id, 'sign-off', { approve: false, comment: 'Offer a replacement instead.' });
  expect(back.stage).toBe('investigation');
  const event = await s.db.complaintEvent.findFirstOrThrow({ where: { complaintId: id, type: 'sign_off_refused' } });
  expect(event.actorId).toBe(org.manager.id);
  // The comment is kept in PostgreSQL and passed by id; the timeline shows it to staff.
  expect(event.data).toEqual({ textId: expect.any(Number), requestId: expect.any(String), decidedAt: expect.any(String) });
  const timeline = await getJson(`${s.api}/complaints/${id}/timeline`, org.manager.auth);
  expect(timeline.body.find((e: any) => e.type === 'sign_off_refused').data).toMatchObject({ text: 'Offer a replacement instead.' });
  expect((await s.db.complaint.findUniqueOrThrow({ where: { id } })).resolutionCode).toBeNull();
  // Back in investigation, a new proposal is possible and a manager signs it off.
  await must(s.api, org.agent, id, 'resolution', { resolutionCode: 'replacement_sent', summary: 'A replacement.', remedy: 'replacement' });
  await must(s.api, org.manager, id, 'sign-off', { approve: true });
  // Signed off is final: neither a late send-back nor a second approval is taken, even right away.
  const late = await act(s.api, org.manager, id, 'sign-off', { approve: false, comment: 'Too late' });
  const again = await act(s.api, org.senior, id, 'sign-off', { approve: true });
  expect([late.status, again.status]).toEqual([409, 409]);
  expect(late.body.error.message).toMatch(/already been signed off|stage "resolved"/);
  await eventually('the letter', async () => (await s.db.complaint.findUniqueOrThrow({ where: { id } })).stage === 'resolved');
  expect(await s.db.complaintEvent.count({ where: { complaintId: id, type: 'sign_off_refused' } })).toBe(1); // the earlier one only
  const stored = await s.db.complaint.findUniqueOrThrow({ where: { id } });
  expect(stored.signedOffById).toBe(org.manager.id);
  expect(await s.db.complaintEvent.count({ where: { complaintId: id, type: 'signed_off' } })).toBe(1);
  expect(stored.signedOffAt).toBeInstanceOf(Date);
});

test('actions out of order, twice, by the wrong role or with unknown values are refused', async () => {
  const res = await postJson(`${s.api}/complaints`, complaintBody({ department: org.department }), s.auth);
  const id = res.body.id as number;
  // Acknowledged first, so the only events recorded from here on are the ones the actions cause.
  await eventually('the acknowledgement', async () => (await status(id)).stage === 'triage');
  await refused(id, org.manager, 'sign-off', { approve: true }, 409, /stage "triage"/);
  await refused(id, org.agent, 'triage', { valid: true, category: 'delivery', severity: 'minor', department: org.department, ownerId: org.supervisor.id }, 403, /triage needs the role supervisor or manager or senior_manager; you are agent/);
  await refused(id, org.supervisor, 'triage', { valid: true, category: 'weather', severity: 'minor', department: org.department, ownerId: org.supervisor.id }, 422, /category must be one of/);
  await refused(id, org.supervisor, 'triage', { valid: true, category: 'delivery', severity: 'minor', flags: ['legal'], department: org.department, ownerId: org.supervisor.id }, 422, /owner of a major flagged complaint must be a manager/);
  await must(s.api, org.supervisor, id, 'triage', { valid: true, category: 'delivery', severity: 'minor', department: org.department, ownerId: org.supervisor.id });
  await refused(id, org.supervisor, 'triage', { valid: false, rejectionReason: 'again' }, 409, /already been triaged/);
  await refused(id, org.agent, 'resolution', { ...resolution }, 409, /root cause before/);
  await must(s.api, org.agent, id, 'root-cause', { rootCause: 'process_failure' });
  await refused(id, org.agent, 'resolution', { ...resolution, resolutionCode: 'magic' }, 422, /resolutionCode must be one of/);
  await refused(id, org.agent, 'root-cause', { rootCause: 'gremlins' }, 422, /rootCause must be one of/);
  // Bad bodies never reach the workflow.
  const actorInBody = await act(s.api, org.agent, id, 'notes', { actorId: org.manager.id, text: 'hi' });
  expect(actorInBody.status).toBe(400); // the actor is the token's owner, never a field
  expect(actorInBody.body.error.fields).toHaveProperty('actorId');
  const noText = await act(s.api, org.agent, id, 'notes', {  });
  expect(noText.status).toBe(400);
  expect(noText.body.error.fields).toHaveProperty('text');
  expect((await act(s.api, org.agent, 424242, 'notes', { text: 'x' })).status).toBe(404);
});
