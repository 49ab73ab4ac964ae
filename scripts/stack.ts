import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { SEARCH_ATTRIBUTE_TYPES } from '../workflows/search-attributes';
import { portAnswers, spawnManaged, waitFor, type Logger, type Managed } from './processes';

// Starting the real parts: the Temporal dev server, the mail catcher, and the service's own processes.
// Used by the run command (scripts/dev.ts) and the test setup (test/setup/global-setup.ts).

export const ROOT = path.resolve(__dirname, '..');

export function temporalCliPath(): string {
  return execFileSync(path.join(ROOT, 'scripts', 'temporal-cli.sh'), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
}

export interface TemporalOptions {
  port: number;
  uiPort?: number; // omitted: no Web UI
  dbFile?: string; // omitted: in memory
  log?: Logger | null;
  /** Durable (synchronous=NORMAL) for local runs; fast (synchronous=OFF) for tests. */
  fastSqlite?: boolean;
}

export async function startTemporal(o: TemporalOptions): Promise<Managed> {
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(o.port), '--log-level', 'error',
    // what @temporalio/testing passes: updates on, no outbound version check
    '--dynamic-config-value', 'frontend.enableUpdateWorkflowExecution=true',
    '--dynamic-config-value', 'frontend.enableUpdateWorkflowExecutionAsyncAccepted=true',
    '--dynamic-config-value', 'frontend.enableServerVersionCheck=false'];
  args.push(...(o.uiPort ? ['--ui-port', String(o.uiPort)] : ['--headless']));
  // The complaints' search attributes (workflows/search-attributes.ts), registered at start.
  for (const [name, type] of Object.entries(SEARCH_ATTRIBUTE_TYPES)) args.push('--search-attribute', `${name}=${type}`);
  if (o.dbFile) {
    fs.mkdirSync(path.dirname(o.dbFile), { recursive: true });
    args.push('--db-filename', o.dbFile, '--sqlite-pragma', 'journal_mode=WAL',
      '--sqlite-pragma', `synchronous=${o.fastSqlite ? 'OFF' : 'NORMAL'}`);
  }
  const server = spawnManaged('temporal', temporalCliPath(), args, { log: o.log });
  await waitFor(`the Temporal server on port ${o.port}`, () => portAnswers(o.port), 60_000, server);
  return server;
}

export interface MailCatcherOptions { smtpPort: number; webPort: number; dir?: string; log?: Logger | null }

/** MailDev: SMTP in, web UI and REST API (GET /email) out. With `dir`, caught mail survives restarts. */
export async function startMailCatcher(o: MailCatcherOptions): Promise<Managed> {
  const bin = require.resolve('maildev/bin/maildev');
  const args = ['--smtp', String(o.smtpPort), '--web', String(o.webPort), '--ip', '127.0.0.1'];
  if (o.dir) {
    fs.mkdirSync(o.dir, { recursive: true });
    args.push('--mail-directory', o.dir);
  }
  const catcher = spawnManaged('mail', process.execPath, [bin, ...args], { log: o.log });
  await waitFor(`the mail catcher on port ${o.smtpPort}`, () => portAnswers(o.smtpPort), 30_000, catcher);
  await waitFor(`the mail web UI on port ${o.webPort}`, () => portAnswers(o.webPort), 30_000, catcher);
  return catcher;
}

/** Runs one of the service's TypeScript entries (worker/main.ts, api/main.ts) in its own Node process. */
export function startService(name: string, entry: string, env: NodeJS.ProcessEnv, log?: Logger | null): Managed {
  return spawnManaged(name, process.execPath, ['--import', 'tsx', path.join(ROOT, entry)], { env, log, cwd: ROOT });
}
