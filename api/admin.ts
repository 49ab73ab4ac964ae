import { Router } from 'express';
import { z } from 'zod';
import { Prisma } from '../generated/prisma/client';
import { eraseComplaint } from '../lib/erasure';
import { issueToken } from '../lib/tokens';
import { validateCalendar } from '../workflows/business-hours';
import { ROLES, SEVERITIES } from '../workflows/messages';
import type { AppDeps } from './app';
import { ADMIN_ROLES, requireRole } from './auth';
import { knownDepartment, STAFF_VIEW } from './directory';
import { endSessionsOf } from '../lib/sessions';
import { passwordSchema, sendPasswordLink, setPassword } from './sessions';
import { ApiError, validationError } from './errors';
import { parseId } from './schemas';

// Administration: staff and their tokens, departments, SLA policies and the configurable lists, and
// the customer's right to erasure. Admins only; every change lands in the audit trail like any other.

export const LISTS = ['category', 'root_cause', 'resolution_code'] as const;
const name = z.string().trim().min(1, 'must not be empty').max(200);
const code = z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, 'must be lower_snake_case (a-z, 0-9, _), starting with a letter');
const seconds = z.number().int('must be whole seconds').positive('must be positive').max(366 * 86_400);

export const adminSchemas = {
  newStaff: z.strictObject({ name, email: z.string().trim().email('must be a valid email address').max(320), role: z.enum(ROLES), department: code.nullable().optional() }),
  staffChange: z.strictObject({ name: name.optional(), role: z.enum(ROLES).optional(), department: code.nullable().optional(), active: z.boolean().optional() }),
  newToken: z.strictObject({ label: name.optional(), days: z.number().int().positive().max(3650).optional() }),
  department: z.strictObject({ code, name, email: z.string().trim().email('must be a valid email address') }),
  slaPolicy: z.strictObject({
    triageSeconds: seconds, firstResponseSeconds: seconds, resolutionSeconds: seconds,
    warnShare: z.number().gt(0, 'must be between 0 and 1').lt(1, 'must be between 0 and 1'), reescalateSeconds: seconds,
    businessHours: z.unknown().optional(),
  }),
  listItem: z.strictObject({ label: name, active: z.boolean().optional() }),
};

function parse<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const r = schema.safeParse(body ?? {});
  if (!r.success) throw validationError(r.error);
  return r.data;
}

const ERASURE_REFUSALS = { not_found: 404, not_closed: 409, still_running: 409, temporal_unavailable: 503 } as const;

export function adminRoutes(deps: AppDeps): Router {
  const { db } = deps;
  const router = Router();
  router.use('/admin', requireRole(ADMIN_ROLES, 'administration'));

  router.get('/admin/staff', async (_req, res) => { res.json(await db.staff.findMany({ orderBy: { id: 'asc' }, select: STAFF_VIEW })); });
  router.post('/admin/staff', async (req, res) => {
    const b = parse(adminSchemas.newStaff, req.body);
    if (await db.staff.findUnique({ where: { email: b.email } })) throw new ApiError(409, 'exists', `email: ${b.email} already has an account`, { email: 'already has an account' });
    await knownDepartment(db, b.department);
    res.status(201).json(await db.staff.create({ data: { ...b, department: b.department ?? null }, select: STAFF_VIEW }));
  });
  router.patch('/admin/staff/:id', async (req, res) => {
    const id = parseId(req.params.id);
    const b = parse(adminSchemas.staffChange, req.body);
    const current = await db.staff.findUnique({ where: { id } });
    if (!current) throw new ApiError(404, 'not_found', `No staff member with id ${id}`);
    await knownDepartment(db, b.department);
    const losesAdmin = current.role === 'admin' && current.active && (b.active === false || (b.role !== undefined && b.role !== 'admin'));
    res.json(await db.$transaction(async (tx) => {
      if (losesAdmin) {
        // The active admins stay locked until this change commits, so two demotions at once cannot leave none.
        const admins = await tx.$queryRaw<{ id: number }[]>`SELECT id FROM staff WHERE role = 'admin' AND active FOR UPDATE`;
        if (admins.length <= 1) {
          throw new ApiError(409, 'last_admin', 'This is the last active admin: make another admin first, or nobody could manage staff any more');
        }
      }
      const updated = await tx.staff.update({ where: { id }, data: b, select: STAFF_VIEW });
      if (b.active === false) await endSessionsOf(tx, id); // a deactivated account is signed out everywhere
      return updated;
    }));
  });
  async function activeAccount(id: number) {
    const staff = await db.staff.findUnique({ where: { id } });
    if (!staff?.active) throw new ApiError(404, 'not_found', `No active staff member with id ${id}`);
    return staff;
  }
  router.post('/admin/staff/:id/tokens', async (req, res) => {
    const id = parseId(req.params.id);
    const b = parse(adminSchemas.newToken, req.body);
    await activeAccount(id);
    res.status(201).json(await issueToken(db, id, b.label ?? 'api', b.days));
  });
  // The console's password: set by the admin, or chosen by the staff member through a one-time link emailed to them.
  router.put('/admin/staff/:id/password', async (req, res) => {
    const staff = await activeAccount(parseId(req.params.id));
    await setPassword(db, staff.id, staff.email, parse(passwordSchema, req.body).password);
    res.status(204).end();
  });
  router.post('/admin/staff/:id/password-link', async (req, res) => {
    const staff = await activeAccount(parseId(req.params.id));
    res.status(201).json(await sendPasswordLink(db, staff, req.staff!.name));
  });
  router.delete('/admin/tokens/:id', async (req, res) => {
    const id = parseId(req.params.id);
    const t = await db.apiToken.findUnique({ where: { id } });
    if (!t) throw new ApiError(404, 'not_found', `No token with id ${id}`);
    await db.apiToken.update({ where: { id }, data: { revokedAt: t.revokedAt ?? new Date() } });
    res.status(204).end();
  });

  router.get('/admin/departments', async (_req, res) => { res.json(await db.department.findMany({ orderBy: { code: 'asc' } })); });
  router.put('/admin/departments/:code', async (req, res) => {
    const b = parse(adminSchemas.department, { ...req.body, code: req.params.code });
    res.json(await db.department.upsert({ where: { code: b.code }, update: b, create: b }));
  });

  router.get('/admin/sla-policies', async (_req, res) => { res.json(await db.slaPolicy.findMany({ orderBy: { severity: 'asc' } })); });
  router.put('/admin/sla-policies/:severity', async (req, res) => {
    const severity = z.enum(SEVERITIES).safeParse(req.params.severity);
    if (!severity.success) throw new ApiError(404, 'not_found', `severity: must be one of ${SEVERITIES.join(', ')}`);
    const b = parse(adminSchemas.slaPolicy, req.body);
    let businessHours: object | undefined;
    if (b.businessHours != null) {
      try { businessHours = validateCalendar(b.businessHours); } catch (e: any) {
        throw new ApiError(400, 'validation_failed', `businessHours: ${e.message}`, { businessHours: e.message });
      }
    }
    const data = { ...b, businessHours: businessHours ?? Prisma.DbNull };
    res.json(await db.slaPolicy.upsert({ where: { severity: severity.data }, update: data, create: { severity: severity.data, ...data } }));
  });

  router.get('/admin/lists/:list', async (req, res) => {
    const list = listName(req.params.list);
    res.json(await db.listItem.findMany({ where: { list }, orderBy: { code: 'asc' } }));
  });
  router.put('/admin/lists/:list/:code', async (req, res) => {
    const list = listName(req.params.list);
    const c = code.safeParse(req.params.code);
    if (!c.success) throw new ApiError(400, 'validation_failed', `code: ${c.error.issues[0].message}`, { code: c.error.issues[0].message });
    const b = parse(adminSchemas.listItem, req.body);
    res.json(await db.listItem.upsert({ where: { list_code: { list, code: c.data } }, update: b, create: { list, code: c.data, ...b } }));
  });

  // A closed complaint's personal data and free text, not its figures (lib/erasure.ts). Erasing twice is fine.
  router.post('/admin/complaints/:id/erasure', async (req, res) => {
    const outcome = await eraseComplaint(deps, parseId(req.params.id), { actorId: req.staff!.id, requestId: req.requestId });
    if ('refused' in outcome) throw new ApiError(ERASURE_REFUSALS[outcome.refused], outcome.refused, outcome.message);
    res.json(outcome.erased);
  });

  return router;
}

function listName(raw: string) {
  const list = raw.replace(/-/g, '_');
  if (!(LISTS as readonly string[]).includes(list)) throw new ApiError(404, 'not_found', `list: must be one of ${LISTS.join(', ')}`);
  return list;
}
