import crypto from 'node:crypto';
import { Router, type Request } from 'express';
import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy } from '@temporalio/client';
import type { Prisma } from '../generated/prisma/client';
import { referenceFor } from '../lib/reference';
import { workflowIdFor } from '../lib/temporal';
import { complaintWorkflow } from '../workflows';
import * as m from '../workflows/messages';
import { SEVERITIES, statusQuery } from '../workflows/messages';
import { availableActions } from '../workflows/permissions';
import { atRiskIds, deadlineFacts } from '../reports/backlog';
import { effectiveSeverity, flagColumns } from '../workflows/policy';
import { startSearchAttributes } from '../workflows/search-attributes';
import type { AppDeps } from './app';
import { ANY_ROLE, requireRole, STAFF_ROLES } from './auth';
import { activeStaff, knownDepartment } from './directory';
import { ApiError, validationError } from './errors';
import { visibleTo } from './scope';
import { withTexts } from './texts';
import { claim, complete, idempotencyKey, release } from './idempotency';
import { complaintCorrection, complaintListQuery, newComplaintSchema, parseId, QUEUES, type NewComplaint } from './schemas';
import { config } from '../lib/config';
import { detectLanguage } from '../lib/language';

const START_DEADLINE_MS = 5000;


export function complaintRoutes(deps: AppDeps): Router {
  const { db, temporal } = deps;
  const router = Router();

  router.post('/complaints', requireRole(STAFF_ROLES, 'registering a complaint'), async (req, res) => {
    const key = idempotencyKey(req);
    const parsed = newComplaintSchema.safeParse(req.body);
    if (!parsed.success) throw validationError(parsed.error);
    const actorId = req.staff!.id;
    if (key) {
      const replay = await claim(db, actorId, key, parsed.data);
      if (replay) return void res.status(replay.status).set('Idempotent-Replayed', 'true').json(replay.body);
    }
    let answer: Awaited<ReturnType<typeof registerComplaint>>;
    try {
      answer = await registerComplaint(deps, parsed.data, { actorId, requestId: req.requestId });
    } catch (err) {
      if (key) await release(db, actorId, key); // nothing was registered: a retry may try again
      throw err;
    }
    if (key) await complete(db, actorId, key, { status: 201, body: answer });
    res.locals.auditTarget = String(answer.id);
    res.status(201).location(`/complaints/${answer.id}`).json(answer);
  });

  router.get('/complaints', requireRole(ANY_ROLE), async (req, res) => {
    const q = complaintListQuery.safeParse(req.query);
    if (!q.success) throw validationError(q.error);
    const f = q.data;
    const now = new Date();
    const where: Prisma.ComplaintWhereInput = {
      stage: f.stage, severity: f.severity, category: f.category, department: f.department, ownerId: f.ownerId, channel: f.channel,
      createdAt: f.from || f.to ? { gte: f.from, lt: f.to } : undefined,
      description: f.q ? { contains: f.q.replace(/[\\%_]/g, '\\$&'), mode: 'insensitive' } : undefined, // % and _ are text here
      ...(f.overdue === undefined ? {} : f.overdue ? { OR: overdue(now) } : { NOT: { OR: overdue(now) } }),
    };
    const [field, dir] = f.sort.startsWith('-') ? [f.sort.slice(1), 'desc' as const] : [f.sort, 'asc' as const];
    const cursor = f.cursor ? decodeCursor(f.cursor) : undefined;
    const rows = await db.complaint.findMany({
      where: { AND: [visibleTo(req.staff!), where, f.queue ? await queueWhere(db, f.queue, req.staff!, now) : {}] }, take: f.limit + 1, orderBy: [{ [field]: dir }, { id: dir }],
      ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
      select: {
        id: true, reference: true, stage: true, severity: true, priority: true, category: true, department: true, ownerId: true,
        channel: true, product: true, customerName: true, createdAt: true, triageDueAt: true, resolutionDueAt: true, outcome: true,
        owner: { select: { name: true } },
      },
    });
    const page = rows.slice(0, f.limit);
    // Each open complaint's next deadline, its warning point, breach and escalation level (as the backlog report sees them).
    const facts = new Map((await deadlineFacts(db, page.map((r) => r.id), now)).map((d) => [d.id, d]));
    const items = page.map(({ owner, ...r }) => {
      const d = facts.get(r.id);
      return {
        ...r, ownerName: owner?.name ?? null,
        nextDeadline: d?.dueAt ? { clock: d.clock, dueAt: d.dueAt, warnAt: d.warnAt } : null,
        atRisk: d?.atRisk ?? false, breached: !!d?.breachedClocks, escalationLevel: d?.escalationLevel ?? 0,
      };
    });
    res.json({ items, nextCursor: rows.length > f.limit ? encodeCursor(page[page.length - 1].id) : null });
  });

  router.get('/complaints/:id', requireRole(ANY_ROLE), async (req, res) => {
    const complaint = await db.complaint.findFirst({ where: { id: complaintId(req), ...visibleTo(req.staff!) } });
    if (!complaint) throw new ApiError(404, 'not_found', `No complaint with id ${req.params.id}`);
    const workflow = await workflowView(temporal, workflowIdFor(complaint.id));
    res.json({ ...complaint, workflow, availableActions: await actionsFor(db, complaint, workflow.state, req.staff!) });
  });

  // Staff correct what the customer's letters are written in: the language (detected ones may be wrong) and time zone.
  router.patch('/complaints/:id', requireRole(STAFF_ROLES, 'correcting a complaint'), async (req, res) => {
    const id = complaintId(req);
    const parsed = complaintCorrection.safeParse(req.body ?? {});
    if (!parsed.success) throw validationError(parsed.error);
    if (!(await db.complaint.findFirst({ where: { id, ...visibleTo(req.staff!) }, select: { id: true } }))) throw new ApiError(404, 'not_found', `No complaint with id ${id}`);
    res.json(await db.complaint.update({ where: { id }, data: parsed.data, select: { id: true, reference: true, language: true, timeZone: true } }));
  });

  // Every email the complaint sent or is sending, with its text: what the customer (and staff) were told.
  router.get('/complaints/:id/emails', requireRole(ANY_ROLE), async (req, res) => {
    const id = complaintId(req);
    if (!(await db.complaint.findFirst({ where: { id, ...visibleTo(req.staff!) }, select: { id: true } }))) throw new ApiError(404, 'not_found', `No complaint with id ${id}`);
    res.json(await db.emailMessage.findMany({
      where: { complaintId: id }, orderBy: { id: 'asc' },
      select: { id: true, kind: true, recipient: true, subject: true, textBody: true, status: true, createdAt: true, sentAt: true },
    }));
  });

  router.get('/complaints/:id/timeline', requireRole(ANY_ROLE), async (req, res) => {
    const id = complaintId(req);
    if (!(await db.complaint.findFirst({ where: { id, ...visibleTo(req.staff!) }, select: { id: true } }))) throw new ApiError(404, 'not_found', `No complaint with id ${id}`);
    // In the workflow's order of steps: two steps recorded side by side may commit in either order.
    const events = await db.complaintEvent.findMany({
      where: { complaintId: id }, orderBy: [{ step: 'asc' }, { id: 'asc' }], include: { actor: { select: { id: true, name: true, role: true } } },
    });
    res.json(await withTexts(db, id, events.map((e) => ({ at: e.at, type: e.type, actor: e.actor, data: e.data }))));
  });

  return router;
}

/**
 * Stores the complaint and starts its workflow; without a workflow nobody would handle it, so both or
 * neither. Staff registration and the customer's own form (no staff actor) both come here. Without a
 * language, the description's is taken (lib/language.ts); without a time zone, DEFAULT_TIME_ZONE.
 */
export async function registerComplaint({ db, temporal, taskQueue }: AppDeps, body: NewComplaint, by: { actorId: number | null; requestId: string; via?: string }) {
  const { flags = [], ...input } = body;
  await knownDepartment(db, input.department);
  if (input.ownerId) await activeStaff(db, input.ownerId, 'ownerId');
  const regulation = await regulationFor(db, input);
  const { receivedAt, language: given, timeZone, ...fields } = input;
  const language = given ? { language: given, detected: false } : detectLanguage(input.description);
  const complaint = await db.$transaction(async (tx) => {
    const row = await tx.complaint.create({
      data: {
        ...fields, ...(receivedAt ? { createdAt: receivedAt } : {}), reference: `pending-${crypto.randomUUID()}`, occurredOn: new Date(`${input.occurredOn}T00:00:00Z`),
        language: language.language, timeZone: timeZone ?? config().DEFAULT_TIME_ZONE, ...flagColumns(flags), regulation,
      },
    });
    await tx.complaintEvent.create({
      data: {
        complaintId: row.id, eventKey: 'received', type: 'received', actorId: by.actorId,
        data: { channel: input.channel, requestId: by.requestId, language: language.language, ...(given ? {} : { languageDetected: language.detected }), ...(by.via ? { via: by.via } : {}) },
      },
    });
    return tx.complaint.update({ where: { id: row.id }, data: { reference: referenceFor(row.id) } });
  }, { maxWait: 10_000 }); // a burst queues for a connection rather than failing after Prisma's default 2 s

  const workflowId = workflowIdFor(complaint.id);
  try {
    await temporal.connection.withDeadline(Date.now() + START_DEADLINE_MS, () =>
      temporal.workflow.start(complaintWorkflow, {
        taskQueue, workflowId, args: [{ complaintId: complaint.id, receivedAt: complaint.createdAt.getTime() }],
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        // Findable from the first moment, even before a worker has run it.
        typedSearchAttributes: startSearchAttributes({
          stage: complaint.stage, severity: effectiveSeverity((input.severity ?? 'minor'), flags), department: complaint.department,
          ownerId: complaint.ownerId, breached: false,
        }),
      }),
    );
  } catch (err: any) {
    const taken = err instanceof WorkflowExecutionAlreadyStartedError;
    // Should the start have reached the server after all, end that workflow too (it would find no row).
    // A workflow that was already there is not this request's: it is left alone.
    if (!taken) {
      await temporal.connection
        .withDeadline(Date.now() + 2000, () => temporal.workflow.getHandle(workflowId).terminate('registration rolled back'))
        .catch(() => undefined);
    }
    await db.$transaction([
      db.complaintEvent.deleteMany({ where: { complaintId: complaint.id } }),
      db.complaint.delete({ where: { id: complaint.id } }),
    ]);
    if (taken) {
      throw new ApiError(503, 'workflow_id_taken', `The complaint was not registered: Temporal already has a workflow ${workflowId}, so this database and the Temporal server's data do not belong together (was one of them reset?). Nothing was stored.`);
    }
    throw new ApiError(503, 'workflow_unavailable', `The complaint was not registered: Temporal did not accept its workflow (${err?.message ?? err}). Nothing was stored; please retry.`);
  }
  return { id: complaint.id, reference: complaint.reference, status: complaint.stage, workflowId };
}

/**
 * The regulatory profile a new complaint is held to: the one named, or the first (by code) whose product
 * groups hold its product group or whose channels hold its channel, or none.
 */
async function regulationFor(db: AppDeps['db'], input: Pick<NewComplaint, 'regulation' | 'productGroup' | 'channel'>): Promise<string | null> {
  if (input.regulation) {
    if (!(await db.regulatoryProfile.findUnique({ where: { code: input.regulation }, select: { code: true } }))) {
      const known = (await db.regulatoryProfile.findMany({ select: { code: true }, orderBy: { code: 'asc' } })).map((p) => p.code);
      throw new ApiError(400, 'validation_failed', `regulation: no regulatory profile ${input.regulation} (known: ${known.join(', ') || 'none configured'})`, { regulation: 'is not a known regulatory profile' });
    }
    return input.regulation;
  }
  const match = await db.regulatoryProfile.findFirst({
    where: { OR: [...(input.productGroup ? [{ productGroups: { has: input.productGroup } }] : []), { channels: { has: input.channel } }] },
    orderBy: { code: 'asc' }, select: { code: true },
  });
  return match?.code ?? null;
}

const complaintId = (req: Request) => parseId(String(req.params.id), 'id', 'complaint');

const WORKING_STAGES = ['received', 'triage', 'investigation', 'waiting_on_customer', 'resolution_proposed'];

/** Which complaints a work queue holds for this staff member (see QUEUES in schemas.ts). */
async function queueWhere(db: AppDeps['db'], queue: keyof typeof QUEUES, staff: m.Actor, now: Date): Promise<Prisma.ComplaintWhereInput> {
  switch (queue) {
    case 'mine': return { ownerId: staff.id, stage: { in: WORKING_STAGES } };
    case 'triage': return { stage: { in: ['received', 'triage'] }, ...(staff.department ? { OR: [{ department: staff.department }, { department: null }] } : {}) };
    case 'at_risk': return { id: { in: await atRiskIds(db, now) }, stage: { in: WORKING_STAGES } };
    case 'waiting': return { stage: 'waiting_on_customer' };
    case 'sign_off': {
      const severities = SEVERITIES.filter((sv) => availableActions({ stage: 'resolution_proposed', severity: sv }, staff).includes('sign-off'));
      // Four eyes: not the resolutions this staff member proposed (the latest proposal counts).
      const mine = await db.$queryRaw<{ id: number }[]>`
        SELECT c.id FROM complaints c
        CROSS JOIN LATERAL (SELECT e.actor_id FROM complaint_events e WHERE e.complaint_id = c.id AND e.type = 'resolution_proposed'
                            ORDER BY e.step DESC, e.id DESC LIMIT 1) p
        WHERE c.stage = 'resolution_proposed' AND p.actor_id = ${staff.id}`;
      return { stage: 'resolution_proposed', severity: { in: severities }, id: { notIn: mine.map((r) => r.id) } };
    }
  }
}

/** The actions the staff member may take now, from the workflow's live state (or the row when the worker is away). */
async function actionsFor(db: AppDeps['db'], row: { id: number; stage: string; severity: string | null }, state: unknown, staff: m.Actor) {
  const live = state as m.ComplaintStatus | undefined;
  const stage = (live?.stage ?? row.stage) as m.Stage;
  const severity = (live?.severity ?? row.severity ?? 'minor') as m.Severity;
  let proposedBy: number | null = null;
  if (stage === 'resolution_proposed') {
    const proposal = await db.complaintEvent.findFirst({ where: { complaintId: row.id, type: 'resolution_proposed' }, orderBy: [{ step: 'desc' }, { id: 'desc' }], select: { actorId: true } });
    proposedBy = proposal?.actorId ?? null;
  }
  const triaged = live ? live.valid !== undefined : row.stage !== 'received' && row.stage !== 'triage';
  return availableActions({ stage, severity, proposedBy, triaged }, staff);
}

/** Open and past a deadline it has not met: untriaged past triage, or unresolved past resolution. */
function overdue(now: Date): Prisma.ComplaintWhereInput[] {
  return [
    { stage: { in: ['received', 'triage'] }, triageDueAt: { lt: now } },
    { stage: { in: ['investigation', 'waiting_on_customer', 'resolution_proposed'] }, resolutionDueAt: { lt: now } },
  ];
}

const encodeCursor = (id: number) => Buffer.from(JSON.stringify({ id })).toString('base64url');
function decodeCursor(cursor: string): number {
  try {
    const { id } = JSON.parse(Buffer.from(cursor, 'base64url').toString());
    if (Number.isInteger(id) && id > 0) return id;
  } catch { /* falls through */ }
  throw new ApiError(400, 'validation_failed', 'cursor: is not a cursor this API gave out', { cursor: 'is not valid' });
}

async function workflowView(temporal: AppDeps['temporal'], workflowId: string) {
  const handle = temporal.workflow.getHandle(workflowId);
  try {
    const description = await handle.describe();
    const view: Record<string, unknown> = { workflowId, runStatus: description.status.name };
    try {
      // A query needs a worker; do not let a stopped worker hang the request.
      view.state = await temporal.connection.withDeadline(Date.now() + 3000, () => handle.query(statusQuery));
    } catch (e: any) {
      view.stateError = `live state unavailable: ${e?.message ?? e}`;
    }
    return view;
  } catch (e: any) {
    return { workflowId, error: `workflow not reachable: ${e?.message ?? e}` };
  }
}
