import type { Flag, SurveyAnswer, TextId } from '../workflows/messages';
import { readTexts } from '../lib/texts';
import { flagColumns } from '../workflows/policy';
import { log } from '../lib/log';
import type { ActivityDeps } from './deps';

/**
 * The complaint's columns that its workflow owns, as the workflow knows them after a step. Every step
 * writes all of them, so the newest step's write is the whole truth and an older one can be dropped.
 * Instants are ms since the epoch; free text is the id of its complaint_texts row.
 */
export interface ComplaintRow {
  stage: string;
  outcome: string | null;
  valid: boolean | null;
  rejectionReasonTextId: TextId | null;
  category: string | null;
  severity: string;
  department: string | null;
  ownerId: number | null;
  flags: Flag[];
  priority: string;
  rootCause: string | null;
  rootCauseDetailTextId: TextId | null;
  reportTextId: TextId | null;
  resolutionCode: string | null;
  resolutionSummaryTextId: TextId | null;
  remedy: string | null;
  signedOffById: number | null;
  signedOffAt: number | null;
  reopenCount: number;
  acknowledgedAt: number | null;
  resolvedAt: number | null;
  withdrawnAt: number | null;
  closedAt: number | null;
  triageDueAt: number | null;
  firstResponseDueAt: number | null;
  resolutionDueAt: number | null;
  /** For the regulators' returns (absent in workflows started before them: the columns are then left alone). */
  upheld?: boolean | null;
  redressAmount?: number | null;
  summaryResolution?: boolean;
}

export interface StepInput {
  complaintId: number;
  /** The workflow's step number: unique per complaint, increasing in the order the workflow took the steps. */
  step: number;
  type: string;
  /** The workflow's time of the step (kept as data.decidedAt; the row's `at` is when it is written). */
  at: number;
  actorId?: number;
  /** Ids and codes only (a text is named by its textId). */
  data?: Record<string, unknown>;
  row: ComplaintRow;
}

const date = (ms: number | null) => (ms === null ? null : new Date(ms));

export function eventActivities({ db }: ActivityDeps) {
  return {
    /**
     * Records one step: its event (once, however often retried) and the complaint's columns as of that
     * step, unless a later step has already written them.
     */
    async recordStep(e: StepInput): Promise<void> {
      const r = e.row;
      const texts = await readTexts(db, e.complaintId, [r.rejectionReasonTextId, r.rootCauseDetailTextId, r.reportTextId, r.resolutionSummaryTextId]);
      const text = (id: TextId | null) => (id === null ? null : texts.get(id) ?? null);
      await db.$transaction([
        db.complaintEvent.createMany({
          data: [{
            // `at` is when the step is written (a reviewed period gains no events afterwards); the workflow's
            // own instant of the decision, which its clocks use, is kept beside it.
            complaintId: e.complaintId, eventKey: `${e.step}:${e.type}`, step: e.step, type: e.type, actorId: e.actorId,
            data: { ...(e.data ?? {}), decidedAt: new Date(e.at).toISOString() } as object,
          }],
          skipDuplicates: true, // a retry of a step already recorded
        }),
        db.complaint.updateMany({
          where: { id: e.complaintId, workflowStep: { lt: e.step } },
          data: {
            workflowStep: e.step, stage: r.stage, outcome: r.outcome, valid: r.valid, rejectionReason: text(r.rejectionReasonTextId),
            category: r.category, severity: r.severity, department: r.department, ownerId: r.ownerId, ...flagColumns(r.flags),
            priority: r.priority, rootCause: r.rootCause, rootCauseDetail: text(r.rootCauseDetailTextId), report: text(r.reportTextId),
            resolutionCode: r.resolutionCode, resolutionSummary: text(r.resolutionSummaryTextId), remedy: r.remedy,
            signedOffById: r.signedOffById, signedOffAt: date(r.signedOffAt), reopenCount: r.reopenCount,
            acknowledgedAt: date(r.acknowledgedAt), resolvedAt: date(r.resolvedAt), withdrawnAt: date(r.withdrawnAt),
            closedAt: date(r.closedAt), triageDueAt: date(r.triageDueAt), firstResponseDueAt: date(r.firstResponseDueAt),
            resolutionDueAt: date(r.resolutionDueAt), upheld: r.upheld, redressAmount: r.redressAmount, summaryResolution: r.summaryResolution,
          },
        }),
      ]);
      log('info', 'step recorded', { complaintId: e.complaintId, step: e.step, type: e.type, actorId: e.actorId, requestId: e.data?.requestId });
    },

    async recordSurveyAnswer(complaintId: number, answer: SurveyAnswer): Promise<void> {
      const comment = (await readTexts(db, complaintId, [answer.commentTextId])).get(answer.commentTextId!);
      await db.surveyResponse.upsert({
        where: { complaintId_round: { complaintId, round: answer.round } },
        update: {},
        create: { complaintId, round: answer.round, score: answer.score, resolved: answer.resolved, comment },
      });
    },
  };
}
