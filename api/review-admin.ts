import { Router } from 'express';
import { ScheduleNotFoundError } from '@temporalio/client';
import { z } from 'zod';
import { config, duration, toMs } from '../lib/config';
import { describeReviewSchedule, updateReviewSchedule } from '../lib/review-schedule';
import type { AppDeps } from './app';
import { ADMIN_ROLES, REPORT_ROLES, requireRole } from './auth';
import { ApiError, validationError } from './errors';

// The periodic quality review's schedule (admins pause, resume, change or trigger it) and its runs.

// zod runs this even when the format check failed: only judge what is a duration.
const atLeastASecond = duration.refine((d) => !duration.safeParse(d).success || toMs(d) >= 1000, 'must be at least 1s');
export const reviewScheduleChange = z.strictObject({
  every: atLeastASecond.optional(),
  period: atLeastASecond.optional(),
  recipientEmail: z.string().trim().email('must be a valid email address').nullable().optional(),
  paused: z.boolean({ message: 'must be true or false' }).optional(),
});

export function reviewRoutes({ db, temporal, reviewScheduleId }: AppDeps): Router {
  const router = Router();
  const scheduleId = () => reviewScheduleId ?? config().REVIEW_SCHEDULE_ID;
  const notFound = (err: unknown) => {
    if (err instanceof ScheduleNotFoundError) throw new ApiError(404, 'not_found', `No review schedule "${scheduleId()}" (the worker creates it at start unless REVIEW_EVERY=off)`);
    throw err;
  };

  router.get('/admin/review-schedule', requireRole(ADMIN_ROLES, 'the review schedule'), async (_req, res) => {
    res.json(await describeReviewSchedule(temporal, scheduleId()).catch(notFound));
  });
  router.patch('/admin/review-schedule', requireRole(ADMIN_ROLES, 'the review schedule'), async (req, res) => {
    const change = reviewScheduleChange.safeParse(req.body ?? {});
    if (!change.success) throw validationError(change.error);
    if (change.data.recipientEmail && !(await db.staff.findUnique({ where: { email: change.data.recipientEmail } }))) {
      throw new ApiError(422, 'invalid_value', `recipientEmail: no staff member with email ${change.data.recipientEmail}`, { recipientEmail: 'is not a staff member' });
    }
    await updateReviewSchedule(temporal, scheduleId(), change.data).catch(notFound);
    res.json(await describeReviewSchedule(temporal, scheduleId()));
  });
  router.post('/admin/review-schedule/trigger', requireRole(ADMIN_ROLES, 'the review schedule'), async (_req, res) => {
    await temporal.schedule.getHandle(scheduleId()).trigger().catch(notFound);
    res.status(202).json({ triggered: true });
  });
  router.get('/reports/reviews', requireRole(REPORT_ROLES, 'reports'), async (_req, res) => {
    const runs = await db.reviewRun.findMany({ orderBy: { id: 'desc' }, take: 50, select: {
      id: true, workflowId: true, startedAt: true, finishedAt: true, periodFrom: true, periodTo: true, recipientId: true,
    } });
    res.json(runs);
  });
  return router;
}
