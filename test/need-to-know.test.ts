import { act, must } from './support/actions';
import { complaintBody } from './support/complaints';
import { createOrganisation, relaxedSla, type Organisation, type Person } from './support/organisation';
import { eventually, getJson, postJson, startServices, type TestServices } from './support/services';

// Need to know: staff see and act on their own department's complaints and those they own; the shared
// triage queue (no department yet) is everyone's; senior managers see all; admins read none. Out of
// scope is a 404, the same answer as a complaint that does not exist.

let s: TestServices;
let a: Organisation;
let b: Organisation;
beforeAll(async () => {
  s = await startServices('need-to-know');
  [a, b] = [await createOrganisation(s.db, 'ntk-a'), await createOrganisation(s.db, 'ntk-b')];
  await relaxedSla(s.db);
});
afterAll(async () => { await s?.close(); });

const file = async (extra: Record<string, unknown>) => {
  const res = await postJson(`${s.api}/complaints`, complaintBody(extra), s.auth);
  expect(res.status).toBe(201);
  await eventually('acknowledged', async () => (await s.db.complaint.findUniqueOrThrow({ where: { id: res.body.id } })).stage !== 'received');
  return res.body.id as number;
};

/** A valid body for each action, so that only the scope decides a 404. */
const ACTIONS: Record<string, Record<string, unknown>> = {
  triage: { valid: false, rejectionReason: 'Not ours' }, reclassify: { severity: 'major', reason: 'More serious' },
  notes: { text: 'A note' }, 'root-cause': { rootCause: 'other' }, report: { report: 'A report' },
  'customer-requests': { question: 'Which store?' }, 'customer-replies': { reply: 'High Street' }, responses: { message: 'We are on it' },
  resolution: { resolutionCode: 'apology_given', summary: 'Sorry', remedy: 'apology' }, 'sign-off': { approve: true },
  withdrawal: { reason: 'Asked to' },
};

async function reads(person: Person, id: number) {
  const [one, timeline, list] = await Promise.all([
    getJson(`${s.api}/complaints/${id}`, person.auth), getJson(`${s.api}/complaints/${id}/timeline`, person.auth),
    getJson(`${s.api}/complaints?limit=100`, person.auth),
  ]);
  return { one: one.status, timeline: timeline.status, listed: list.body.items?.some((c: any) => c.id === id) ?? false };
}

test('every complaint route and action, by department, owner, senior manager and admin: out of scope is a 404, lists hold only what one may see', async () => {
  const inA = await file({ department: a.department });
  const ownedFromB = await file({ department: a.department });
  await must(s.api, a.supervisor, ownedFromB, 'triage', { valid: true, category: 'billing', severity: 'minor', department: a.department, ownerId: b.supervisor.id });
  const queue = await file({}); // no department yet: the shared triage queue

  const visible = { one: 200, timeline: 200, listed: true };
  const hidden = { one: 404, timeline: 404, listed: false };
  expect(await reads(a.agent, inA)).toEqual(visible); // same department
  expect(await reads(b.agent, inA)).toEqual(hidden); // another department
  expect(await reads(a.senior, inA)).toEqual(visible);
  expect(await reads(b.senior, inA)).toEqual(visible); // senior management sees every department
  expect(await reads(a.admin, inA)).toEqual(hidden); // admins manage the organisation, not complaints
  expect(await reads(b.supervisor, ownedFromB)).toEqual(visible); // the owner, from another department
  expect(await reads(b.agent, ownedFromB)).toEqual(hidden);
  expect(await reads(b.agent, queue)).toEqual(visible);

  // The same 404 for another department's complaint as for one that does not exist, on every action.
  for (const [action, body] of Object.entries(ACTIONS)) {
    const other = await act(s.api, b.manager, inA, action, body);
    const missing = await act(s.api, b.manager, 999_999, action, body);
    expect([action, other.status, other.body.error.code]).toEqual([action, 404, 'not_found']);
    expect(other.body.error.message.replace(String(inA), 'N')).toBe(missing.body.error.message.replace('999999', 'N'));
  }
  expect((await act(s.api, b.supervisor, ownedFromB, 'notes', { text: 'The owner may' })).status).toBe(200);
  expect((await act(s.api, a.agent, inA, 'notes', { text: 'Same department may' })).status).toBe(200);
  expect((await act(s.api, a.admin, inA, 'notes', { text: 'Admins handle none' })).status).toBe(403);

  // A filter cannot widen the scope: another department's list stays empty of it.
  const filtered = await getJson(`${s.api}/complaints?department=${a.department}&limit=100`, b.agent.auth);
  expect(filtered.body.items.map((c: any) => c.id)).not.toContain(inA);
  expect(filtered.body.items.every((c: any) => c.ownerId === b.agent.id || c.department === null)).toBe(true);
  const mine = await getJson(`${s.api}/complaints?limit=100`, b.agent.auth);
  expect(mine.body.items.every((c: any) => c.department === b.department || c.department === null || c.ownerId === b.agent.id)).toBe(true);
});

test('four eyes: whoever proposed a resolution cannot sign it off; another supervisor can', async () => {
  const id = await file({ department: a.department });
  await must(s.api, a.supervisor, id, 'triage', { valid: true, category: 'billing', severity: 'minor', department: a.department, ownerId: a.supervisor.id });
  await must(s.api, a.supervisor, id, 'root-cause', { rootCause: 'process_failure' });
  await must(s.api, a.supervisor, id, 'resolution', { resolutionCode: 'apology_given', summary: 'We apologised.', remedy: 'apology' });
  const own = await act(s.api, a.supervisor, id, 'sign-off', { approve: true });
  expect([own.status, own.body.error.code]).toEqual([403, 'forbidden']);
  expect(own.body.error.message).toMatch(/four eyes: staff member \d+ proposed this resolution, so someone else must sign it off/);

  const second = await s.db.staff.create({ data: { name: 'Second Supervisor', email: `second.${Date.now()}@example.com`, role: 'supervisor', department: a.department } });
  const { issueToken } = await import('../lib/tokens');
  const { token } = await issueToken(s.db, second.id, 'test');
  const signed = await postJson(`${s.api}/complaints/${id}/sign-off`, { approve: true }, { authorization: `Bearer ${token}` });
  expect([signed.status, signed.body.stage]).toEqual([200, 'resolved']);
  expect((await s.db.complaint.findUniqueOrThrow({ where: { id } })).signedOffById).toBe(second.id);
});
