import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { temporal as proto } from '@temporalio/proto';
import { temporalCliPath } from '../scripts/stack';
import { act, must } from './support/actions';
import { complaintBody } from './support/complaints';
import { waitForMail } from './support/mail';
import { createOrganisation, relaxedSla, type Organisation } from './support/organisation';
import { eventually, getJson, postJson, startServices, type TestServices } from './support/services';

// What a complaint leaves in Temporal: a history that stays small however much staff write (bounded
// update answers, a limit on optional actions), and none of the words staff or customers wrote.

let s: TestServices;
let org: Organisation;
beforeAll(async () => {
  s = await startServices('history', {
    MAX_ACTIONS_PER_COMPLAINT: '501', SURVEY_DELAY: '1s', SURVEY_REMINDER_AFTER: '20s', SURVEY_WINDOW: '40s',
  });
  org = await createOrganisation(s.db, 'history');
  await relaxedSla(s.db);
});
afterAll(async () => { await s?.close(); });

const surveyLink = (text: string) => /\/survey\/([A-Za-z0-9_-]+)/.exec(text)![1];
const handle = (id: number) => s.temporal.workflow.getHandle(`complaint-${id}`);

async function file() {
  const body = complaintBody({ department: org.department });
  const res = await postJson(`${s.api}/complaints`, body, s.auth);
  expect(res.status).toBe(201);
  return { id: res.body.id as number, customer: body.customerEmail as string };
}

/** Root cause, resolution, sign-off, and a satisfied survey answer: the complaint closes. */
async function finish(id: number, customer: string, texts: { detail?: string; summary?: string; signOff?: string; survey?: string } = {}) {
  await must(s.api, org.agent, id, 'root-cause', { rootCause: 'process_failure', detail: texts.detail });
  await must(s.api, org.agent, id, 'resolution', { resolutionCode: 'apology_given', summary: texts.summary ?? 'We apologised.', remedy: 'apology' });
  expect((await must(s.api, org.supervisor, id, 'sign-off', { approve: true, comment: texts.signOff })).stage).toBe('resolved');
  const [survey] = await waitForMail(customer, { filter: (m) => m.subject.toLowerCase().includes('survey') || m.text.includes('/survey/') });
  const answered = await postJson(`${s.api}/survey/${surveyLink(survey.text)}`, { score: 5, resolved: true, comment: texts.survey });
  expect(answered.status).toBe(200);
  await handle(id).result();
  expect((await s.db.complaint.findUniqueOrThrow({ where: { id } })).outcome).toBe('resolved');
}

const triage = { valid: true, category: 'service', severity: 'minor', ownerId: 0, department: '' };

test('a complaint with 500 notes keeps a small history, refuses the next optional action, and still completes its life', async () => {
  const { id, customer } = await file();
  await must(s.api, org.supervisor, id, 'triage', { ...triage, department: org.department, ownerId: org.supervisor.id });
  for (let batch = 0; batch < 100; batch++) {
    const notes = await Promise.all([1, 2, 3, 4, 5].map((k) => act(s.api, org.agent, id, 'notes', { text: `Call ${batch * 5 + k}: the customer rang again.` })));
    expect(notes.map((n) => n.status)).toEqual([200, 200, 200, 200, 200]);
  }
  // 501 actions taken (triage and 500 notes): the policy's limit for optional ones.
  const refused = await act(s.api, org.agent, id, 'notes', { text: 'One more.' });
  expect([refused.status, refused.body.error.code]).toEqual([409, 'limit_reached']);
  expect(refused.body.error.message).toMatch(/limit of 501 actions/);
  expect(await s.db.complaintEvent.count({ where: { complaintId: id, type: 'note_added' } })).toBe(500);
  expect(await s.db.complaintText.count({ where: { complaintId: id, kind: 'note' } })).toBe(500); // the refused note left nothing

  await finish(id, customer);
  const history = await handle(id).fetchHistory();
  const events = history.events?.length ?? 0;
  const bytes = proto.api.history.v1.History.encode(history).finish().length;
  console.log(`history of a complaint with 500 notes: ${events} events, ${(bytes / 1024).toFixed(0)} kB`);
  // Temporal's limits: 51,200 events and 50 MB per history; 2,000 updates per workflow.
  expect(events).toBeLessThan(5000);
  expect(bytes).toBeLessThan(2 * 1024 * 1024);
});

test("a finished complaint's Temporal history holds none of the words staff and the customer wrote", async () => {
  const { id, customer } = await file();
  const marker = (what: string) => `${what}-${Math.random().toString(36).slice(2, 10)}`;
  const words = {
    note: marker('note'), question: marker('question'), reply: marker('reply'), message: marker('message'), report: marker('report'),
    detail: marker('detail'), summary: marker('summary'), signOff: marker('signoff'), survey: marker('survey'),
  };
  await must(s.api, org.agent, id, 'notes', { text: `Customer said: ${words.note}` });
  await must(s.api, org.supervisor, id, 'triage', { ...triage, department: org.department, ownerId: org.supervisor.id });
  await must(s.api, org.agent, id, 'customer-requests', { question: `Which store? ${words.question}` });
  await must(s.api, org.agent, id, 'customer-replies', { reply: `The one on High Street ${words.reply}` });
  await must(s.api, org.agent, id, 'responses', { message: `We are on it ${words.message}` });
  await must(s.api, org.agent, id, 'report', { report: `Findings ${words.report}` });
  await finish(id, customer, { detail: words.detail, summary: words.summary, signOff: words.signOff, survey: words.survey });

  const { stdout } = await promisify(execFile)(temporalCliPath(), [
    'workflow', 'show', '--workflow-id', `complaint-${id}`, '--address', process.env.TEMPORAL_ADDRESS!, '--output', 'json',
  ], { maxBuffer: 64 * 1024 * 1024 });
  // The CLI prints payloads base64-encoded: decode every one, so that what is searched is what anyone can read.
  const decoded = [stdout, ...[...stdout.matchAll(/"data":\s*"([A-Za-z0-9+/=]+)"/g)].map((m) => Buffer.from(m[1], 'base64').toString('utf8'))].join('\n');
  expect(decoded).toContain('complaintWorkflow');
  expect(decoded).toContain('"textId"'); // the texts are there by id…
  expect(decoded).toContain(`"complaintId":${id}`);
  for (const word of Object.values(words)) expect(decoded).not.toContain(word); // …and nowhere in words
  expect(decoded).not.toContain(customer);

  // Staff still read every one of them on the complaint's timeline.
  const timeline = await getJson(`${s.api}/complaints/${id}/timeline`, org.supervisor.auth);
  const shown = JSON.stringify(timeline.body);
  for (const word of [words.note, words.question, words.reply, words.message, words.report, words.detail, words.summary, words.signOff, words.survey]) {
    expect(shown).toContain(word);
  }
  await eventually('the survey comment stored', async () => (await s.db.surveyResponse.findFirst({ where: { complaintId: id } }))?.comment === words.survey);
});
