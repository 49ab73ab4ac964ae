import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';

// The periodic quality review, started by a Temporal Schedule (lib/review-schedule.ts): compile the
// figures of the period that just ended, then send them to the review's owner.

const { compileReview, sendReview } = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '5 seconds', maximumInterval: '5 minutes' },
});

export interface ReviewInput {
  /** The span the review covers, ending when it runs. */
  periodMs: number;
  /** Null: the first senior manager in the staff directory. */
  recipientEmail: string | null;
}

export async function periodicReviewWorkflow(input: ReviewInput): Promise<{ reviewRunId: number }> {
  const to = Date.now();
  const reviewRunId = await compileReview({
    workflowId: workflowInfo().workflowId, fromMs: to - input.periodMs, toMs: to, recipientEmail: input.recipientEmail,
  });
  await sendReview(reviewRunId);
  return { reviewRunId };
}
