import { Client } from 'pg';

// The benchmarks' data: complaints with their events, escalations and survey answers, bulk-inserted in
// SQL (generate_series) in a few seconds, into a database that has the migrations applied.
//
// The shape of the data, close to what the workflows record (see workflows/complaint.ts):
// severities 70/25/5 % minor/major/critical; 8 departments, 7 categories, 6 channels; root causes skewed
// (a few causes make most complaints); ~6% still open (the most recent ones); of the closed 5% rejected,
// 4% withdrawn, 16% without a survey answer, the rest resolved; ~12% breach a deadline (1–3 escalations),
// ~8% of resolved cases reopen once; survey answers mostly 4–5.
const PLAN = `
CREATE TEMP TABLE plan AS
WITH g AS (
  SELECT i AS id,
         (now() AT TIME ZONE 'UTC') - make_interval(secs => (random() * random() * $2::int * 86400)::int) AS created_at,
         random() AS r_sev, random() AS r_out, random() AS r_breach, random() AS r_cause, random() AS r_reopen, random() AS r_survey,
         random() AS r_time, random() AS r_score, random() AS r_late, random() AS r_misc
  FROM generate_series(1, $1::int) AS i
)
SELECT g.*,
  (ARRAY['customer_service','logistics','billing','production','quality','retail','online','field_service'])[1 + (g.id % 8)] AS department,
  (ARRAY['product_quality','delivery','billing','service','safety','staff_conduct','other'])[1 + ((g.id / 8) % 7)] AS category,
  (ARRAY['email','phone','web','letter','in_person','social_media'])[1 + ((g.id / 3) % 6)] AS channel,
  CASE WHEN g.r_sev < 0.70 THEN 'minor' WHEN g.r_sev < 0.95 THEN 'major' ELSE 'critical' END AS severity,
  (ARRAY['manufacturing_defect','supplier_issue','process_failure','human_error','communication','design_flaw',
         'system_error','customer_misuse','other'])[1 + floor(9 * power(g.r_cause, 2.2))::int] AS root_cause,
  -- open: mostly the recent ones
  ((now() AT TIME ZONE 'UTC') - g.created_at < interval '30 days' AND g.r_misc < 0.6) OR g.r_misc < 0.01 AS is_open,
  CASE WHEN g.r_out < 0.05 THEN 'rejected' WHEN g.r_out < 0.09 THEN 'withdrawn' WHEN g.r_out < 0.25 THEN 'no_response' ELSE 'resolved' END AS outcome,
  g.r_breach < 0.12 AS breached,
  CASE WHEN g.r_breach < 0.06 THEN 'triage' WHEN g.r_breach < 0.09 THEN 'firstResponse' ELSE 'resolution' END AS breach_clock,
  1 + floor(g.r_breach * 1000)::int % 3 AS escalation_levels,
  g.r_reopen < 0.08 AS reopened,
  make_interval(secs => 5 + g.r_time * 600) AS ack_after,
  make_interval(secs => 600 + g.r_time * 30 * 3600) AS triage_after,
  make_interval(secs => 86400 + g.r_time * g.r_late * 20 * 86400) AS resolve_after,
  make_interval(secs => 3600 + g.r_late * 12 * 86400) AS cause_after
FROM g`;

const LOAD = `
INSERT INTO sla_policies (severity, triage_seconds, first_response_seconds, resolution_seconds, warn_share, reescalate_seconds)
VALUES ('minor', 86400, 259200, 1209600, 0.75, 86400), ('major', 14400, 86400, 432000, 0.75, 14400), ('critical', 3600, 14400, 86400, 0.75, 3600)
ON CONFLICT (severity) DO NOTHING;

INSERT INTO complaints (id, reference, customer_name, customer_email, channel, description, occurred_on, product, stage,
  valid, category, severity, department, root_cause, outcome, reopen_count, created_at, updated_at, acknowledged_at,
  triage_due_at, first_response_due_at, resolution_due_at, resolved_at, closed_at, signed_off_at, priority)
SELECT p.id, 'CMP-' || lpad(p.id::text, 6, '0'), 'Customer ' || p.id, 'customer' || p.id || '@example.com', p.channel,
  'Generated complaint', p.created_at::date, 'Product ' || (p.id % 50),
  CASE WHEN NOT p.is_open THEN 'closed'
       ELSE (ARRAY['triage','investigation','investigation','investigation','waiting_on_customer','resolution_proposed','survey'])[1 + p.id % 7] END,
  CASE WHEN p.outcome = 'rejected' AND NOT p.is_open THEN false ELSE true END,
  p.category, p.severity, p.department,
  CASE WHEN p.outcome IN ('resolved','no_response') OR (p.is_open AND p.id % 7 NOT IN (0, 1)) THEN p.root_cause END,
  CASE WHEN p.is_open THEN NULL ELSE p.outcome END,
  CASE WHEN p.reopened AND p.outcome = 'resolved' AND NOT p.is_open THEN 1 ELSE 0 END,
  p.created_at, p.created_at, p.created_at + p.ack_after,
  p.created_at + s.triage_seconds * interval '1 second', p.created_at + s.first_response_seconds * interval '1 second',
  p.created_at + s.resolution_seconds * interval '1 second',
  CASE WHEN NOT p.is_open AND p.outcome IN ('resolved','no_response') THEN p.created_at + p.resolve_after
       WHEN p.is_open AND p.id % 7 = 6 THEN p.created_at + p.resolve_after END,
  CASE WHEN NOT p.is_open THEN p.created_at + p.resolve_after + interval '5 days' END,
  CASE WHEN p.outcome IN ('resolved','no_response') AND (NOT p.is_open OR p.id % 7 = 6) THEN p.created_at + p.resolve_after END,
  CASE WHEN p.reopened THEN 'high' ELSE 'normal' END
FROM plan p JOIN sla_policies s ON s.severity = p.severity;
SELECT setval(pg_get_serial_sequence('complaints', 'id'), (SELECT max(id) FROM complaints));

-- Every step as the workflow records it. (type, at) per complaint; keys are unique per complaint.
INSERT INTO complaint_events (complaint_id, event_key, type, data, at)
SELECT c.id, e.n || ':' || e.type, e.type, e.data, e.at
FROM plan p JOIN complaints c ON c.id = p.id
CROSS JOIN LATERAL (VALUES
  (0, 'received', '{}'::jsonb, c.created_at, true),
  (1, 'acknowledged', '{}'::jsonb, c.acknowledged_at, true),
  (2, 'sla_warning', jsonb_build_object('clock', p.breach_clock), c.created_at + p.triage_after * 0.7, p.breached),
  (3, 'sla_breached', jsonb_build_object('clock', p.breach_clock, 'dueAt', c.triage_due_at), c.created_at + p.triage_after * 0.8, p.breached),
  (4, 'escalated', jsonb_build_object('clock', p.breach_clock, 'level', 'manager'), c.created_at + p.triage_after * 0.8, p.breached),
  (5, 'triaged', jsonb_build_object('valid', c.valid), c.created_at + p.triage_after, c.stage NOT IN ('received','triage') AND NOT (p.outcome = 'withdrawn' AND c.stage = 'closed' AND p.id % 2 = 0)),
  (6, 'note_added', '{}'::jsonb, c.created_at + p.triage_after * 1.2, p.id % 3 = 0),
  (7, 'root_cause_recorded', jsonb_build_object('rootCause', c.root_cause), c.created_at + p.cause_after, c.root_cause IS NOT NULL),
  (8, 'customer_updated', '{}'::jsonb, c.created_at + p.triage_after * 1.5, p.id % 4 = 0 AND c.root_cause IS NOT NULL),
  (9, 'resolution_proposed', '{}'::jsonb, c.resolved_at - interval '1 hour', c.resolved_at IS NOT NULL),
  (10, 'signed_off', '{}'::jsonb, c.resolved_at - interval '10 minutes', c.resolved_at IS NOT NULL),
  (11, 'letter_sent', jsonb_build_object('round', 1), c.resolved_at, c.resolved_at IS NOT NULL),
  (12, 'survey_sent', jsonb_build_object('round', 1), c.resolved_at + interval '3 days', c.resolved_at IS NOT NULL AND c.stage IN ('closed','survey')),
  (13, 'survey_reminder_sent', jsonb_build_object('round', 1), c.resolved_at + interval '7 days', c.outcome = 'no_response'),
  (14, 'survey_answered', jsonb_build_object('round', 1), c.resolved_at + interval '4 days', c.outcome = 'resolved'),
  (15, 'reopened', jsonb_build_object('round', 1), c.resolved_at + interval '4 days', c.reopen_count > 0),
  (16, 'letter_sent', jsonb_build_object('round', 2), c.resolved_at + interval '4 days 2 hours', c.reopen_count > 0),
  (17, 'survey_sent', jsonb_build_object('round', 2), c.resolved_at + interval '4 days 4 hours', c.reopen_count > 0),
  (18, 'survey_answered', jsonb_build_object('round', 2), c.resolved_at + interval '4 days 5 hours', c.reopen_count > 0),
  (19, 'withdrawn', '{}'::jsonb, c.closed_at, c.outcome = 'withdrawn'),
  (20, 'closed', jsonb_build_object('outcome', c.outcome), c.closed_at, c.closed_at IS NOT NULL)
) AS e(n, type, data, at, present)
WHERE e.present;

INSERT INTO escalations (complaint_id, clock, level, deadline, at)
SELECT p.id, p.breach_clock, l.level, c.triage_due_at + (l.n - 1) * interval '4 hours', c.created_at + p.triage_after * 0.8 + (l.n - 1) * interval '4 hours'
FROM plan p JOIN complaints c ON c.id = p.id
CROSS JOIN LATERAL (VALUES (1, 'manager'), (2, 'senior_manager'), (0, 'supervisor')) AS l(n, level)
WHERE p.breached AND (l.n BETWEEN 1 AND p.escalation_levels OR (l.n = 0 AND p.escalation_levels = 3));

INSERT INTO survey_responses (complaint_id, round, score, resolved, at)
SELECT c.id, 1,
  CASE WHEN c.reopen_count > 0 THEN 1 + (p.r_score * 2)::int ELSE (ARRAY[3,4,4,5,5,5,2,4,5,5])[1 + floor(p.r_score * 10)::int] END,
  c.reopen_count = 0 AND p.r_score < 0.93, c.resolved_at + interval '4 days'
FROM plan p JOIN complaints c ON c.id = p.id WHERE c.outcome = 'resolved'
UNION ALL
SELECT c.id, 2, 4 + (p.r_score > 0.5)::int, true, c.resolved_at + interval '4 days 5 hours'
FROM plan p JOIN complaints c ON c.id = p.id WHERE c.reopen_count > 0;
`;

/**
 * Loads `complaints` complaints received over the last `days` days (more of them recent), in one
 * transaction, then VACUUM ANALYZE; returns the row counts.
 */
export async function seedComplaints(pg: Client, complaints: number, days: number): Promise<Record<string, number>> {
  await pg.query('BEGIN');
  await pg.query(PLAN, [complaints, days]);
  await pg.query(LOAD);
  await pg.query('COMMIT');
  await pg.query('VACUUM ANALYZE');
  const counts = (await pg.query(`SELECT (SELECT count(*) FROM complaints) AS complaints, (SELECT count(*) FROM complaint_events) AS events,
    (SELECT count(*) FROM escalations) AS escalations, (SELECT count(*) FROM survey_responses) AS answers,
    (SELECT count(*) FROM complaints WHERE stage <> 'closed') AS open`)).rows[0];
  return Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, Number(v)]));
}

export const describeCounts = (counts: Record<string, number>) =>
  Object.entries(counts).map(([k, v]) => `${v.toLocaleString('en')} ${k}`).join(', ');

/** A fresh database name next to the test databases (BENCH_DATABASE_URL or TEST_DATABASE_URL for another server). */
export function benchDatabaseUrl(): { url: string; name: string } {
  const base = new URL(process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres');
  base.pathname = `/complaints_bench_${Date.now().toString(36)}_${process.pid}`;
  return { url: base.toString(), name: base.pathname.slice(1) };
}

/** Drops the benchmark's database (unless BENCH_KEEP_DATABASE is set). */
export async function dropBenchDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  if (process.env.BENCH_KEEP_DATABASE) return void console.log(`kept ${name}`);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const c = new Client({ connectionString: admin.toString() });
  await c.connect();
  await c.query(`DROP DATABASE IF EXISTS "${name.replace(/"/g, '""')}" WITH (FORCE)`);
  await c.end();
  console.log(`dropped ${name}`);
}
