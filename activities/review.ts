import { reportDb } from '../lib/db';
import { summaryReport } from '../reports/figures';
import { escapeHtml } from '../templates/render';
import type { ActivityDeps } from './deps';
import { deliverEmail } from './email';
import { findStaffMember } from './staff';

// The periodic review's side effects: compute and keep the figures of a period, and email them.

type Summary = Awaited<ReturnType<typeof summaryReport>>;
const pct = (v: unknown) => (typeof v === 'number' ? `${(v * 100).toFixed(1)}%` : v == null ? 'n/a' : String(v));

/** Rows of [cells] as a plain-text table and as an HTML table (every cell escaped). */
function table(head: string[], rows: unknown[][]) {
  const cells = [head, ...rows.map((r) => r.map((c) => String(c ?? '')))];
  const widths = head.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  const text = cells.map((r) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()).join('\n');
  const html = `<table style="border-collapse: collapse" border="1" cellpadding="4"><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${
    rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(String(c ?? ''))}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
  return { text, html };
}

export function reviewActivities(deps: ActivityDeps) {
  const { db, config } = deps;
  return {
    /** Computes the period's figures and records the run (once per scheduled workflow). */
    async compileReview(input: { workflowId: string; fromMs: number; toMs: number; recipientEmail: string | null }): Promise<number> {
      const existing = await db.reviewRun.findUnique({ where: { workflowId: input.workflowId } });
      if (existing) return existing.id;
      const recipient = input.recipientEmail
        ? await db.staff.findFirst({ where: { email: input.recipientEmail, active: true } })
        : await findStaffMember(db, 'senior_manager', null);
      // On the report pool (lib/db.ts), like the API's reports: the workflows' own activities keep their connections.
      const figures = await summaryReport(reportDb(), { from: new Date(input.fromMs), to: new Date(input.toMs) }, { limit: 20 });
      const run = await db.reviewRun.upsert({
        where: { workflowId: input.workflowId },
        update: {},
        create: {
          workflowId: input.workflowId, periodFrom: new Date(input.fromMs), periodTo: new Date(input.toMs),
          recipientId: recipient?.id ?? null, figures: JSON.parse(JSON.stringify(figures)),
        },
      });
      return run.id;
    },

    /** Emails the recorded figures to the review's owner: targets, top causes, breaches, backlog at risk. */
    async sendReview(reviewRunId: number): Promise<void> {
      const run = await db.reviewRun.findUniqueOrThrow({ where: { id: reviewRunId } });
      const recipient = run.recipientId ? await db.staff.findUnique({ where: { id: run.recipientId } }) : null;
      if (recipient) {
        const f = run.figures as unknown as Summary;
        const targets = table(['figure', 'value', 'target', 'met'],
          f.targets.rows.map((r: any) => [r.name, r.unit === 'ratio' ? pct(r.value) : r.value ?? 'n/a', r.unit === 'ratio' ? pct(r.target) : r.target ?? '', r.met == null ? '' : r.met ? 'met' : 'MISSED']));
        const causes = table(['root cause', 'complaints', 'cumulative share'],
          f.pareto.rows.filter((r: any) => r.scope === 'overall').slice(0, 5).map((r: any) => [r.rootCause, r.count, pct(r.cumulativeShare)]));
        const breaches = table(['level', 'escalations', 'triage', 'first response', 'resolution'],
          f.escalations.rows.map((r: any) => [r.level, r.escalations, r.triage, r.firstResponse, r.resolution]));
        const atRisk = table(['reference', 'stage', 'severity', 'department', 'deadline'],
          f.atRisk.rows.slice(0, 10).map((r: any) => [r.reference, r.stage, r.severity, r.department, r.dueAt ?? r.deadline ?? '']));
        await deliverEmail(deps, {
          idempotencyKey: `quality_review:${run.id}`, kind: 'quality_review', to: recipient.email, template: 'quality_review',
          values: {
            staffName: recipient.name, from: run.periodFrom.toISOString().slice(0, 16).replace('T', ' '),
            to: run.periodTo.toISOString().slice(0, 16).replace('T', ' '), dashboardLink: `${config.publicUrl}/dashboard`,
            targetsText: targets.text, targetsHtml: targets.html, causesText: causes.text, causesHtml: causes.html,
            breachesText: breaches.text, breachesHtml: breaches.html, atRiskText: atRisk.text, atRiskHtml: atRisk.html,
            atRiskCount: f.atRisk.rows.length,
          },
        });
      }
      await db.reviewRun.update({ where: { id: run.id }, data: { finishedAt: run.finishedAt ?? new Date() } });
    },
  };
}
