import path from 'node:path';
import { createDb } from '../lib/db';
import { migrate } from '../prisma/migrate';
import { seed } from '../prisma/seed';
import crypto from 'node:crypto';
import { setPassword } from '../api/sessions';
import { startEmbeddedPostgres } from './embedded-postgres';
import { portAnswers, prefixLogger, type Managed } from './processes';
import { ROOT, startMailCatcher, startService, startTemporal } from './stack';

// The run command: Temporal dev server, mail catcher, worker and API on one machine, with embedded
// defaults. Anything set in the environment (DATABASE_URL, TEMPORAL_ADDRESS, SMTP_URL) is used instead.

const DATA = path.resolve(process.env.DATA_DIR ?? path.join(ROOT, '.data'));
const log = prefixLogger('run');
const num = (name: string, fallback: number) => Number(process.env[name] ?? fallback);

async function main() {
  const started: Managed[] = [];
  let embedded: Awaited<ReturnType<typeof startEmbeddedPostgres>> | undefined;
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    log('stopping…');
    for (const m of [...started].reverse()) await m.stop();
    await embedded?.stop();
    log('stopped');
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));
  /**
   * Every part is restarted when it dies, as a process supervisor would (Temporal and the mail catcher
   * keep their data in .data, so nothing is lost); five exits within 30 s stop everything.
   */
  const supervise = async (name: string, start: () => Promise<Managed> | Managed) => {
    const crashes: number[] = [];
    const run = async () => {
      const m = await start();
      started.push(m);
      void m.exited.then((code) => {
        if (stopping) return;
        started.splice(started.indexOf(m), 1);
        crashes.push(Date.now());
        if (crashes.filter((t) => Date.now() - t < 30_000).length >= 5) {
          log(`${name} keeps exiting (code ${code}); stopping everything`);
          return void stopAll(1);
        }
        log(`${name} exited unexpectedly (code ${code}); starting it again`);
        setTimeout(() => {
          if (stopping) return;
          run().catch((err) => { log(`${name} did not start again (${err instanceof Error ? err.message : err}); stopping everything`); void stopAll(1); });
        }, 1000);
      });
    };
    await run();
  };

  const env: NodeJS.ProcessEnv = {};
  // PostgreSQL: the configured one, the local server, or an embedded one.
  let databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    if (await portAnswers(5432)) {
      databaseUrl = 'postgresql://postgres@127.0.0.1:5432/complaints';
    } else {
      const port = num('EMBEDDED_PG_PORT', 54320);
      embedded = await startEmbeddedPostgres(path.join(DATA, 'pglite'), port);
      databaseUrl = embedded.url;
      log(`nothing answers on 127.0.0.1:5432 and DATABASE_URL is unset: started an embedded PostgreSQL (PGlite) on port ${port}, data in ${path.join(DATA, 'pglite')}`);
    }
  }
  env.DATABASE_URL = databaseUrl;
  const m = await migrate(databaseUrl);
  const seedDb = createDb(databaseUrl, 1);
  await seed(seedDb);
  const demoPassword = await demoPasswords(seedDb);
  await seedDb.$disconnect();
  log(`database ready: ${m.applied.length} migration(s) applied, ${m.alreadyApplied.length} already there; reference data in place`);

  const links: string[] = [];
  if (!process.env.TEMPORAL_ADDRESS) {
    const port = num('TEMPORAL_PORT', 7233);
    const uiPort = num('TEMPORAL_UI_PORT', 8233);
    if (await portAnswers(port)) throw new Error(`port ${port} is taken (another Temporal server?). Stop it, or set TEMPORAL_ADDRESS=127.0.0.1:${port} to use it.`);
    await supervise('temporal', () => startTemporal({ port, uiPort, dbFile: path.join(DATA, 'temporal.sqlite') }));
    env.TEMPORAL_ADDRESS = `127.0.0.1:${port}`;
    links.push(`Temporal UI   http://localhost:${uiPort}`);
  }
  if (!process.env.SMTP_URL) {
    const smtpPort = num('MAIL_SMTP_PORT', 1025);
    const webPort = num('MAIL_WEB_PORT', 1080);
    await supervise('mail', () => startMailCatcher({ smtpPort, webPort, dir: path.join(DATA, 'mail') }));
    env.SMTP_URL = `smtp://127.0.0.1:${smtpPort}`;
    links.push(`Mail UI       http://localhost:${webPort}`);
  }

  // The worker's Temporal SDK metrics (Prometheus text) beside the API's own /metrics.
  env.WORKER_METRICS_ADDRESS = process.env.WORKER_METRICS_ADDRESS ?? `127.0.0.1:${num('WORKER_METRICS_PORT', 9464)}`;
  await supervise('worker', () => startService('worker', 'worker/main.ts', env));
  await supervise('api', () => startService('api', 'api/main.ts', env));
  const api = `http://localhost:${process.env.PORT ?? 3000}`;
  links.unshift(`API           ${api}  (GET /health; reference ${api}/docs)`, `Console       ${api}/console`, `Dashboard     ${api}/dashboard`);
  links.push(`Metrics       ${api}/metrics (API), http://${env.WORKER_METRICS_ADDRESS}/metrics (worker)`);
  links.push(demoPassword
    ? `Console sign-in: the demo staff (alex.agent, sam.supervisor, mia.manager, sena.senior … @complaints.local) got the password ${demoPassword}`
    : 'Console sign-in: demo staff keep the password printed at the first start (new one: echo \'…\' | npm run admin -- set-password --email sam.supervisor@complaints.local)');
  links.push('Tokens: npm run admin -- issue-token --email sam.supervisor@complaints.local');
  log('up:');
  for (const l of links) log(`  ${l}`);
  log('press Ctrl-C to stop everything');
}

/** The seeded demo staff without a password get one, made up now and printed once (a local demo only). */
async function demoPasswords(db: ReturnType<typeof createDb>): Promise<string | null> {
  const without = await db.staff.findMany({ where: { email: { endsWith: '@complaints.local' }, passwordHash: null, active: true } });
  if (!without.length) return null;
  const password = `demo-${crypto.randomBytes(6).toString('base64url')}`;
  for (const s of without) await setPassword(db, s.id, s.email, password);
  return password;
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
