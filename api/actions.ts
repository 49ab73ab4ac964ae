import { Router, type Request } from 'express';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, isGrpcServiceError, type Client } from '@temporalio/client';
import { ApplicationFailure, type UpdateDefinition } from '@temporalio/common';
import type { z } from 'zod';
import { workflowIdFor } from '../lib/temporal';
import * as m from '../workflows/messages';
import type { AppDeps } from './app';
import { activeStaff } from './directory';
import { actorOf, requireRole, SIGN_OFF_ROLES, STAFF_ROLES, TRIAGE_ROLES } from './auth';
import { ApiError, validationError } from './errors';
import { actionSchemas, parseId, type ActionName } from './schemas';

// Staff actions on one complaint: POST /complaints/:id/<action>. Each validates its body and sends one
// update, in the name of the authenticated staff member, to the complaint's workflow, whose validator
// decides; its refusal comes back as 409 (wrong moment), 422 (wrong value) or 403 (wrong role).

export function actionRoutes(deps: AppDeps): Router {
  const router = Router();
  const { db } = deps;

  function action<N extends ActionName, A>(
    name: N, roles: m.Role[], update: UpdateDefinition<m.ComplaintStatus, [A]>,
    toInput: (body: z.infer<(typeof actionSchemas)[N]>, actor: m.Actor) => Promise<A> | A,
  ) {
    router.post(`/complaints/:id/${name}`, requireRole(roles, name), async (req, res) => {
      const id = await existingComplaint(req);
      const parsed = actionSchemas[name].safeParse(req.body ?? {});
      if (!parsed.success) throw validationError(parsed.error);
      const input = await toInput(parsed.data as z.infer<(typeof actionSchemas)[N]>, actorOf(req));
      res.json(await runUpdate(deps.temporal, workflowIdFor(id), update, input));
    });
  }

  async function existingComplaint(req: Request): Promise<number> {
    const id = parseId(String(req.params.id), 'id', 'complaint');
    if (!(await db.complaint.findUnique({ where: { id }, select: { id: true } }))) throw new ApiError(404, 'not_found', `No complaint with id ${id}`);
    return id;
  }

  action('triage', TRIAGE_ROLES, m.triageUpdate, async (b, actor) => ({
    actor, valid: b.valid, rejectionReason: b.rejectionReason, category: b.category, severity: b.severity,
    department: b.department, flags: b.flags, owner: b.ownerId ? await activeStaff(db, b.ownerId, 'ownerId') : undefined,
  }));
  action('reclassify', TRIAGE_ROLES, m.reclassifyUpdate, async (b, actor) => ({
    actor, severity: b.severity, flags: b.flags, reason: b.reason, owner: b.ownerId ? await activeStaff(db, b.ownerId, 'ownerId') : undefined,
  }));
  action('notes', STAFF_ROLES, m.addNoteUpdate, (b, actor) => ({ actor, text: b.text }));
  action('root-cause', STAFF_ROLES, m.recordRootCauseUpdate, (b, actor) => ({ actor, rootCause: b.rootCause, detail: b.detail }));
  action('report', STAFF_ROLES, m.submitReportUpdate, (b, actor) => ({ actor, report: b.report }));
  action('customer-requests', STAFF_ROLES, m.requestCustomerInfoUpdate, (b, actor) => ({ actor, question: b.question }));
  action('customer-replies', STAFF_ROLES, m.recordCustomerReplyUpdate, (b, actor) => ({ actor, reply: b.reply }));
  action('responses', STAFF_ROLES, m.respondUpdate, (b, actor) => ({ actor, message: b.message }));
  action('resolution', STAFF_ROLES, m.proposeResolutionUpdate, (b, actor) => ({
    actor, resolutionCode: b.resolutionCode, summary: b.summary, remedy: b.remedy, refundAmount: b.refundAmount,
  }));
  action('sign-off', SIGN_OFF_ROLES, m.signOffUpdate, (b, actor) => ({ actor, approve: b.approve, comment: b.comment }));
  action('withdrawal', STAFF_ROLES, m.withdrawUpdate, (b, actor) => ({ actor, reason: b.reason }));

  return router;
}

const UPDATE_DEADLINE_MS = 15_000;
const GRPC_DEADLINE_EXCEEDED = 4;
const REFUSAL_STATUS: Record<string, [number, string]> = {
  [m.REFUSAL.state]: [409, 'invalid_state'],
  [m.REFUSAL.input]: [422, 'invalid_value'],
  [m.REFUSAL.forbidden]: [403, 'forbidden'],
  [m.REFUSAL.answered]: [410, 'survey_answered'],
};

/** Sends one update and maps the workflow's refusal to an HTTP answer. */
export async function runUpdate<A>(temporal: Client, workflowId: string, update: UpdateDefinition<m.ComplaintStatus, [A]>, input: A) {
  const handle = temporal.workflow.getHandle(workflowId);
  try {
    return await temporal.connection.withDeadline(Date.now() + UPDATE_DEADLINE_MS, () => handle.executeUpdate(update, { args: [input] }));
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
      const [status, code] = REFUSAL_STATUS[err.cause.type ?? ''] ?? [409, 'refused'];
      throw new ApiError(status, code, err.cause.message);
    }
    if (err instanceof WorkflowNotFoundError) throw new ApiError(409, 'closed', 'The complaint is closed: its process has ended');
    if (isGrpcServiceError(err) && err.code === GRPC_DEADLINE_EXCEEDED) {
      throw new ApiError(503, 'worker_unavailable', 'The complaint process did not answer in time (is the worker running?); nothing was changed');
    }
    throw err;
  }
}
