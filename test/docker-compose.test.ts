import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { builtinModules } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { parse } from 'yaml';
import { loadConfig } from '../lib/config';
import { SEARCH_ATTRIBUTE_TYPES } from '../workflows/search-attributes';
import { ASSET_DIRS } from '../scripts/copy-build-assets';
import { WORKFLOW_BUNDLE } from '../scripts/bundle-workflows';
import { prebuiltWorkflowBundle, workflowSource, workflowsPath } from '../worker/worker';

// The Docker deployment files, checked without a Docker engine: docker-compose.yml, the Dockerfile, the
// scripts in deploy/ and Temporal's dynamic config are parsed and held against the code (lib/config.ts,
// the entry files, the search attributes, what `npm run build` compiles into dist/).
// Where the compose plugin is installed, `docker compose config` must accept the file as well.

const ROOT = path.resolve(__dirname, '..');
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');

type Env = Record<string, string>;
interface Service {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  command?: string | string[];
  entrypoint?: string | string[];
  environment?: Env | string[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  ports?: (string | number)[];
  volumes?: string[];
  healthcheck?: { test?: string | string[]; disable?: boolean };
  restart?: string;
}
interface Compose { services: Record<string, Service>; volumes?: Record<string, unknown> }

// merge: the file shares environments with `<<: *anchor`, as Docker Compose allows.
const compose = parse(read('docker-compose.yml'), { merge: true }) as Compose;
const services = compose.services;
const service = (name: string): Service => {
  const s = services[name];
  if (!s) throw new Error(`docker-compose.yml has no service "${name}"`);
  return s;
};

/** `environment:` as a map, whichever of the two compose forms (map or KEY=value list) is used. */
function envOf(s: Service): Env {
  const e = s.environment ?? {};
  if (Array.isArray(e)) {
    return Object.fromEntries(e.map((kv) => {
      const i = kv.indexOf('=');
      return i < 0 ? [kv, ''] : [kv.slice(0, i), kv.slice(i + 1)];
    }));
  }
  return Object.fromEntries(Object.entries(e).map(([k, v]) => [k, String(v)]));
}

const dependsOn = (s: Service): Record<string, string> => {
  const d = s.depends_on ?? [];
  return Array.isArray(d)
    ? Object.fromEntries(d.map((n) => [n, 'service_started']))
    : Object.fromEntries(Object.entries(d).map(([n, v]) => [n, v?.condition ?? 'service_started']));
};

/** Every service `name` waits for, directly or through others. */
function allDependencies(name: string, seen = new Set<string>()): Set<string> {
  for (const dep of Object.keys(dependsOn(service(name)))) {
    if (!seen.has(dep)) {
      seen.add(dep);
      allDependencies(dep, seen);
    }
  }
  return seen;
}

const argv = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : v.split(/\s+/));
const commandOf = (s: Service) => argv(s.command);
const healthcheckOf = (s: Service) => [s.healthcheck?.test ?? []].flat().join(' ');

/** The top-level keys of the zod schema in lib/config.ts: the environment variables the service reads. */
const configKeys = [...read('lib/config.ts').matchAll(/^ {2}([A-Z][A-Z0-9_]*):/gm)].map((m) => m[1]);

/** The Dockerfile as stages: each FROM line with the instructions up to the next one. */
interface Stage { from: string; name?: string; lines: string[] }
function dockerfileStages(): Stage[] {
  const stages: Stage[] = [];
  // Continuation lines joined, comments and blank lines dropped.
  const lines = read('Dockerfile').replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  for (const line of lines) {
    const from = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?$/i.exec(line);
    if (from) stages.push({ from: from[1], name: from[2], lines: [] });
    else if (!stages.length) throw new Error(`Dockerfile: "${line}" before the first FROM`);
    else stages[stages.length - 1].lines.push(line);
  }
  return stages;
}
const stages = dockerfileStages();
const finalStage = stages[stages.length - 1];
const instructions = (stage: Stage, keyword: string) =>
  stage.lines.filter((l) => l.toUpperCase().startsWith(`${keyword} `)).map((l) => l.slice(keyword.length + 1).trim());

/** The final stage's CMD, exec form. */
function dockerfileCmd(): string[] {
  const cmd = instructions(finalStage, 'CMD').pop();
  if (!cmd) throw new Error('the Dockerfile\'s final stage has no CMD');
  return JSON.parse(cmd) as string[];
}

/** What `npm run build` compiles: tsconfig.build.json as TypeScript itself reads it (extends, include, exclude). */
function buildConfig(): ts.ParsedCommandLine {
  const parsed = ts.getParsedCommandLineOfConfigFile(path.join(ROOT, 'tsconfig.build.json'), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n')); },
  });
  if (!parsed) throw new Error('tsconfig.build.json cannot be read');
  return parsed;
}
const build = buildConfig();
const compiled = new Set(build.fileNames.map((f) => path.relative(ROOT, f)));

/**
 * The source a `dist/…js` entry is compiled from (dist/api/main.js → api/main.ts), which must exist and be
 * part of the build; undefined for anything else.
 */
function sourceOfDistEntry(entry: string): string | undefined {
  const m = /^dist\/(.+)\.js$/.exec(entry);
  return m ? `${m[1]}.ts` : undefined;
}
const jsEntries = (cmd: string[]) => cmd.filter((a) => a.endsWith('.js') || a.endsWith('.ts'));

const APP = ['migrate', 'worker', 'api'];
const ONE_SHOT = ['temporal-schema', 'temporal-namespace', 'migrate'];
const ADMIN_TOOLS = ['temporal-schema', 'temporal-namespace'];

test('lib/config.ts yields the configuration keys the checks below rely on', () => {
  // Guards the regex: an empty or wrong list would make the environment check meaningless.
  expect(configKeys).toEqual(expect.arrayContaining([
    'DATABASE_URL', 'TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'TEMPORAL_TASK_QUEUE', 'SMTP_URL', 'MAIL_FROM', 'PORT', 'PUBLIC_URL',
    'WORKER_METRICS_ADDRESS',
  ]));
  expect(configKeys.every((k) => /^[A-Z_]+$/.test(k))).toBe(true);
});

test('docker-compose.yml has the whole stack, on pinned images of Temporal\'s current server, admin tools and UI', () => {
  expect(Object.keys(services).sort()).toEqual(
    ['api', 'mail', 'migrate', 'postgresql', 'temporal', 'temporal-namespace', 'temporal-schema', 'temporal-ui', 'worker'].sort());
  expect(service('postgresql').image).toMatch(/^postgres:16(\.|$)/);
  expect(service('temporal').image).toMatch(/^temporalio\/server:\d+\.\d+\.\d+$/);
  for (const name of ADMIN_TOOLS) expect({ name, image: service(name).image }).toEqual({ name, image: expect.stringMatching(/^temporalio\/admin-tools:\d+\.\d+\.\d+(-|$)/) });
  expect(service('temporal-ui').image).toMatch(/^temporalio\/ui:\d+\.\d+\.\d+$/);
  expect(service('mail').image).toMatch(/^maildev\/maildev:\d/);

  // The admin tools apply the schema the server expects: the same Temporal release.
  const serverVersion = service('temporal').image!.split(':')[1];
  for (const name of ADMIN_TOOLS) expect(service(name).image!.split(':')[1].split('-')[0]).toBe(serverVersion);

  for (const [name, s] of Object.entries(services)) {
    // auto-setup is no longer published for new Temporal releases; the server image replaces it.
    expect({ name, image: s.image ?? '' }).toEqual({ name, image: expect.not.stringMatching(/auto-setup/) });
    if (s.image) expect({ name, image: s.image }).toEqual({ name, image: expect.not.stringMatching(/:latest$|^[^:]+$/) });
  }
});

test('PostgreSQL has a pg_isready healthcheck and keeps its data in a volume', () => {
  const pg = service('postgresql');
  expect(healthcheckOf(pg)).toContain('pg_isready');
  const mounts = pg.volumes ?? [];
  expect(mounts.some((v) => v.split(':')[1] === '/var/lib/postgresql/data')).toBe(true);
  const named = mounts.map((v) => v.split(':')[0]).filter((src) => !src.startsWith('.') && !src.startsWith('/'));
  for (const v of named) expect(Object.keys(compose.volumes ?? {})).toContain(v);
});

test('Temporal persists in the compose PostgreSQL, listens beyond localhost and enables workflow updates through its dynamic config', () => {
  const t = service('temporal');
  const env = envOf(t);
  expect(env).toMatchObject({ DB: 'postgres12', DB_PORT: '5432', POSTGRES_SEEDS: 'postgresql', BIND_ON_IP: '0.0.0.0' });
  expect(env.POSTGRES_USER).toBe(envOf(service('postgresql')).POSTGRES_USER);
  expect(env.POSTGRES_PWD).toBe(envOf(service('postgresql')).POSTGRES_PASSWORD);
  // Visibility on SQL too (the server image's config template: no Elasticsearch unless ENABLE_ES).
  expect(env.ENABLE_ES ?? 'false').toBe('false');

  // The schema service prepares exactly the databases the server then uses.
  const schemaEnv = envOf(service('temporal-schema'));
  for (const key of ['DB', 'DB_PORT', 'POSTGRES_USER', 'POSTGRES_PWD', 'POSTGRES_SEEDS', 'DBNAME', 'VISIBILITY_DBNAME']) {
    expect({ key, value: schemaEnv[key] }).toEqual({ key, value: env[key] });
  }

  // The file named by DYNAMIC_CONFIG_FILE_PATH is the one mounted from deploy/.
  const target = env.DYNAMIC_CONFIG_FILE_PATH;
  expect(target).toBeTruthy();
  const mount = (t.volumes ?? []).map((v) => v.split(':')).find(([, inside]) => inside === target
    || inside === path.posix.join('/etc/temporal', target)); // the image's working directory, for relative paths
  expect(mount?.[0]).toBe('./deploy/temporal-dynamicconfig.yaml');

  const dynamic = parse(read('deploy/temporal-dynamicconfig.yaml')) as Record<string, { value: unknown }[]>;
  expect(dynamic['frontend.enableUpdateWorkflowExecution']).toEqual([{ value: true }]);
  for (const [key, values] of Object.entries(dynamic)) {
    expect({ key, shape: Array.isArray(values) && values.every((v) => 'value' in v) }).toEqual({ key, shape: true });
  }
});

test('the one-shot Temporal services run the scripts in deploy/: schema for both databases, then namespace and search attributes', () => {
  for (const name of ADMIN_TOOLS) {
    const s = service(name);
    const script = argv(s.entrypoint).find((a) => a.endsWith('.sh'));
    const mount = (s.volumes ?? []).map((v) => v.split(':')).find(([, inside]) => inside === script);
    expect({ name, mounted: mount?.[0] }).toEqual({ name, mounted: expect.stringMatching(/^\.\/deploy\/[\w-]+\.sh$/) });
    expect(fs.existsSync(path.join(ROOT, mount![0]))).toBe(true);
  }

  const schema = read('deploy/temporal-schema.sh');
  for (const step of ['create', 'setup-schema -v 0.0', 'update-schema -d']) expect(schema).toContain(step);
  expect(schema).toContain('temporal-sql-tool --plugin');
  expect(schema).toMatch(/\/etc\/temporal\/schema\/postgresql\/v12/);
  expect(schema).toMatch(/\/temporal\/versioned"/);
  expect(schema).toMatch(/\/visibility\/versioned"/);

  const ns = service('temporal-namespace');
  expect(envOf(ns)).toMatchObject({ TEMPORAL_ADDRESS: envOf(service('api')).TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE: envOf(service('api')).TEMPORAL_NAMESPACE });
});

test('the namespace script registers exactly the search attributes of workflows/search-attributes.ts, with their types', () => {
  const script = read('deploy/temporal-namespace.sh');
  const block = /^SEARCH_ATTRIBUTES=\(\n([\s\S]*?)\n\)/m.exec(script);
  expect(block).not.toBeNull();
  const registered = Object.fromEntries(block![1].split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#')).map((l) => {
    const m = /^(\w+)=(\w+)$/.exec(l);
    if (!m) throw new Error(`deploy/temporal-namespace.sh: unexpected line in SEARCH_ATTRIBUTES: ${l}`);
    return [m[1], m[2]];
  }));
  expect(Object.keys(SEARCH_ATTRIBUTE_TYPES).length).toBeGreaterThan(0);
  expect(registered).toEqual(SEARCH_ATTRIBUTE_TYPES);
  expect(script).toMatch(/temporal operator search-attribute create --namespace "\$TEMPORAL_NAMESPACE" --name "\$name" --type "\$type"/);
});

test('services start in order: PostgreSQL → Temporal schema → Temporal → namespace → worker and api; migrations and the UI in between', () => {
  expect(dependsOn(service('temporal-schema'))).toMatchObject({ postgresql: 'service_healthy' });
  expect(dependsOn(service('temporal'))).toMatchObject({ 'temporal-schema': 'service_completed_successfully' });
  expect(dependsOn(service('temporal-namespace'))).toMatchObject({ temporal: 'service_healthy' });
  expect(dependsOn(service('migrate'))).toMatchObject({ postgresql: 'service_healthy' });
  expect(dependsOn(service('temporal-ui'))).toMatchObject({ temporal: 'service_healthy' });
  for (const name of ['api', 'worker']) {
    expect({ name, deps: dependsOn(service(name)) }).toEqual({ name, deps: expect.objectContaining({
      migrate: 'service_completed_successfully',
      'temporal-namespace': 'service_completed_successfully',
      mail: expect.stringMatching(/^service_(started|healthy)$/),
    }) });
    expect([...allDependencies(name)].sort()).toEqual(
      ['mail', 'migrate', 'postgresql', 'temporal', 'temporal-namespace', 'temporal-schema'].sort());
  }

  for (const [name, s] of Object.entries(services)) {
    for (const [dep, condition] of Object.entries(dependsOn(s))) {
      // Waiting for "healthy" needs a healthcheck; waiting for "completed" needs a service that exits.
      if (condition === 'service_healthy') expect({ name, dep, healthcheck: !!service(dep).healthcheck?.test }).toEqual({ name, dep, healthcheck: true });
      if (condition === 'service_completed_successfully') expect({ name, dep, oneShot: ONE_SHOT.includes(dep) }).toEqual({ name, dep, oneShot: true });
    }
  }
  for (const name of ONE_SHOT) expect({ name, restart: service(name).restart ?? 'no' }).toEqual({ name, restart: 'no' });
});

test('health checks: PostgreSQL, Temporal, the mail catcher, the API\'s readiness and the worker\'s metrics endpoint', () => {
  for (const name of ['postgresql', 'temporal', 'mail', 'api', 'worker']) {
    const s = service(name);
    expect({ name, healthcheck: !!s.healthcheck?.test && !s.healthcheck.disable }).toEqual({ name, healthcheck: true });
  }
  expect(healthcheckOf(service('temporal'))).toMatch(/temporal operator cluster health --address temporal:7233/);

  // The slim Node image has no curl: the app's checks are Node one-liners on the ports the service uses.
  const api = healthcheckOf(service('api'));
  expect(api).toMatch(/^CMD node -e /);
  expect(api).toContain(`http://127.0.0.1:${envOf(service('api')).PORT}/health/ready`);
  const worker = healthcheckOf(service('worker'));
  const metricsPort = envOf(service('worker')).WORKER_METRICS_ADDRESS?.split(':')[1];
  expect(metricsPort).toMatch(/^\d+$/);
  expect(worker).toMatch(/^CMD node -e /);
  expect(worker).toContain(`http://127.0.0.1:${metricsPort}/metrics`);
});

test('the Temporal UI and the mail catcher are published on the documented ports', () => {
  const ui = service('temporal-ui');
  expect(envOf(ui).TEMPORAL_ADDRESS).toBe('temporal:7233');
  expect((ui.ports ?? []).map(String)).toContain('8233:8080');
  expect((service('mail').ports ?? []).map(String)).toContain('1080:1080');
  expect((service('api').ports ?? []).map(String)).toContain('3000:3000');
});

test('migrate, worker and api are built from this repository\'s Dockerfile and run compiled entry files of the build', () => {
  for (const name of APP) {
    const b = service(name).build;
    const buildOpts = typeof b === 'string' ? { context: b } : b;
    expect({ name, context: path.resolve(ROOT, buildOpts?.context ?? '<none>') }).toEqual({ name, context: ROOT });
    const dockerfile = path.resolve(ROOT, buildOpts?.context ?? '.', buildOpts?.dockerfile ?? 'Dockerfile');
    expect(fs.existsSync(dockerfile)).toBe(true);
    expect(dockerfile).toBe(path.join(ROOT, 'Dockerfile'));
  }
  const expected: Record<string, string> = { migrate: 'prisma/migrate.ts', worker: 'worker/main.ts', api: 'api/main.ts' };
  for (const name of APP) {
    // The api may rely on the image's default command; either way it must be the API's entry.
    const cmd = commandOf(service(name)).length ? commandOf(service(name)) : dockerfileCmd();
    expect({ name, cmd }).toEqual({ name, cmd: ['node', expect.stringMatching(/^dist\/.+\.js$/)] }); // compiled: no tsx
    const source = sourceOfDistEntry(cmd[1])!;
    expect({ name, source }).toEqual({ name, source: expected[name] });
    expect(fs.existsSync(path.join(ROOT, source))).toBe(true);
    expect({ name, source, compiled: compiled.has(source) }).toEqual({ name, source, compiled: true });
  }
});

test('npm run build compiles the service into dist/, copies what the code reads from disk and prebuilds the workflow bundle', () => {
  const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string>; dependencies: Record<string, string> };
  expect(pkg.scripts.build).toMatch(/^tsc -p tsconfig\.build\.json && /);
  for (const script of ['scripts/copy-build-assets.ts', 'scripts/bundle-workflows.ts']) {
    expect(pkg.scripts.build).toContain(script);
    expect(fs.existsSync(path.join(ROOT, script))).toBe(true);
  }
  // Build tools, and the stand-ins `npm start` runs (MailDev, PGlite), stay out of the production
  // dependencies the image installs...
  for (const tool of ['tsx', 'typescript', 'prisma', 'ts-jest', 'maildev', '@electric-sql/pglite']) {
    expect({ tool, production: tool in pkg.dependencies }).toEqual({ tool, production: false });
  }
  // ...and every package a compiled file imports or requires is one of them (node's own modules aside).
  const builtins = new Set(builtinModules);
  const packageOf = (spec: string) => spec.split('/').slice(0, spec.startsWith('@') ? 2 : 1).join('/');
  const missing = new Set<string>();
  for (const file of build.fileNames) {
    const { importedFiles } = ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true); // imports, requires, import()
    for (const { fileName } of importedFiles.filter((f) => !f.fileName.startsWith('.'))) {
      const spec = fileName.replace(/^node:/, '');
      if (builtins.has(spec) || builtins.has(packageOf(spec))) continue;
      if (!(packageOf(spec) in pkg.dependencies)) missing.add(`${path.relative(ROOT, file)}: ${packageOf(spec)}`);
    }
  }
  expect([...missing]).toEqual([]);

  expect(build.errors).toEqual([]);
  expect(build.options.noEmit).toBeFalsy();
  expect(build.options.outDir).toBe(path.join(ROOT, 'dist'));
  expect(build.options.rootDir).toBe(ROOT); // dist/ mirrors the source tree: dist/api/main.js from api/main.ts
  for (const entry of ['api/main.ts', 'worker/main.ts', 'prisma/migrate.ts', 'scripts/admin.ts', 'workflows/index.ts']) {
    expect({ entry, compiled: compiled.has(entry) }).toEqual({ entry, compiled: true });
  }
  expect([...compiled].filter((f) => /^(test|bench)\//.test(f))).toEqual([]);

  // Files that read from disk next to themselves (path.join(__dirname, 'x')): what they read must be copied.
  const covered = (rel: string) => ASSET_DIRS.some(({ dir }) => rel === dir || rel.startsWith(`${dir}/`));
  for (const file of compiled) {
    if (file === 'worker/worker.ts') continue; // the workflow bundle, below
    const code = read(file);
    if (!code.includes('__dirname')) continue;
    const literals = [...code.matchAll(/path\.join\(__dirname,\s*'([^'.][^']*)'/g)].map((m) => path.posix.join(path.posix.dirname(file), m[1]));
    for (const target of literals.length ? literals : [path.posix.dirname(file)]) {
      expect({ file, target, copied: covered(target) }).toEqual({ file, target, copied: true });
    }
  }
  for (const { dir } of ASSET_DIRS) expect({ dir, exists: fs.existsSync(path.join(ROOT, dir)) }).toEqual({ dir, exists: true });

  // The worker loads the bundle the build writes (dist/worker/ → dist/workflow-bundle.js); from the sources,
  // with no bundle next to them, it bundles workflows/index.ts at start as before.
  expect(path.relative(path.join(ROOT, 'worker'), prebuiltWorkflowBundle)).toBe(path.relative(path.join(ROOT, 'dist', 'worker'), WORKFLOW_BUNDLE));
  expect(workflowsPath).toBe(path.join(ROOT, 'workflows', 'index.ts'));
  expect(workflowSource()).toEqual({ workflowsPath });
});

test('the Dockerfile: multi-stage on Node 24 slim, production dependencies and dist/ in the final stage, run as a non-root user', () => {
  expect(stages.length).toBeGreaterThanOrEqual(2);
  for (const stage of stages) expect(stage.from).toMatch(/^node:24-bookworm-slim$/);

  // The build stage: full install, offline Prisma generate, then npm run build.
  const buildStage = stages.find((s) => s.lines.some((l) => /^RUN npm run build\b/.test(l)));
  expect(buildStage?.name).toBeTruthy();
  expect(buildStage).not.toBe(finalStage);
  const buildRuns = instructions(buildStage!, 'RUN');
  expect(buildRuns.some((r) => /^npm ci\b/.test(r) && !/--omit/.test(r))).toBe(true);
  const generate = buildRuns.find((r) => /prisma generate/.test(r));
  expect(generate).toMatch(/PRISMA_SCHEMA_ENGINE_BINARY=\/bin\/false/);
  expect(generate).toMatch(/PRISMA_QUERY_ENGINE_LIBRARY=\/bin\/false/);
  // NODE_ENV=production before `npm ci` would leave out the dev dependencies the build needs.
  const installAt = buildStage!.lines.findIndex((l) => /^RUN npm ci\b/.test(l));
  const nodeEnvAt = buildStage!.lines.findIndex((l) => /^ENV NODE_ENV=production/.test(l));
  if (nodeEnvAt >= 0) expect(nodeEnvAt).toBeGreaterThan(installAt);

  // The final stage: production dependencies only, the compiled dist/ from the build stage, no compiler.
  const runs = instructions(finalStage, 'RUN');
  expect(runs.filter((r) => /\bnpm (ci|install)\b/.test(r))).toEqual([expect.stringMatching(/^npm ci (.* )?--omit=dev\b/)]);
  expect(instructions(finalStage, 'COPY')).toEqual(expect.arrayContaining([`--from=${buildStage!.name} /app/dist ./dist`]));
  expect(finalStage.lines.join('\n')).not.toMatch(/\btsx\b|npm run build|\btsc\b/);

  const users = instructions(finalStage, 'USER');
  expect(users.length).toBeGreaterThan(0);
  expect(users[users.length - 1]).not.toMatch(/^(root|0)(:|$)/);
  expect(finalStage.lines.findIndex((l) => /^USER /.test(l))).toBeGreaterThan(finalStage.lines.findIndex((l) => /^RUN /.test(l)));

  const cmd = dockerfileCmd();
  expect(cmd).toEqual(['node', 'dist/api/main.js']);
  for (const entry of jsEntries(cmd)) {
    const source = sourceOfDistEntry(entry)!;
    expect(fs.existsSync(path.join(ROOT, source))).toBe(true);
    expect(compiled.has(source)).toBe(true);
  }

  const ignored = read('.dockerignore').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'generated', 'dist', '.data', '.git', 'test-output']));
});

test('the build stage\'s `prisma generate`, run with only the files copied before it, writes a client that compiles to loadable JavaScript', () => {
  // Prisma's generator picks its import style from the files beside the schema: without tsconfig.json it
  // writes `from "./internal/class.ts"`, which tsc leaves as require("./internal/class.ts") and the image's
  // API then fails to start (seen in a real docker build). Replay the build stage up to that step here.
  const buildStage = stages.find((s) => s.lines.some((l) => /^RUN npm run build\b/.test(l)))!;
  const generateAt = buildStage.lines.findIndex((l) => /^RUN .*prisma generate/.test(l));
  expect(generateAt).toBeGreaterThan(0);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'image-generate-'));
  try {
    for (const line of buildStage.lines.slice(0, generateAt)) {
      if (/^RUN npm ci\b/.test(line)) fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
      const copy = /^COPY\s+(.+)$/i.exec(line);
      if (!copy) continue;
      const args = copy[1].split(/\s+/);
      const dest = args.pop()!;
      for (const src of args) {
        const target = dest.endsWith('/') ? path.join(dir, dest, path.basename(src)) : path.join(dir, dest);
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.copyFileSync(path.join(ROOT, src), target);
      }
    }
    const run = spawnSync('sh', ['-c', buildStage.lines[generateAt].slice(4)], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
    expect({ status: run.status, stderr: run.stderr }).toMatchObject({ status: 0 });
    const generated = path.join(dir, 'generated', 'prisma');
    const sources = fs.readdirSync(generated, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    expect(sources).toContain('client.ts');
    const tsImports = sources.flatMap((f) => [...fs.readFileSync(path.join(generated, f), 'utf8').matchAll(/from\s+["'](\.[^"']+\.ts)["']/g)]
      .map((m) => `${f}: ${m[1]}`));
    expect(tsImports).toEqual([]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 180_000);

test('api and worker set only variables lib/config.ts reads, with values it accepts, pointing at the compose services', () => {
  for (const name of ['api', 'worker', 'migrate']) {
    const env = envOf(service(name));
    const unknown = Object.keys(env).filter((k) => !configKeys.includes(k));
    expect({ name, unknown }).toEqual({ name, unknown: [] });
    // The service's own validation accepts the values as they stand.
    expect(() => loadConfig(env)).not.toThrow();
  }
  for (const name of ['api', 'worker']) {
    const env = envOf(service(name));
    expect(Object.keys(env)).toEqual(expect.arrayContaining(
      ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'TEMPORAL_TASK_QUEUE', 'SMTP_URL', 'MAIL_FROM', 'PORT', 'PUBLIC_URL']));
    const db = new URL(env.DATABASE_URL);
    expect({ name, protocol: db.protocol, host: db.hostname, port: db.port || '5432', database: db.pathname })
      .toEqual({ name, protocol: 'postgresql:', host: 'postgresql', port: '5432', database: '/complaints' });
    expect(decodeURIComponent(db.username)).toBe(envOf(service('postgresql')).POSTGRES_USER);
    expect(decodeURIComponent(db.password)).toBe(envOf(service('postgresql')).POSTGRES_PASSWORD);
    expect(env.TEMPORAL_ADDRESS).toBe('temporal:7233');
    expect(env.TEMPORAL_NAMESPACE).toBe('default');
    expect(env.TEMPORAL_TASK_QUEUE).toBe('complaints');
    const smtp = new URL(env.SMTP_URL);
    expect([smtp.protocol, smtp.hostname, smtp.port]).toEqual(['smtp:', 'mail', '1025']);
    expect(env.PORT).toBe('3000');
  }
  // api and worker must agree, or the API would start workflows nobody polls; the worker adds its metrics address.
  const { WORKER_METRICS_ADDRESS, ...workerShared } = envOf(service('worker'));
  expect(WORKER_METRICS_ADDRESS).toMatch(/^0\.0\.0\.0:\d+$/);
  expect(envOf(service('api'))).toEqual(workerShared);
  expect(envOf(service('migrate')).DATABASE_URL).toBe(envOf(service('api')).DATABASE_URL);
});

test('every dependency and named volume is defined, and docker compose config agrees where the plugin exists', () => {
  for (const [name, s] of Object.entries(services)) {
    for (const dep of Object.keys(dependsOn(s))) expect({ name, dep, defined: dep in services }).toEqual({ name, dep, defined: true });
    for (const v of s.volumes ?? []) {
      const src = v.split(':')[0];
      if (src.startsWith('.') || src.startsWith('/')) expect({ name, src, exists: fs.existsSync(path.resolve(ROOT, src)) }).toEqual({ name, src, exists: true });
      else expect({ name, src, declared: src in (compose.volumes ?? {}) }).toEqual({ name, src, declared: true });
    }
  }

  // No Docker engine is needed for this: `docker compose config` only resolves and validates the file.
  const plugin = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' });
  if (plugin.status === 0) {
    const res = spawnSync('docker', ['compose', '-f', path.join(ROOT, 'docker-compose.yml'), 'config', '--quiet'],
      { cwd: ROOT, encoding: 'utf8' });
    expect({ status: res.status, stderr: res.stderr }).toMatchObject({ status: 0 });
  }
});
