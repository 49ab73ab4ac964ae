import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createDb, type Db } from '../lib/db';
import { issueToken } from '../lib/tokens';
import { freePort, spawnManaged, waitFor, type Managed } from '../scripts/processes';
import { complaintBody } from './support/complaints';
import { eventually, getJson, postJson } from './support/services';

// What the Docker image runs, without Docker: `npm run build` compiles dist/ and prebuilds the workflow
// bundles; the compiled migration runner, worker and API (plain node, no tsx) then run against the test
// services, the worker on the prebuilt bundle (no webpack at start), and carry a complaint to its
// acknowledgement. A file the code reads from disk but the build forgot to copy fails here.

const ROOT = path.resolve(__dirname, '..');
const DIST = path.join(ROOT, 'dist');
const taskQueue = `build-${Date.now().toString(36)}`;
let db: Db;
const started: Managed[] = [];

beforeAll(async () => {
  const build = spawnSync('npm', ['run', '-s', 'build'], { cwd: ROOT, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`npm run build failed:\n${build.stdout}\n${build.stderr}`);
  db = createDb(process.env.DATABASE_URL!, 2);
}, 300_000);
afterAll(async () => {
  for (const m of started.reverse()) await m.stop();
  await db?.$disconnect();
});

const node = (name: string, file: string, env: NodeJS.ProcessEnv, lines: string[]) => {
  const m = spawnManaged(name, process.execPath, [path.join(DIST, file)], { cwd: ROOT, env: { TEMPORAL_TASK_QUEUE: taskQueue, ...env }, log: (l) => lines.push(l) });
  started.push(m);
  return m;
};

test('the build has the compiled entry points, the files they read, and both workflow bundles', () => {
  for (const file of ['api/main.js', 'worker/main.js', 'prisma/migrate.js', 'scripts/admin.js', 'workflow-bundle.js', 'workflow-bundle-traced.js',
    'api/console/index.html', 'templates/texts.json', 'templates/acknowledgement.txt', 'templates/it/acknowledgement.txt']) {
    expect([file, fs.existsSync(path.join(DIST, file))]).toEqual([file, true]);
  }
  expect(fs.readdirSync(path.join(DIST, 'prisma/migrations')).filter((d) => /^\d{14}_/.test(d)).sort())
    .toEqual(fs.readdirSync(path.join(ROOT, 'prisma/migrations')).filter((d) => /^\d{14}_/.test(d)).sort());
});

test('the compiled migration runner, worker and API carry a complaint to its acknowledgement', async () => {
  const migrate = spawnSync(process.execPath, [path.join(DIST, 'prisma/migrate.js')], { cwd: ROOT, encoding: 'utf8' });
  expect([migrate.status, migrate.stdout]).toEqual([0, expect.stringMatching(/0 applied/)]);

  // The SDK's own lines (debug) would show webpack at work if the worker bundled instead of loading dist/workflow-bundle.js.
  const workerLines: string[] = [];
  const worker = node('worker', 'worker/main.js', { LOG_LEVEL: 'debug' }, workerLines);
  await waitFor('the compiled worker to poll', async () => workerLines.some((l) => l.includes('worker polling')), 60_000, worker);
  expect(workerLines.filter((l) => /webpack|Workflow bundle created/i.test(l))).toEqual([]);

  const port = await freePort();
  const apiLines: string[] = [];
  const api = node('api', 'api/main.js', { PORT: String(port), LOG_LEVEL: 'info' }, apiLines);
  const base = `http://127.0.0.1:${port}`;
  await waitFor('the compiled API', async () => (await fetch(`${base}/health/ready`).catch(() => null))?.ok === true, 60_000, api);
  for (const page of ['/console', '/dashboard', '/complain', '/docs']) expect([page, (await fetch(`${base}${page}`)).status]).toEqual([page, 200]);

  const staff = await db.staff.create({ data: { name: 'Build Agent', email: `agent.${taskQueue}@example.com`, role: 'agent' } });
  const auth = { authorization: `Bearer ${(await issueToken(db, staff.id, 'build')).token}` };
  const filed = await postJson(`${base}/complaints`, complaintBody(), auth);
  expect(filed.status).toBe(201);
  await eventually('the acknowledgement, sent by the compiled worker', async () =>
    (await db.emailMessage.findFirst({ where: { complaintId: filed.body.id, kind: 'acknowledgement', status: 'sent' } })) !== null, 60_000);
  // The email row is marked sent by the activity; the workflow records the step (stage triage) a moment later.
  await eventually('the acknowledgement recorded by the compiled workflow', async () =>
    (await getJson(`${base}/complaints/${filed.body.id}`, auth)).body.stage === 'triage', 30_000);
}, 180_000);
