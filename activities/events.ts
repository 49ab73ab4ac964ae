import type { Complaint } from '../generated/prisma/client';
import type { SurveyAnswer } from '../workflows/messages';
import { log } from '../lib/log';
import type { ActivityDeps } from './deps';

export interface EventInput {
  complaintId: number;
  /** Unique per complaint: recording the same key twice keeps the first. */
  key: string;
  type: string;
  actorId?: number;
  data?: Record<string, unknown>;
  /** The complaint's columns this step changes (stage, timestamps, staff's findings; never customer data). */
  set?: ComplaintChanges;
}

export type ComplaintChanges = Partial<Pick<Complaint,
  | 'stage' | 'acknowledgedAt' | 'closedAt' | 'resolvedAt' | 'outcome' | 'valid' | 'rejectionReason' | 'category'
  | 'severity' | 'department' | 'ownerId' | 'flagLegal' | 'flagSafety' | 'flagFinancial' | 'priority' | 'rootCause'
  | 'rootCauseDetail' | 'report' | 'resolutionCode' | 'resolutionSummary' | 'remedy' | 'signedOffById'
  | 'signedOffAt' | 'reopenCount' | 'triageDueAt' | 'firstResponseDueAt' | 'resolutionDueAt'>>;

export function eventActivities({ db }: ActivityDeps) {
  return {
    /** Records one step of the process, and the complaint columns it changes, in one transaction. */
    async recordEvent(e: EventInput): Promise<void> {
      await db.$transaction(async (tx) => {
        const existing = await tx.complaintEvent.findUnique({
          where: { complaintId_eventKey: { complaintId: e.complaintId, eventKey: e.key } },
        });
        if (existing) return; // a retry of a step already recorded
        await tx.complaintEvent.create({
          data: { complaintId: e.complaintId, eventKey: e.key, type: e.type, actorId: e.actorId, data: (e.data ?? {}) as object },
        });
        if (e.set) await tx.complaint.update({ where: { id: e.complaintId }, data: e.set });
      });
      log('info', 'event recorded', { complaintId: e.complaintId, type: e.type, actorId: e.actorId, requestId: e.data?.requestId });
    },

    async recordSurveyAnswer(complaintId: number, answer: SurveyAnswer): Promise<void> {
      await db.surveyResponse.upsert({
        where: { complaintId_round: { complaintId, round: answer.round } },
        update: {},
        create: { complaintId, round: answer.round, score: answer.score, resolved: answer.resolved, comment: answer.comment },
      });
    },
  };
}
