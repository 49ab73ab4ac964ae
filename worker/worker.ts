import path from 'node:path';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Activities } from '../activities';
import { config } from '../lib/config';
import { connectionOptions } from '../lib/temporal';

export const workflowsPath = path.join(__dirname, '..', 'workflows', 'index.ts');

export async function createWorker(activities: Activities, extra: Partial<WorkerOptions> = {}) {
  const c = config();
  const connection = await NativeConnection.connect(connectionOptions(c));
  const worker = await Worker.create({
    connection,
    namespace: c.TEMPORAL_NAMESPACE,
    taskQueue: c.TEMPORAL_TASK_QUEUE,
    workflowsPath,
    activities,
    ...extra,
  });
  return { worker, connection };
}
