import fs from 'node:fs';
import path from 'node:path';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Activities } from '../activities';
import { config } from '../lib/config';
import { connectionOptions } from '../lib/temporal';

// workflows/index.ts when run from the sources (tsx, the tests), index.js in the compiled dist/.
export const workflowsPath = path.join(__dirname, '..', 'workflows', `index${path.extname(__filename)}`);

/** The bundle `npm run build` prebuilds next to the compiled code (dist/workflow-bundle.js); absent in the sources. */
export const prebuiltWorkflowBundle = path.join(__dirname, '..', 'workflow-bundle.js');

/**
 * Where the worker takes its workflow code from: the prebuilt bundle when there is one (the Docker image:
 * no webpack run at start), else workflowsPath, bundled when the worker is created (a local run, the tests).
 */
export function workflowSource(): Pick<WorkerOptions, 'workflowsPath' | 'workflowBundle'> {
  return fs.existsSync(prebuiltWorkflowBundle) ? { workflowBundle: { codePath: prebuiltWorkflowBundle } } : { workflowsPath };
}

export async function createWorker(activities: Activities, extra: Partial<WorkerOptions> = {}) {
  const c = config();
  const connection = await NativeConnection.connect(connectionOptions(c));
  const worker = await Worker.create({
    connection,
    namespace: c.TEMPORAL_NAMESPACE,
    taskQueue: c.TEMPORAL_TASK_QUEUE,
    ...(extra.workflowsPath || extra.workflowBundle ? {} : workflowSource()),
    activities,
    ...extra,
  });
  return { worker, connection };
}
