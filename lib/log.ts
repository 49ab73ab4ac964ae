import { AsyncLocalStorage } from 'node:async_hooks';
import { Context } from '@temporalio/activity';
import pino from 'pino';
import { config } from './config';

// One JSON object per line on stdout (pino), for people to grep and for log shippers to parse. Every
// line carries what it happened for: the request id inside an API request (requestScope), the workflow
// id, run id, activity type and attempt inside an activity (the Temporal activity context), and the
// Temporal SDK's own lines come through the same logger (sdkLogger) with the ids the SDK attaches.

export type Level = 'debug' | 'info' | 'warn' | 'error';

/** The request id of the API request being answered, for every line logged while it is. */
export const requestScope = new AsyncLocalStorage<{ requestId: string }>();

function activityFields(): Record<string, unknown> {
  try {
    const info = Context.current().info;
    return { workflowId: info.workflowExecution?.workflowId, runId: info.workflowExecution?.runId, activityType: info.activityType, attempt: info.attempt };
  } catch {
    return {}; // not inside an activity
  }
}

let instance: pino.Logger | undefined;
export function logger(): pino.Logger {
  if (instance) return instance;
  let level: Level = 'info';
  try { level = config().LOG_LEVEL; } catch { /* configuration errors are reported elsewhere */ }
  instance = pino({
    level,
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    // Inside an API request there is no activity: the activity context (which throws outside one) is not asked.
    mixin: () => { const request = requestScope.getStore(); return request ? { ...request } : activityFields(); },
  });
  return instance;
}

export function log(level: Level, msg: string, fields: Record<string, unknown> = {}) {
  logger()[level](fields, msg);
}

const SDK_LEVELS = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;

/** A log function for the Temporal SDK's DefaultLogger: its lines, with their workflow and activity ids, as ours. */
export function sdkLogFunction(entry: { level: keyof typeof SDK_LEVELS; message: string; meta?: Record<string, unknown> }) {
  const { sdkComponent, ...meta } = entry.meta ?? {};
  logger()[SDK_LEVELS[entry.level]]({ ...meta, ...(sdkComponent ? { sdk: sdkComponent } : { sdk: 'core' }) }, entry.message);
}
