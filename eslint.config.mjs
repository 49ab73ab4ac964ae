// Lint rules `.ci/run` holds every TypeScript file to (npm run lint). Kept to the checks that catch real
// defects: promises nobody awaits or handles, and workflow code reaching for Node or side effects.
import tseslint from 'typescript-eslint';

const NODE_MODULES = ['assert', 'buffer', 'child_process', 'cluster', 'crypto', 'dgram', 'dns', 'events', 'fs', 'fs/promises',
  'http', 'http2', 'https', 'net', 'os', 'path', 'perf_hooks', 'process', 'readline', 'stream', 'timers', 'tls', 'url', 'util',
  'v8', 'vm', 'worker_threads', 'zlib'];

export default tseslint.config(
  { ignores: ['node_modules/**', 'generated/**', 'dist/**', 'api/console/**', 'api/dashboard/**', 'templates/**/*.js'] },
  {
    files: ['**/*.ts'],
    languageOptions: { parser: tseslint.parser, parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
    },
  },
  {
    // Workflow code is replayed deterministically in Temporal's sandbox: no Node modules, no database,
    // no mail, nothing from the API. It reaches activities only through proxyActivities.
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { regex: `^(node:.*|(${NODE_MODULES.join('|')})(/.*)?)$`, message: 'workflow code may not import Node modules' },
          { group: ['../activities', '../activities/*', '../api/*', '../lib/db', '../lib/mailer', '@prisma/*', 'nodemailer', 'pg', '@temporalio/client', '@temporalio/worker', '@temporalio/activity'],
            message: 'workflow code may not reach side effects; call an activity through proxyActivities', allowTypeImports: true },
        ],
      }],
    },
  },
);
