import { Router } from 'express';
import type { AppDeps } from './app';
import { ANY_ROLE, requireRole } from './auth';

/** GET /staff: the staff directory (ids to act with, roles, departments) and GET /departments. */
export function directoryRoutes({ db }: AppDeps): Router {
  const router = Router();
  router.get('/staff', requireRole(ANY_ROLE), async (_req, res) => {
    res.json(await db.staff.findMany({ where: { active: true }, orderBy: { id: 'asc' } }));
  });
  router.get('/departments', requireRole(ANY_ROLE), async (_req, res) => {
    res.json(await db.department.findMany({ orderBy: { code: 'asc' } }));
  });
  return router;
}
