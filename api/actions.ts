import { Router, type Request } from 'express';
import {
  WorkflowNotFoundError, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError, WorkflowUpdateStage, type Client,
  type WorkflowUpdateHandle,
} from '@temporalio/client';
import { ApplicationFailure, type UpdateDefinition } from '@temporalio/common';
import type { z } from 'zod';
import { workflowIdFor } from '../lib/temporal';
import * as m from '../workflows/messages';
import type { AppDeps } from './app';
import { activeStaff } from './directory';
import { actorOf, requireRole } from './auth';
import { ACTION_RULES } from '../workflows/permissions';
import { ApiError, validationError } from './errors';
import { idempotencyKey } from './idempotency';
import { visibleTo } from './scope';
import { dropTexts, storeText } from './texts';
import { actionSchemas, parseId, type ActionName } from './schemas';

// Staff actions on one complaint: POST /complaints/:id/<action>. Each validates its body and sends one
// update, in the name of the authenticated staff member, to the complaint's workflow, whose validator
// decides; its refusal comes back as 409 (wrong moment), 422 (wrong value) or 403 (wrong role).

/** Actions on one complaint carried out at once by this API process (Temporal takes at most 10 per workflow). */
const MAX_OPEN_ACTIONS = 5;

export function actionRoutes(deps: AppDeps): Router {
  const router = Router();
  const open = new Map<number, number>();
  const { db } = deps;

  /** Stores the request's free text and gives the workflow its id (see api/texts.ts). */
  type Text = (kind: string, body: string | undefined) => Promise<number | undefined>;

  function action<N extends ActionName, A>(
    name: N, update: UpdateDefinition<m.ComplaintStatus, [A]>,
    toInput: (body: z.infer<(typeof actionSchemas)[N]>, actor: m.Actor, text: Text) => Promise<A> | A,
  ) {
    router.post(`/complaints/:id/${name}`, requireRole(ACTION_RULES[name].roles, name), async (req, res) => {
      const id = await existingComplaint(req);
      const parsed = actionSchemas[name].safeParse(req.body ?? {});
      if (!parsed.success) throw validationError(parsed.error);
      const actor = actorOf(req);
      const key = idempotencyKey(req);
      const updateId = key && `${name}:${actor.id}:${key}`;
      const stored: number[] = [];
      const text: Text = async (kind, body) => {
        if (body === undefined) return undefined;
        const textId = await storeText(db, { complaintId: id, kind, body, authorId: actor.id, requestKey: updateId && `${updateId}:${kind}` });
        stored.push(textId);
        return textId;
      };
      if ((open.get(id) ?? 0) >= MAX_OPEN_ACTIONS) {
        res.set('Retry-After', '1');
        throw new ApiError(429, 'too_many_open_actions', `${MAX_OPEN_ACTIONS} actions on this complaint are still being carried out; send this one again in a moment`);
      }
      open.set(id, (open.get(id) ?? 0) + 1);
      let outcome: UpdateOutcome;
      try {
        const input = await toInput(parsed.data as z.infer<(typeof actionSchemas)[N]>, actor, text);
        outcome = await runUpdate(deps.temporal, workflowIdFor(id), update, input, updateId);
      } catch (err) {
        if (err instanceof ApiError && err.status < 500) await dropTexts(db, stored); // refused: nothing stays behind
        throw err;
      } finally {
        if (open.get(id) === 1) open.delete(id);
        else open.set(id, open.get(id)! - 1);
      }
      if (outcome.done) res.json(outcome.status);
      else res.status(202).json({ accepted: true, updateId: outcome.updateId, message: `${name} accepted: it is on record and takes effect once the complaint's earlier steps are done` });
    });
  }

  /** The new owner named by `ownerId`, an active staff member (422 otherwise). */
  const ownerOf = async (ownerId?: number) => (ownerId ? activeStaff(db, ownerId, 'ownerId') : undefined);

  async function existingComplaint(req: Request): Promise<number> {
    const id = parseId(String(req.params.id), 'id', 'complaint');
    if (!(await db.complaint.findFirst({ where: { id, ...visibleTo(req.staff!) }, select: { id: true } }))) throw new ApiError(404, 'not_found', `No complaint with id ${id}`);
    return id;
  }

  action('triage', m.triageUpdate, async (b, actor, text) => ({
    actor, valid: b.valid, rejectionReasonTextId: await text('rejection_reason', b.rejectionReason), category: b.category,
    severity: b.severity, department: b.department, flags: b.flags, owner: await ownerOf(b.ownerId),
  }));
  action('reclassify', m.reclassifyUpdate, async (b, actor, text) => ({
    actor, severity: b.severity, flags: b.flags, reasonTextId: (await text('reclassification_reason', b.reason))!, owner: await ownerOf(b.ownerId),
  }));
  action('notes', m.addNoteUpdate, async (b, actor, text) => ({ actor, textId: (await text('note', b.text))! }));
  action('root-cause', m.recordRootCauseUpdate, async (b, actor, text) => ({
    actor, rootCause: b.rootCause, detailTextId: await text('root_cause_detail', b.detail),
  }));
  action('report', m.submitReportUpdate, async (b, actor, text) => ({ actor, textId: (await text('report', b.report))! }));
  action('customer-requests', m.requestCustomerInfoUpdate, async (b, actor, text) => ({ actor, textId: (await text('question', b.question))! }));
  action('customer-replies', m.recordCustomerReplyUpdate, async (b, actor, text) => ({ actor, textId: (await text('customer_reply', b.reply))! }));
  action('responses', m.respondUpdate, async (b, actor, text) => ({ actor, textId: (await text('message', b.message))! }));
  action('resolution', m.proposeResolutionUpdate, async (b, actor, text) => ({
    actor, resolutionCode: b.resolutionCode, summaryTextId: (await text('resolution_summary', b.summary))!, remedy: b.remedy, refundAmount: b.refundAmount,
    upheld: b.upheld, redressAmount: b.redressAmount,
  }));
  action('sign-off', m.signOffUpdate, async (b, actor, text) => ({ actor, approve: b.approve, commentTextId: await text('sign_off_comment', b.comment) }));
  action('withdrawal', m.withdrawUpdate, async (b, actor, text) => ({ actor, reasonTextId: (await text('withdrawal_reason', b.reason))! }));

  return router;
}

/** How long the workflow has to accept or refuse an action, and then to carry it out, before the API answers. */
const ACCEPT_DEADLINE_MS = 10_000;
const RESULT_DEADLINE_MS = 10_000;
const REFUSAL_STATUS: Record<string, [number, string]> = {
  [m.REFUSAL.state]: [409, 'invalid_state'],
  [m.REFUSAL.input]: [422, 'invalid_value'],
  [m.REFUSAL.forbidden]: [403, 'forbidden'],
  [m.REFUSAL.answered]: [410, 'survey_answered'],
  [m.REFUSAL.limit]: [409, 'limit_reached'],
};

/** Done: the complaint's view after the action. Accepted: on record in the workflow, to be carried out once its earlier steps finish. */
export type UpdateOutcome = { done: true; status: m.ComplaintStatus } | { done: false; updateId: string };

/** The call's deadline passed (the SDK reports it as its own error type for updates). */
const deadlineExceeded = (err: unknown) => err instanceof WorkflowUpdateRPCTimeoutOrCancelledError;

/**
 * Sends one update, maps the workflow's refusal to an HTTP answer, and tells a finished action from one only accepted.
 * With an `updateId`, Temporal carries the update out once however often it is sent; a repeat gets its outcome.
 */
export async function runUpdate<A>(
  temporal: Client, workflowId: string, update: UpdateDefinition<m.ComplaintStatus, [A]>, input: A, updateId?: string,
): Promise<UpdateOutcome> {
  const handle = temporal.workflow.getHandle(workflowId);
  const within = <T>(ms: number, fn: () => Promise<T>) => temporal.connection.withDeadline(Date.now() + ms, fn);
  let accepted: WorkflowUpdateHandle<m.ComplaintStatus>;
  try {
    accepted = await within(ACCEPT_DEADLINE_MS, () => handle.startUpdate(update, { args: [input], updateId, waitForStage: WorkflowUpdateStage.ACCEPTED }));
  } catch (err) {
    if (deadlineExceeded(err)) {
      throw new ApiError(503, 'worker_unavailable', 'The complaint process did not answer in time (is the worker running?); the action is not confirmed: check the complaint before sending it again');
    }
    throw refusal(err);
  }
  try {
    return { done: true, status: await within(RESULT_DEADLINE_MS, () => accepted.result()) };
  } catch (err) {
    // Accepted, and so on record in the workflow's history: it happens once the complaint's earlier steps
    // (an email the mail server is slow to take, say) are done.
    if (deadlineExceeded(err)) return { done: false, updateId: accepted.updateId };
    throw refusal(err);
  }
}

function refusal(err: unknown): unknown {
  // gRPC RESOURCE_EXHAUSTED: the workflow has as many updates in flight as Temporal allows.
  if ((err as { code?: number; cause?: { code?: number } })?.code === 8 || (err as { cause?: { code?: number } })?.cause?.code === 8) {
    return new ApiError(429, 'too_many_open_actions', 'Too many actions on this complaint are still being carried out; send this one again in a moment');
  }
  if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
    const [status, code] = REFUSAL_STATUS[err.cause.type ?? ''] ?? [409, 'refused'];
    return new ApiError(status, code, err.cause.message);
  }
  if (err instanceof WorkflowNotFoundError) return new ApiError(409, 'closed', 'The complaint is closed: its process has ended');
  return err;
}
