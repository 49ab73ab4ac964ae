import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import ts from 'typescript';

// `.ci/run` type-checks every entry point and lints before the tests. These show that each check stops
// the defect it is there for, on the real files: a type error in worker/main.ts, a promise nobody
// awaits, and workflow code importing a Node module.

const ROOT = path.resolve(__dirname, '..');
const WORKER_MAIN = path.join(ROOT, 'worker/main.ts');

test('.ci/run type-checks and lints before it runs the tests', () => {
  const steps = fs.readFileSync(path.join(ROOT, '.ci/run'), 'utf8').split('\n').filter((l) => /^\s*(npm|scripts)/.test(l)).map((l) => l.trim().split(/\s+#/)[0].trim());
  expect(steps).toEqual(['scripts/bootstrap.sh', 'npm run typecheck', 'npm run lint', 'npm test']);
  const scripts = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts;
  expect(scripts.typecheck).toBe('tsc -p .');
  expect(scripts.lint).toMatch(/^eslint \. --max-warnings 0$/);
});

/** The type errors of the whole project (tsconfig.json) with worker/main.ts's text replaced. */
function typeErrors(workerMain: string): string[] {
  const parsed = ts.getParsedCommandLineOfConfigFile(path.join(ROOT, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined })!;
  const host = ts.createCompilerHost(parsed.options);
  const readFile = host.readFile.bind(host);
  host.readFile = (file) => (path.resolve(file) === WORKER_MAIN ? workerMain : readFile(file));
  const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options, host });
  return ts.getPreEmitDiagnostics(program).map((d) => `${d.file ? path.relative(ROOT, d.file.fileName) : ''}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
}

test('the type-check passes on the code as it is and fails on a type error in worker/main.ts', () => {
  const source = fs.readFileSync(WORKER_MAIN, 'utf8');
  expect(typeErrors(source)).toEqual([]);
  const broken = source.replace('const c = config();', 'const c = config(); const port: number = c.TEMPORAL_ADDRESS; void port;');
  expect(broken).not.toBe(source);
  expect(typeErrors(broken)).toEqual([expect.stringMatching(/^worker\/main\.ts: Type .* is not assignable to type 'number'/)]);
}, 120_000);

test('the lint fails on a floating promise and on a Node module in workflow code, and passes the files as they are', () => {
  // The ESLint command itself (as npm run lint runs it), given the file's text on stdin.
  const lint = (file: string, text: string): (string | null)[] => {
    const run = spawnSync(path.join(ROOT, 'node_modules/.bin/eslint'), ['--stdin', '--stdin-filename', file, '--format', 'json'], { cwd: ROOT, input: text, encoding: 'utf8' });
    const [result] = JSON.parse(run.stdout) as { messages: { ruleId: string | null }[] }[];
    expect(run.status).toBe(result.messages.length ? 1 : 0);
    return result.messages.map((m) => m.ruleId);
  };
  const worker = fs.readFileSync(WORKER_MAIN, 'utf8');
  expect(lint('worker/main.ts', worker)).toEqual([]);
  // main() called without await or .catch: a rejection would be unhandled.
  expect(lint('worker/main.ts', `${worker}\nmain();\n`)).toEqual(['@typescript-eslint/no-floating-promises']);
  const workflow = fs.readFileSync(path.join(ROOT, 'workflows/complaint.ts'), 'utf8');
  expect(lint('workflows/complaint.ts', workflow)).toEqual([]);
  expect(lint('workflows/complaint.ts', `import fs from 'node:fs';\n${workflow}`)).toEqual(['no-restricted-imports']);
  expect(lint('workflows/complaint.ts', `import { db } from '../lib/db';\n${workflow}`)).toEqual(['no-restricted-imports']);
}, 120_000);
