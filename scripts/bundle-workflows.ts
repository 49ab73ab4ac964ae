import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { tracingWorkflowModules, workflowsPath } from '../worker/worker';

// Step three of `npm run build`: bundles workflows/index.ts once, at build time, into dist/workflow-bundle.js,
// where the compiled worker (dist/worker/worker.js) finds it and loads it instead of running webpack at
// every start. Run from the sources (tsx), so workflowsPath is workflows/index.ts.

export const WORKFLOW_BUNDLE = path.resolve(__dirname, '..', 'dist', 'workflow-bundle.js');
/** The same workflows with Temporal's OpenTelemetry interceptors, for a worker that traces (lib/tracing.ts). */
export const TRACED_WORKFLOW_BUNDLE = path.resolve(__dirname, '..', 'dist', 'workflow-bundle-traced.js');

async function main() {
  for (const [file, workflowInterceptorModules] of [[WORKFLOW_BUNDLE, []], [TRACED_WORKFLOW_BUNDLE, tracingWorkflowModules]] as const) {
    const { code } = await bundleWorkflowCode({ workflowsPath, workflowInterceptorModules: [...workflowInterceptorModules], logger: new DefaultLogger('WARN') });
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, code);
    console.log(`workflow bundle of ${path.relative(process.cwd(), workflowsPath)}: ${path.relative(process.cwd(), file)} (${Math.round(code.length / 1024)} KiB)`);
  }
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
