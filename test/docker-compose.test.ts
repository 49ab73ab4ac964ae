import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '../lib/config';

// The Docker deployment files, checked without a Docker engine: docker-compose.yml, the Dockerfile and
// Temporal's dynamic config are parsed and held against the code (lib/config.ts, the entry files).
// Where the compose plugin is installed, `docker compose config` must accept the file as well.

const ROOT = path.resolve(__dirname, '..');
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');

type Env = Record<string, string>;
interface Service {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  command?: string | string[];
  environment?: Env | string[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  ports?: (string | number)[];
  volumes?: string[];
  healthcheck?: { test?: string | string[] };
}
interface Compose { services: Record<string, Service>; volumes?: Record<string, unknown> }

const compose = parse(read('docker-compose.yml')) as Compose;
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

const commandOf = (s: Service): string[] =>
  s.command === undefined ? [] : Array.isArray(s.command) ? s.command : s.command.split(/\s+/);

/** The top-level keys of the zod schema in lib/config.ts: the environment variables the service reads. */
const configKeys = [...read('lib/config.ts').matchAll(/^ {2}([A-Z][A-Z0-9_]*):/gm)].map((m) => m[1]);

/** The Dockerfile's CMD, exec form. */
function dockerfileCmd(): string[] {
  const line = read('Dockerfile').split('\n').filter((l) => /^CMD\s/.test(l)).pop();
  if (!line) throw new Error('the Dockerfile has no CMD');
  return JSON.parse(line.replace(/^CMD\s+/, '')) as string[];
}

const tsEntries = (cmd: string[]) => cmd.filter((a) => a.endsWith('.ts'));

const APP = ['migrate', 'worker', 'api'];

test('lib/config.ts yields the configuration keys the checks below rely on', () => {
  // Guards the regex: an empty or wrong list would make the environment check meaningless.
  expect(configKeys).toEqual(expect.arrayContaining([
    'DATABASE_URL', 'TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'TEMPORAL_TASK_QUEUE', 'SMTP_URL', 'MAIL_FROM', 'PORT', 'PUBLIC_URL',
  ]));
  expect(configKeys.every((k) => /^[A-Z_]+$/.test(k))).toBe(true);
});

test('docker-compose.yml has the whole stack, on pinned images', () => {
  expect(Object.keys(services).sort()).toEqual(
    ['api', 'mail', 'migrate', 'postgresql', 'temporal', 'temporal-ui', 'worker'].sort());
  expect(service('postgresql').image).toMatch(/^postgres:16(\.|$)/);
  expect(service('temporal').image).toMatch(/^temporalio\/auto-setup:\d/);
  expect(service('temporal-ui').image).toMatch(/^temporalio\/ui:\d/);
  expect(service('mail').image).toMatch(/^maildev\/maildev:\d/);
  for (const [name, s] of Object.entries(services)) {
    if (s.image) expect({ name, image: s.image }).toEqual({ name, image: expect.not.stringMatching(/:latest$|^[^:]+$/) });
  }
});

test('PostgreSQL has a pg_isready healthcheck and keeps its data in a volume', () => {
  const pg = service('postgresql');
  expect([pg.healthcheck?.test ?? []].flat().join(' ')).toContain('pg_isready');
  const mounts = pg.volumes ?? [];
  expect(mounts.some((v) => v.split(':')[1] === '/var/lib/postgresql/data')).toBe(true);
  const named = mounts.map((v) => v.split(':')[0]).filter((src) => !src.startsWith('.') && !src.startsWith('/'));
  for (const v of named) expect(Object.keys(compose.volumes ?? {})).toContain(v);
});

test('Temporal persists in the compose PostgreSQL and enables workflow updates through its dynamic config', () => {
  const t = service('temporal');
  const env = envOf(t);
  expect(env).toMatchObject({ DB: 'postgres12', DB_PORT: '5432', POSTGRES_SEEDS: 'postgresql' });
  expect(env.POSTGRES_USER).toBe(envOf(service('postgresql')).POSTGRES_USER);
  expect(env.POSTGRES_PWD).toBe(envOf(service('postgresql')).POSTGRES_PASSWORD);
  expect(dependsOn(t)).toMatchObject({ postgresql: 'service_healthy' });

  // The file named by DYNAMIC_CONFIG_FILE_PATH is the one mounted from deploy/.
  const target = env.DYNAMIC_CONFIG_FILE_PATH;
  expect(target).toBeTruthy();
  const mount = (t.volumes ?? []).map((v) => v.split(':')).find(([, inside]) => inside === target
    || inside === path.posix.join('/etc/temporal', target)); // auto-setup's working directory, for relative paths
  expect(mount?.[0]).toBe('./deploy/temporal-dynamicconfig.yaml');

  const dynamic = parse(read('deploy/temporal-dynamicconfig.yaml')) as Record<string, { value: unknown }[]>;
  expect(dynamic['frontend.enableUpdateWorkflowExecution']).toEqual([{ value: true }]);
  for (const [key, values] of Object.entries(dynamic)) {
    expect({ key, shape: Array.isArray(values) && values.every((v) => 'value' in v) }).toEqual({ key, shape: true });
  }
});

test('the Temporal UI and the mail catcher are published on the documented ports', () => {
  const ui = service('temporal-ui');
  expect(envOf(ui).TEMPORAL_ADDRESS).toBe('temporal:7233');
  expect((ui.ports ?? []).map(String)).toContain('8233:8080');
  expect((service('mail').ports ?? []).map(String)).toContain('1080:1080');
  expect((service('api').ports ?? []).map(String)).toContain('3000:3000');
});

test('migrate, worker and api are built from this repository\'s Dockerfile and run existing entry files', () => {
  for (const name of APP) {
    const b = service(name).build;
    const build = typeof b === 'string' ? { context: b } : b;
    expect({ name, context: path.resolve(ROOT, build?.context ?? '<none>') }).toEqual({ name, context: ROOT });
    const dockerfile = path.resolve(ROOT, build?.context ?? '.', build?.dockerfile ?? 'Dockerfile');
    expect(fs.existsSync(dockerfile)).toBe(true);
    expect(dockerfile).toBe(path.join(ROOT, 'Dockerfile'));
  }
  expect(tsEntries(commandOf(service('migrate')))).toEqual(['prisma/migrate.ts']);
  expect(tsEntries(commandOf(service('worker')))).toEqual(['worker/main.ts']);
  // The api may rely on the image's default command; either way it must be api/main.ts.
  const apiCmd = commandOf(service('api'));
  expect(tsEntries(apiCmd.length ? apiCmd : dockerfileCmd())).toEqual(['api/main.ts']);
  for (const name of APP) {
    for (const entry of tsEntries(commandOf(service(name)))) expect(fs.existsSync(path.join(ROOT, entry))).toBe(true);
  }
});

test('the Dockerfile: node 20 slim base, npm ci, an offline Prisma generate, and a CMD whose entry exists', () => {
  const dockerfile = read('Dockerfile');
  expect(dockerfile).toMatch(/^FROM node:20-bookworm-slim\b/m);
  expect(dockerfile).toMatch(/^RUN npm ci\b/m);
  const generate = dockerfile.split('\n').find((l) => /prisma generate/.test(l));
  expect(generate).toMatch(/PRISMA_SCHEMA_ENGINE_BINARY=\/bin\/false/);
  expect(generate).toMatch(/PRISMA_QUERY_ENGINE_LIBRARY=\/bin\/false/);
  // NODE_ENV=production before `npm ci` would leave out the Prisma CLI that the generate step needs.
  const nodeEnvAt = dockerfile.search(/^ENV NODE_ENV=production/m);
  if (nodeEnvAt >= 0) expect(nodeEnvAt).toBeGreaterThan(dockerfile.indexOf('prisma generate'));

  const cmd = dockerfileCmd();
  expect(cmd).toEqual(['node', '--import', 'tsx', 'api/main.ts']);
  for (const entry of tsEntries(cmd)) expect(fs.existsSync(path.join(ROOT, entry))).toBe(true);

  const ignored = read('.dockerignore').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'generated', '.data', '.git', 'test-output']));
});

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
  // api and worker must agree, or the API would start workflows nobody polls.
  expect(envOf(service('api'))).toEqual(envOf(service('worker')));
  expect(envOf(service('migrate')).DATABASE_URL).toBe(envOf(service('api')).DATABASE_URL);
});

test('migrations run once before api and worker, which wait for Temporal', () => {
  expect(dependsOn(service('migrate'))).toMatchObject({ postgresql: 'service_healthy' });
  expect((service('migrate') as { restart?: string }).restart ?? 'no').toBe('no');
  for (const name of ['api', 'worker']) {
    expect(dependsOn(service(name))).toMatchObject({ migrate: 'service_completed_successfully', temporal: expect.any(String) });
  }
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
