import { Router } from 'express';
import type { AppDeps } from './app';
import { ANY_ROLE, requireRole } from './auth';
import { STAFF_VIEW } from './directory';
import { CHANNELS } from './schemas';
import { FLAGS, REMEDIES, SEVERITIES } from '../workflows/messages';
import { DEFAULT_LISTS } from '../activities/plan';
import { labelOf } from '../prisma/seed';

/** GET /staff: the staff directory (ids to act with, roles, departments), GET /departments and GET /lists. */
export function directoryRoutes({ db }: AppDeps): Router {
  const router = Router();
  router.get('/staff', requireRole(ANY_ROLE), async (_req, res) => {
    res.json(await db.staff.findMany({ where: { active: true }, orderBy: { id: 'asc' }, select: STAFF_VIEW }));
  });
  router.get('/departments', requireRole(ANY_ROLE), async (_req, res) => {
    res.json(await db.department.findMany({ orderBy: { code: 'asc' } }));
  });
  // The choices the forms offer: the configurable lists (active items) and the fixed codes.
  router.get('/lists', requireRole(ANY_ROLE), async (_req, res) => {
    const profiles = await db.regulatoryProfile.findMany({ orderBy: { code: 'asc' }, select: { code: true, name: true, productGroups: true, channels: true } });
    const items = await db.listItem.findMany({ where: { active: true }, orderBy: [{ list: 'asc' }, { code: 'asc' }], select: { list: true, code: true, label: true } });
    // An empty list is the built-in default, as the workflow takes it (activities/plan.ts).
    const of = (list: keyof typeof DEFAULT_LISTS) => {
      const rows = items.filter((i) => i.list === list).map(({ code, label }) => ({ code, label }));
      return rows.length ? rows : DEFAULT_LISTS[list].map((code) => ({ code, label: labelOf(code) }));
    };
    res.json({
      categories: of('category'), rootCauses: of('root_cause'), resolutionCodes: of('resolution_code'),
      severities: SEVERITIES, flags: FLAGS, remedies: REMEDIES, channels: CHANNELS,
      // The regulators' profiles a complaint may be held to, and the product groups that choose one.
      regulations: profiles, productGroups: [...new Set(profiles.flatMap((p) => p.productGroups))].sort(),
    });
  });
  return router;
}
