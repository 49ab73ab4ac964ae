import { ScheduleNotFoundError, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import { periodicReviewWorkflow } from '../workflows';
import { toMs } from './config';

// The periodic quality review is a Temporal Schedule: the server keeps its clock, starts one review
// workflow per interval, and can be paused or changed without a deploy.

export interface ReviewScheduleSettings { every: string; period?: string; recipientEmail: string | null; taskQueue: string }

/** Creates the schedule when it does not exist; an existing one (perhaps changed by an admin) is left alone. */
export async function ensureReviewSchedule(client: Client, scheduleId: string, s: ReviewScheduleSettings): Promise<'created' | 'exists'> {
  try {
    await client.schedule.getHandle(scheduleId).describe();
    return 'exists';
  } catch (err) {
    if (!(err instanceof ScheduleNotFoundError)) throw err;
  }
  await client.schedule.create({
    scheduleId,
    spec: { intervals: [{ every: toMs(s.every) }] },
    action: {
      type: 'startWorkflow', workflowType: periodicReviewWorkflow, taskQueue: s.taskQueue,
      args: [{ periodMs: toMs(s.period ?? s.every), recipientEmail: s.recipientEmail }],
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' },
    state: { note: 'Periodic quality review of complaint handling' },
  }).catch((err) => { if (err?.name !== 'ScheduleAlreadyRunning') throw err; });
  return 'created';
}

export async function describeReviewSchedule(client: Client, scheduleId: string) {
  const d = await client.schedule.getHandle(scheduleId).describe();
  const interval = d.spec.intervals?.[0];
  const args = d.action.type === 'startWorkflow' ? (d.action.args?.[0] as { periodMs: number; recipientEmail: string | null }) : undefined;
  return {
    scheduleId,
    everyMs: interval ? Number(interval.every) : null,
    periodMs: args?.periodMs ?? null,
    recipientEmail: args?.recipientEmail ?? null,
    paused: d.state.paused,
    note: d.state.note ?? null,
    nextRuns: d.info.nextActionTimes.slice(0, 3),
    recentRuns: d.info.recentActions.map((a) => ({ scheduledAt: a.scheduledAt, takenAt: a.takenAt, workflowId: a.action.workflow.workflowId })),
  };
}

export async function updateReviewSchedule(client: Client, scheduleId: string, change: { every?: string; period?: string; recipientEmail?: string | null; paused?: boolean }) {
  const handle = client.schedule.getHandle(scheduleId);
  if (change.every !== undefined || change.period !== undefined || change.recipientEmail !== undefined) {
    await handle.update((prev) => {
      if (prev.action.type !== 'startWorkflow') return prev;
      const args = (prev.action.args?.[0] ?? {}) as { periodMs: number; recipientEmail: string | null };
      const everyMs = change.every ? toMs(change.every) : Number(prev.spec.intervals?.[0]?.every ?? toMs('7d'));
      return {
        ...prev,
        spec: { ...prev.spec, intervals: [{ every: everyMs }] },
        action: {
          ...prev.action,
          args: [{
            periodMs: change.period ? toMs(change.period) : change.every ? everyMs : args.periodMs,
            recipientEmail: change.recipientEmail === undefined ? args.recipientEmail : change.recipientEmail,
          }],
        },
      };
    });
  }
  if (change.paused === true) await handle.pause('paused through the admin API');
  if (change.paused === false) await handle.unpause('resumed through the admin API');
}
