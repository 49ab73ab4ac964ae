import fs from 'node:fs';
import path from 'node:path';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { makeWorkflowExporter, OpenTelemetryActivityInboundInterceptor, OpenTelemetryActivityOutboundInterceptor } from '@temporalio/interceptors-opentelemetry';
import type { Activities } from '../activities';
import { config } from '../lib/config';
import { connectionOptions } from '../lib/temporal';
import { tracing } from '../lib/tracing';

// workflows/index.ts when run from the sources (tsx, the tests), index.js in the compiled dist/.
export const workflowsPath = path.join(__dirname, '..', 'workflows', `index${path.extname(__filename)}`);

/** The bundle `npm run build` prebuilds next to the compiled code (dist/workflow-bundle.js); absent in the sources. */
export const prebuiltWorkflowBundle = path.join(__dirname, '..', 'workflow-bundle.js');
/** The same with Temporal's OpenTelemetry workflow interceptors, for a worker that traces. */
export const prebuiltTracedWorkflowBundle = path.join(__dirname, '..', 'workflow-bundle-traced.js');
/** The workflow interceptors that trace a workflow and the activities it starts (bundled with it). */
export const tracingWorkflowModules = [require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors')];

/**
 * Where the worker takes its workflow code from: the prebuilt bundle when there is one (the Docker image:
 * no webpack run at start), else workflowsPath, bundled when the worker is created (a local run, the tests).
 */
export function workflowSource(traced = false): Pick<WorkerOptions, 'workflowsPath' | 'workflowBundle'> {
  const bundle = traced ? prebuiltTracedWorkflowBundle : prebuiltWorkflowBundle;
  return fs.existsSync(bundle) ? { workflowBundle: { codePath: bundle } } : { workflowsPath };
}

/** With tracing on (lib/tracing.ts): spans for each workflow, activity and local activity, exported from the worker. */
function tracingOptions(): Partial<WorkerOptions> {
  const t = tracing();
  if (!t) return {};
  return {
    interceptors: {
      workflowModules: tracingWorkflowModules,
      activity: [(ctx) => ({ inbound: new OpenTelemetryActivityInboundInterceptor(ctx), outbound: new OpenTelemetryActivityOutboundInterceptor(ctx) })],
    },
    sinks: { exporter: makeWorkflowExporter(t.processor, t.resource) },
  };
}

export async function createWorker(activities: Activities, extra: Partial<WorkerOptions> = {}) {
  const c = config();
  const connection = await NativeConnection.connect(connectionOptions(c));
  const worker = await Worker.create({
    connection,
    namespace: c.TEMPORAL_NAMESPACE,
    taskQueue: c.TEMPORAL_TASK_QUEUE,
    ...(extra.workflowsPath || extra.workflowBundle ? {} : workflowSource(Boolean(tracing()))),
    activities,
    // The sticky cache bounds the worker's memory: a complaint outside it is replayed from its (small)
    // history when its next timer fires or a person acts on it. README "Capacity" has the figures.
    maxCachedWorkflows: c.WORKER_CACHE_SIZE,
    ...tracingOptions(),
    ...extra,
  });
  return { worker, connection };
}
