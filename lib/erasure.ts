import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { Prisma } from '../generated/prisma/client';
import type { Db } from './db';
import { workflowIdFor } from './temporal';

// The customer's right to erasure: a closed complaint keeps its figures (dates, stages, severity,
// category, department, codes, scores, escalations, the types and times of its events) and loses
// everything that says who the customer is or what anyone wrote about the case. Temporal holds none of
// it (workflows carry ids and codes; text travels as a complaint_texts id), so PostgreSQL is the one
// place to erase.

/** What an erased text reads. */
export const ERASED = '[erased]';
/**
 * The `erased` event's step: the complaint's last workflow step plus this. A workflow numbers its steps
 * from 1 and never comes near a million, and a closed complaint takes no more, so it sorts last.
 */
export const ERASED_STEP_OFFSET = 1_000_000;

export type ErasureOutcome =
  | { erased: { id: number; reference: string; erasedAt: Date; alreadyErased: boolean } }
  | { refused: 'not_found' | 'not_closed' | 'still_running' | 'temporal_unavailable'; message: string };

/** Whether the complaint's workflow is still running (a closed complaint's last emails may still be leaving). */
async function stillRunning(temporal: Client, complaintId: number): Promise<boolean | 'unknown'> {
  try {
    const d = await temporal.connection.withDeadline(Date.now() + 5000, () => temporal.workflow.getHandle(workflowIdFor(complaintId)).describe());
    return d.status.name === 'RUNNING';
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false; // long finished (past Temporal's retention), or never started
    return 'unknown';
  }
}

/**
 * Erases complaint `id`'s personal data and free text; idempotent (a second call finds nothing left and
 * answers with the first erasure's time). Refuses a complaint that is not closed, and one whose workflow
 * has not finished yet (it may still send the department its closure summary).
 */
export async function eraseComplaint(
  { db, temporal }: { db: Db; temporal: Client }, id: number, by: { actorId: number; requestId?: string },
): Promise<ErasureOutcome> {
  const found = await db.complaint.findUnique({ where: { id }, select: { stage: true } });
  if (!found) return { refused: 'not_found', message: `No complaint with id ${id}` };
  if (found.stage !== 'closed') {
    return { refused: 'not_closed', message: `The complaint is in stage "${found.stage}": only a closed complaint is erased (withdraw or close it first)` };
  }
  const running = await stillRunning(temporal, id);
  if (running === 'unknown') return { refused: 'temporal_unavailable', message: 'Temporal did not answer, so it is unknown whether the complaint\'s process has finished; nothing was erased, try again' };
  if (running) return { refused: 'still_running', message: 'The complaint is closed but its process is still finishing (its last emails); nothing was erased, try again in a minute' };

  return db.$transaction(async (tx) => {
    // Locked: a second erasure at the same moment waits for this one and then finds it done.
    const [c] = await tx.$queryRaw<{ reference: string; customer_email: string; description: string; created_at: Date; workflow_step: number; erased_at: Date | null }[]>`
      SELECT reference, customer_email, description, created_at, workflow_step, erased_at FROM complaints WHERE id = ${id} FOR UPDATE`;
    const erasedAt = c.erased_at ?? new Date();
    const at = Prisma.sql`${erasedAt.toISOString()}::timestamp`; // the columns hold UTC (see reports/filters.ts)
    const keep = (column: string) => Prisma.sql`CASE WHEN ${Prisma.raw(column)} IS NULL THEN NULL ELSE ${ERASED} END`; // absent stays absent
    await tx.$executeRaw`UPDATE complaints SET customer_name = ${ERASED}, customer_email = ${ERASED}, description = ${ERASED},
      customer_phone = ${keep('customer_phone')}, customer_address = ${keep('customer_address')}, letter_text = ${keep('letter_text')},
      report = ${keep('report')}, root_cause_detail = ${keep('root_cause_detail')}, resolution_summary = ${keep('resolution_summary')},
      rejection_reason = ${keep('rejection_reason')}, erased_at = ${at}, updated_at = ${at} WHERE id = ${id}`;
    await tx.$executeRaw`UPDATE complaint_texts SET body = ${ERASED} WHERE complaint_id = ${id}`;
    await tx.$executeRaw`UPDATE status_links SET revoked_at = ${at} WHERE complaint_id = ${id} AND revoked_at IS NULL`; // the customer's page closes
    await tx.$executeRaw`UPDATE survey_responses SET comment = ${ERASED} WHERE complaint_id = ${id} AND comment IS NOT NULL`;
    await tx.$executeRaw`UPDATE email_messages SET recipient = ${ERASED}, subject = ${ERASED}, text_body = ${ERASED}, html_body = ${ERASED},
      error = ${keep('error')} WHERE complaint_id = ${id}`;
    // The audit trail keeps who did what to the complaint, when, and how it ended; not what they sent.
    // Every detail but the error code goes: bodies, queries, whatever the trail records about a request.
    const eraseDetail = Prisma.sql`detail = (SELECT coalesce(jsonb_object_agg(k, CASE WHEN k = 'error' OR v = 'null'::jsonb THEN v ELSE to_jsonb(${ERASED}::text) END), '{}'::jsonb)
      FROM jsonb_each(detail) AS d(k, v))`;
    await tx.$executeRaw`UPDATE audit_log SET ${eraseDetail} WHERE target_type = 'complaints' AND target_id = ${String(id)}`;
    if (!c.erased_at) {
      // A registration answered from its Idempotency-Key (or refused) names no complaint: found by its body, near the registration.
      const registered = Prisma.sql`${c.created_at.toISOString()}::timestamp`;
      await tx.$executeRaw`UPDATE audit_log SET ${eraseDetail}
        WHERE action = 'POST /complaints' AND target_id IS NULL AND at >= ${registered} - interval '1 day' AND at < ${registered} + interval '30 days'
          AND (detail->'body'->>'customerEmail' = ${c.customer_email} OR detail->'body'->>'description' = ${c.description})`;
    }
    await tx.complaintEvent.createMany({
      data: [{
        complaintId: id, eventKey: 'erased', step: c.workflow_step + ERASED_STEP_OFFSET, type: 'erased', actorId: by.actorId,
        at: erasedAt, data: by.requestId ? { requestId: by.requestId } : {},
      }],
      skipDuplicates: true, // erased before: the first erasure's event stands
    });
    return { erased: { id, reference: c.reference, erasedAt, alreadyErased: c.erased_at !== null } };
  }, { maxWait: 10_000, timeout: 60_000 });
}
