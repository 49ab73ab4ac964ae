import type { ClockName } from '../workflows/messages';
import { LADDER_LABEL } from '../workflows/policy';
import type { ActivityDeps } from './deps';
import { deliverEmail } from './email';

// Emails to staff and departments: SLA warnings, escalations, and the summary at closure.

const CLOCK_LABEL: Record<ClockName, string> = {
  triage: 'triage', firstResponse: 'first response to the customer', resolution: 'resolution',
};

/** The active staff member of `role` in `department`, else one of that role without a department, else any of that role. */
export async function findStaffMember(db: ActivityDeps['db'], role: string, department: string | null) {
  const candidates = await db.staff.findMany({ where: { role, active: true }, orderBy: { id: 'asc' } });
  return candidates.find((s) => s.department === department)
    ?? candidates.find((s) => s.department === null)
    ?? candidates[0];
}

export function staffActivities(deps: ActivityDeps) {
  const { db, config } = deps;
  // The page staff can open in a browser (the API route itself wants a token).
  const link = (id: number) => `${config.publicUrl}/dashboard/complaints/${id}`;

  const findStaff = (role: string, department: string | null) => findStaffMember(db, role, department);

  return {
    /** Warns the person responsible (the owner, or the department's supervisor before triage). */
    async warnResponsible(input: { complaintId: number; clock: ClockName; round: number; dueAt: number; ownerId: number | null }): Promise<number | null> {
      const c = await db.complaint.findUniqueOrThrow({ where: { id: input.complaintId } });
      const staff = input.ownerId ? await db.staff.findUnique({ where: { id: input.ownerId } }) : await findStaff('supervisor', c.department);
      if (!staff) return null;
      await deliverEmail(deps, {
        idempotencyKey: `sla_warning:${c.id}:${input.clock}:${input.round}`, complaintId: c.id, kind: 'sla_warning', to: staff.email,
        template: 'sla_warning',
        values: { staffName: staff.name, reference: c.reference, severity: c.severity ?? 'minor', clock: CLOCK_LABEL[input.clock],
          dueAt: new Date(input.dueAt).toISOString(), link: link(c.id) },
      });
      return staff.id;
    },

    /** Records an escalation and tells the person at that level. Safe to retry: one row and one email per level. */
    async notifyEscalation(input: { complaintId: number; clock: ClockName; round: number; role: string; dueAt: number }): Promise<number | null> {
      const c = await db.complaint.findUniqueOrThrow({ where: { id: input.complaintId } });
      const staff = await findStaff(input.role, c.department);
      const deadline = new Date(input.dueAt);
      await db.escalation.upsert({
        where: { complaintId_clock_level_deadline: { complaintId: c.id, clock: input.clock, level: input.role, deadline } },
        update: {},
        create: { complaintId: c.id, clock: input.clock, level: input.role, staffId: staff?.id, deadline },
      });
      if (staff) {
        await deliverEmail(deps, {
          idempotencyKey: `escalation:${c.id}:${input.clock}:${input.round}:${input.role}`, complaintId: c.id, kind: 'escalation',
          to: staff.email, template: 'escalation',
          values: { staffName: staff.name, reference: c.reference, severity: c.severity ?? 'minor', department: c.department ?? 'unassigned',
            clock: CLOCK_LABEL[input.clock], dueAt: deadline.toISOString(), level: LADDER_LABEL[input.role as keyof typeof LADDER_LABEL] ?? input.role, link: link(c.id) },
        });
      }
      return staff?.id ?? null;
    },

    /** Feedback to the department that can remove the cause. */
    async sendDepartmentSummary(complaintId: number): Promise<void> {
      const c = await db.complaint.findUniqueOrThrow({
        where: { id: complaintId }, include: { surveys: { orderBy: { round: 'desc' }, take: 1 } },
      });
      const department = c.department ? await db.department.findUnique({ where: { code: c.department } }) : null;
      if (!department) return;
      const answer = c.surveys[0];
      await deliverEmail(deps, {
        idempotencyKey: `department_summary:${c.id}`, complaintId: c.id, kind: 'department_summary', to: department.email,
        template: 'department_summary',
        values: {
          departmentName: department.name, reference: c.reference, category: c.category ?? 'uncategorised', severity: c.severity ?? 'minor',
          product: c.product, rootCause: c.rootCause ?? 'not recorded', rootCauseDetail: c.rootCauseDetail ?? '',
          resolution: [c.resolutionCode, c.resolutionSummary].filter(Boolean).join(': ') || 'none',
          outcome: c.outcome ?? '', reopenCount: c.reopenCount,
          satisfaction: answer ? `${answer.score}/5, ${answer.resolved ? 'resolved' : 'not resolved'}` : 'no answer',
        },
      });
    },
  };
}
