import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { workflowsPath } from '../worker/worker';

// Step three of `npm run build`: bundles workflows/index.ts once, at build time, into dist/workflow-bundle.js,
// where the compiled worker (dist/worker/worker.js) finds it and loads it instead of running webpack at
// every start. Run from the sources (tsx), so workflowsPath is workflows/index.ts.

export const WORKFLOW_BUNDLE = path.resolve(__dirname, '..', 'dist', 'workflow-bundle.js');

async function main() {
  const { code } = await bundleWorkflowCode({ workflowsPath, logger: new DefaultLogger('WARN') });
  fs.mkdirSync(path.dirname(WORKFLOW_BUNDLE), { recursive: true });
  fs.writeFileSync(WORKFLOW_BUNDLE, code);
  console.log(`workflow bundle of ${path.relative(process.cwd(), workflowsPath)}: ${path.relative(process.cwd(), WORKFLOW_BUNDLE)} (${Math.round(code.length / 1024)} KiB)`);
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
