import { config } from './config';

// One JSON object per line on stdout: easy for people to grep and for log shippers to parse.

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40 } as const;
export type Level = keyof typeof LEVELS;

export function log(level: Level, msg: string, fields: Record<string, unknown> = {}) {
  let threshold: Level = 'info';
  try { threshold = config().LOG_LEVEL; } catch { /* configuration errors are reported elsewhere */ }
  if (LEVELS[level] < LEVELS[threshold]) return;
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields })}\n`);
}
