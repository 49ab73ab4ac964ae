import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { migrate } from '../../prisma/migrate';
import { freePort, type Managed } from '../../scripts/processes';
import { startMailCatcher, startTemporal } from '../../scripts/stack';

// Starts the real services the whole run shares: a Temporal dev server (file database, so a test may
// restart it), a MailDev mail catcher, and a fresh PostgreSQL database with the migrations applied.
// Each test file then starts its own worker (on its own task queue) and API.

declare global { var __services: { stack: Managed[]; dir: string; databaseUrl: string } | undefined }

export default async function globalSetup() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'complaints-test-'));
  const quiet = process.env.TEST_VERBOSE ? undefined : null;
  const [temporalPort, smtpPort, webPort] = [await freePort(), await freePort(), await freePort()];
  const base = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
  const url = new URL(base);
  url.pathname = `/complaints_test_${Date.now().toString(36)}_${process.pid}`;
  const databaseUrl = url.toString();

  // The mail catcher first: the dev server picks free ports of its own for its inner services, and
  // could take the two just chosen for MailDev before it binds them (the server then exits with code 2).
  const [mail] = await Promise.all([startMailCatcher({ smtpPort, webPort, log: quiet }), migrate(databaseUrl)]);
  const temporal = await startTemporal({ port: temporalPort, dbFile: path.join(dir, 'temporal.sqlite'), fastSqlite: true, log: quiet });
  globalThis.__services = { stack: [temporal, mail], dir, databaseUrl };

  Object.assign(process.env, {
    DATABASE_URL: databaseUrl,
    TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
    TEMPORAL_NAMESPACE: 'default',
    SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
    TEST_SMTP_PORT: String(smtpPort),
    TEST_MAIL_API: `http://127.0.0.1:${webPort}`,
    TEST_TEMP_DIR: dir,
    // The API runs in the test process: its one-line-per-request log only when asked for.
    LOG_LEVEL: process.env.TEST_VERBOSE ? 'info' : 'warn',
    // Workers make no review schedule unless a test asks for one.
    REVIEW_EVERY: 'off',
    // Suites send far more than a person would; test/audit-and-limits.test.ts checks the limits with its own.
    RATE_LIMIT_PER_ADDRESS: '100000000',
    RATE_LIMIT_PER_TOKEN: '100000000',
  });
}
