import type { ClockName, Severity } from '../workflows/messages';
import { LADDER_LABEL } from '../workflows/policy';
import type { ActivityDeps } from './deps';
import { deliverEmail, type Delivery } from './email';
import { referenceFor } from '../lib/reference';

// Emails to staff and departments: SLA warnings, escalations, and the summary at closure.

/** What the workflow knows of the complaint when it decides to tell someone: its facts, never a row that may still be changing. */
export interface ComplaintFacts { complaintId: number; severity: Severity; department: string | null }

const EMAIL_LABEL: Record<string, string> = {
  acknowledgement: 'acknowledgement', rejection: 'rejection letter', customer_question: 'question to the customer',
  customer_message: 'message to the customer', follow_up_letter: 'follow-up letter', survey: 'satisfaction survey',
  survey_reminder: 'survey reminder', withdrawal: 'withdrawal notice', fca_eight_week: 'eight-week letter (FCA DISP 1.6)',
  fca_summary_resolution: 'summary resolution letter (FCA DISP 1.5)', psd_holding_reply: 'holding reply (FCA DISP 1.6.2AR)',
  asic_idr_delay: 'IDR delay notice (ASIC RG 271)',
};

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
    async warnResponsible(input: ComplaintFacts & { clock: ClockName; round: number; dueAt: number; ownerId: number | null }): Promise<Delivery | null> {
      const id = input.complaintId;
      const staff = input.ownerId ? await db.staff.findUnique({ where: { id: input.ownerId } }) : await findStaff('supervisor', input.department);
      if (!staff) return null;
      const { delivery } = await deliverEmail(deps, {
        idempotencyKey: `sla_warning:${id}:${input.clock}:${input.round}`, complaintId: id, kind: 'sla_warning', to: staff.email,
        template: 'sla_warning',
        values: { staffName: staff.name, reference: referenceFor(id), severity: input.severity, clock: CLOCK_LABEL[input.clock],
          dueAt: new Date(input.dueAt).toISOString(), link: link(id) },
      });
      return delivery;
    },

    /** Warns the owner (or the department's supervisor) that a regulator's deadline is near. */
    async warnRegulatoryDeadline(input: ComplaintFacts & { ownerId: number | null; clock: string; label: string; dueAt: number }): Promise<Delivery | null> {
      const id = input.complaintId;
      const staff = input.ownerId ? await db.staff.findUnique({ where: { id: input.ownerId } }) : await findStaff('supervisor', input.department);
      if (!staff) return null;
      const { delivery } = await deliverEmail(deps, {
        idempotencyKey: `regulatory_warning:${id}:${input.clock}`, complaintId: id, kind: 'sla_warning', to: staff.email, template: 'sla_warning',
        values: { staffName: staff.name, reference: referenceFor(id), severity: input.severity, clock: input.label, dueAt: new Date(input.dueAt).toISOString(), link: link(id) },
      });
      return delivery;
    },

    /** Records an escalation and tells the person at that level. Safe to retry: one row and one email per level. */
    async notifyEscalation(input: ComplaintFacts & { clock: ClockName; round: number; role: string; dueAt: number }): Promise<Delivery | null> {
      const id = input.complaintId;
      const staff = await findStaff(input.role, input.department);
      const deadline = new Date(input.dueAt);
      await db.escalation.upsert({
        where: { complaintId_clock_level_deadline: { complaintId: id, clock: input.clock, level: input.role, deadline } },
        update: {},
        create: { complaintId: id, clock: input.clock, level: input.role, staffId: staff?.id, deadline },
      });
      if (!staff) return null;
      const { delivery } = await deliverEmail(deps, {
        idempotencyKey: `escalation:${id}:${input.clock}:${input.round}:${input.role}`, complaintId: id, kind: 'escalation',
        to: staff.email, template: 'escalation',
        values: { staffName: staff.name, reference: referenceFor(id), severity: input.severity, department: input.department ?? 'unassigned',
          clock: CLOCK_LABEL[input.clock], dueAt: deadline.toISOString(), level: LADDER_LABEL[input.role as keyof typeof LADDER_LABEL] ?? input.role, link: link(id) },
      });
      return delivery;
    },

    /**
     * The mail server refused the customer's address for good: the person responsible (the owner, or the
     * department's supervisor before triage) is told, so that they reach the customer another way.
     */
    async notifyUndeliverable(input: ComplaintFacts & { kind: string; step: number; ownerId: number | null }): Promise<Delivery | null> {
      const id = input.complaintId;
      const staff = input.ownerId ? await db.staff.findUnique({ where: { id: input.ownerId } }) : await findStaff('supervisor', input.department);
      if (!staff) return null;
      const { delivery } = await deliverEmail(deps, {
        idempotencyKey: `undeliverable:${id}:${input.step}`, complaintId: id, kind: 'undeliverable', to: staff.email, template: 'undeliverable',
        values: { staffName: staff.name, reference: referenceFor(id), email: EMAIL_LABEL[input.kind] ?? input.kind, link: link(id) },
      });
      return delivery;
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
