import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { temporalCliPath } from '../scripts/stack';
import { must } from './support/actions';
import { complaintBody } from './support/complaints';
import { createOrganisation, relaxedSla, setSla, type Organisation } from './support/organisation';
import { eventually, postJson, startServices, type TestServices } from './support/services';

// Complaints are findable in the Temporal UI and with the CLI by stage, severity, department, owner
// and breach: the workflow keeps its search attributes current as the complaint moves.

let s: TestServices;
let org: Organisation;
beforeAll(async () => {
  s = await startServices('findable');
  org = await createOrganisation(s.db, 'findable');
  await relaxedSla(s.db);
});
afterAll(async () => { await s?.close(); });

/** Workflow ids that `temporal workflow list --query` finds, as an operator would run it. */
async function list(query: string): Promise<string[]> {
  const { stdout } = await promisify(execFile)(temporalCliPath(), [
    'workflow', 'list', '--address', process.env.TEMPORAL_ADDRESS!, '--query', query, '--output', 'json',
  ]);
  const rows = stdout.trim() ? JSON.parse(stdout) : [];
  return (rows as { execution: { workflowId: string } }[]).map((r) => r.execution.workflowId).sort();
}

test('temporal workflow list --query finds complaints by stage, severity, department, owner and breach', async () => {
  await setSla(s.db, 'critical', { triage: 2, firstResponse: 600, resolution: 600, reescalate: 600 });
  const file = async (extra: Record<string, unknown>) => (await postJson(`${s.api}/complaints`, complaintBody({ department: org.department, ...extra }), s.auth)).body.id as number;
  const late = await file({ severity: 'critical' }); // nobody triages it: breached after 2 s
  const handled = await file({});
  await must(s.api, org.supervisor, handled, 'triage', {
    valid: true, category: 'billing', severity: 'major', department: org.department, ownerId: org.manager.id,
  });
  const [lateId, handledId] = [`complaint-${late}`, `complaint-${handled}`];
  const dept = `ComplaintDepartment = '${org.department}'`;

  await eventually('the breached critical complaint', async () =>
    (await list(`${dept} AND ComplaintSeverity = 'critical' AND ComplaintBreached = true`)).join() === lateId, 20_000);
  expect(await list(`${dept} AND ComplaintStage = 'investigation'`)).toEqual([handledId]);
  expect(await list(`${dept} AND ComplaintSeverity = 'major'`)).toEqual([handledId]);
  expect(await list(`${dept} AND ComplaintOwner = ${org.manager.id}`)).toEqual([handledId]);
  expect(await list(`${dept} AND ComplaintStage = 'triage'`)).toEqual([lateId]);
  expect(await list(`${dept} AND ComplaintBreached = false`)).toEqual([handledId]);
  expect(await list(`${dept} AND ExecutionStatus = 'Running'`)).toEqual([handledId, lateId].sort());
});
