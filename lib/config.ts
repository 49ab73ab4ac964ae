import { loadClientConnectConfig } from '@temporalio/envconfig';
import { z } from 'zod';

// Reads and validates the environment once; everything else imports `config`.

/** A duration such as 500ms, 30s, 15m, 4h or 3d. */
export const duration = z.string().regex(/^\d+(\.\d+)?\s*(ms|s|m|h|d)$/, 'must be a duration like 30s, 15m, 4h or 3d');
export const toMs = (d: string) => {
  const [, n, unit] = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/.exec(d)!;
  return Number(n) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[unit as 'ms']!;
};

const schema = z.object({
  DATABASE_URL: z.string().url().default('postgresql://postgres@127.0.0.1:5432/complaints'),
  TEMPORAL_ADDRESS: z.string().min(1).default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('complaints'),
  // For a remote cluster (e.g. Temporal Cloud): mTLS files or an API key. Either turns TLS on.
  TEMPORAL_TLS: z.enum(['true', 'false']).optional(),
  TEMPORAL_TLS_CERT_PATH: z.string().optional(),
  TEMPORAL_TLS_KEY_PATH: z.string().optional(),
  TEMPORAL_TLS_CA_PATH: z.string().optional(),
  TEMPORAL_TLS_SERVER_NAME: z.string().optional(),
  TEMPORAL_API_KEY: z.string().optional(),
  SMTP_URL: z.string().regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://').default('smtp://127.0.0.1:1025'),
  MAIL_FROM: z.string().min(3).default('Customer Care <care@complaints.local>'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  PUBLIC_URL: z.string().url().optional(),
  // How long one attempt of an activity may take before Temporal retries it elsewhere.
  ACTIVITY_TIMEOUT: duration.default('1m'),
  // The survey: sent this long after resolution, one reminder after SURVEY_REMINDER_AFTER without an
  // answer, and "no response" when SURVEY_WINDOW (counted from the survey) passes unanswered.
  SURVEY_DELAY: duration.default('3d'),
  SURVEY_REMINDER_AFTER: duration.default('4d'),
  SURVEY_WINDOW: duration.default('7d'),
  // A survey score at or below this, or "not resolved", reopens the case at REOPEN_PRIORITY.
  REOPEN_SCORE_AT_MOST: z.coerce.number().int().min(1).max(5).default(2),
  REOPEN_PRIORITY: z.enum(['high', 'urgent']).default('high'),
  // Optional staff actions (notes, messages to the customer, questions) one complaint takes before
  // refusing more with a 409; what moves it on (triage, root cause, report, resolution, sign-off, …) is still taken.
  // Temporal refuses more than 2,000 updates per workflow; the workflow stops everything but a withdrawal at 1,800.
  MAX_ACTIONS_PER_COMPLAINT: z.coerce.number().int().min(1).max(1500).default(1000),
  // Requests per minute an API process takes from one client address, and from one API token (429 past them).
  RATE_LIMIT_PER_ADDRESS: z.coerce.number().int().min(1).default(600),
  RATE_LIMIT_PER_TOKEN: z.coerce.number().int().min(1).default(60),
  // Console sessions (a cookie after signing in with a password): ended after SESSION_IDLE without a
  // request, and at SESSION_MAX after sign-in whatever happens. After five failed sign-ins in a row an
  // account takes its next attempt only SIGN_IN_DELAY later, doubling with each further failure (at most 15m).
  // The customer's side: dates in the complaint's time zone (DEFAULT_TIME_ZONE unless registered with one),
  // amounts in CURRENCY, posts of the public complaint form a minute from one address, and the secret the
  // private status links are derived from (unset: one kept in the database; set it in production).
  DEFAULT_TIME_ZONE: z.string().refine((z) => { try { new Intl.DateTimeFormat('en', { timeZone: z }); return true; } catch { return false; } }, 'must be an IANA time zone such as Europe/London').default('Europe/London'),
  CURRENCY: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR').default('EUR'),
  COMPLAINT_FORM_PER_MINUTE: z.coerce.number().int().min(1).default(10),
  LINK_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  // Proxies in front of the API whose X-Forwarded-For/-Proto are believed (0: none; 1: one load balancer that ends TLS).
  TRUST_PROXY: z.coerce.number().int().min(0).max(10).default(0),
  // How long the API keeps an idle client connection open. Longer than the idle timeout of whatever sits
  // in front (a load balancer's 60 s, a client's pool), so the server is never the side that closes a
  // connection just as a request is sent on it (the client would see a reset, not an answer).
  // GET /metrics answers only with this as a bearer token (unset: open, for a scraper on the same network).
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  // host:port where the worker serves its Temporal SDK metrics in Prometheus format (unset: not served).
  WORKER_METRICS_ADDRESS: z.string().regex(/^[\w.-]+:\d{1,5}$/, 'must be host:port, such as 0.0.0.0:9464').optional(),
  // Open complaints one worker keeps in memory between their steps (the SDK's sticky cache).
  WORKER_CACHE_SIZE: z.coerce.number().int().min(0).max(100_000).default(500),
  KEEP_ALIVE_TIMEOUT: duration.refine((d) => toMs(d) >= 1000, 'must be at least 1s').default('65s'),
  SESSION_IDLE: duration.default('30m'),
  SESSION_MAX: duration.default('12h'),
  SIGN_IN_DELAY: duration.default('30s'),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  // The periodic quality review: a Temporal Schedule the worker creates when it is missing.
  REVIEW_EVERY: z.union([duration, z.literal('off')]).default('7d'),
  REVIEW_PERIOD: duration.optional(), // the span each review covers; default REVIEW_EVERY
  REVIEW_RECIPIENT: z.string().email().optional(), // default: the first senior manager in the directory
  REVIEW_SCHEDULE_ID: z.string().regex(/^[\w.-]{1,100}$/, 'must be letters, digits, _ . -').default('quality-review'),
  // Quality targets the reports compare against (shares from 0 to 1).
  TARGET_ON_TIME_RATE: z.coerce.number().min(0).max(1).default(0.95),
  TARGET_SATISFACTION_RATE: z.coerce.number().min(0).max(1).default(0.95),
  TARGET_ANALYSIS_RATE: z.coerce.number().min(0).max(1).default(1.0),
  TARGET_EFFECTIVE_RESOLUTION_RATE: z.coerce.number().min(0).max(1).default(0.9),
  // Fewer complaints each period by this share (0.10: a tenth fewer than the period before).
  TARGET_COMPLAINT_REDUCTION: z.coerce.number().min(0).max(1).default(0.1),
  // The quality reports run on a small pool of their own (REPORT_POOL_SIZE connections, one core of the
  // database each), each statement stopped by PostgreSQL after REPORT_STATEMENT_TIMEOUT (also the longest
  // a report waits for a free report connection), so that dashboards over years of data cannot take the
  // connections and cores that sign-in and every other request need.
  REPORT_POOL_SIZE: z.coerce.number().int().min(1).max(20).default(2),
  REPORT_STATEMENT_TIMEOUT: duration.refine((d) => toMs(d) >= 1, 'must be at least 1ms').default('15s'),
});

export type Config = z.infer<typeof schema>;

/**
 * The Temporal address and namespace of a profile in Temporal's client configuration file
 * (TEMPORAL_CONFIG_FILE, else the CLI's default temporal.toml), named by TEMPORAL_PROFILE: the defaults
 * under TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE. Nothing when neither variable is set.
 */
function temporalProfileDefaults(env: NodeJS.ProcessEnv): Record<string, string> {
  if (!env.TEMPORAL_PROFILE && !env.TEMPORAL_CONFIG_FILE) return {};
  const { namespace, connectionOptions } = loadClientConnectConfig({ profile: env.TEMPORAL_PROFILE, overrideEnvVars: env as Record<string, string> });
  return { ...(connectionOptions.address && { TEMPORAL_ADDRESS: connectionOptions.address }), ...(namespace && { TEMPORAL_NAMESPACE: namespace }) };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const given = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== ''));
  const parsed = schema.safeParse({ ...temporalProfileDefaults(given), ...given });
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration in the environment:\n${lines.join('\n')}`);
  }
  const c = parsed.data;
  if (!!c.TEMPORAL_TLS_CERT_PATH !== !!c.TEMPORAL_TLS_KEY_PATH) {
    throw new Error('Invalid configuration: TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH go together');
  }
  if (toMs(c.SURVEY_REMINDER_AFTER) >= toMs(c.SURVEY_WINDOW)) {
    throw new Error('Invalid configuration: SURVEY_REMINDER_AFTER must be shorter than SURVEY_WINDOW');
  }
  return c;
}

let cached: Config | undefined;
export function config(): Config {
  return (cached ??= loadConfig());
}

export function publicUrl(c: Config = config()): string {
  return (c.PUBLIC_URL ?? `http://localhost:${c.PORT}`).replace(/\/$/, '');
}
