import { DefaultLogger, Runtime } from '@temporalio/worker';
import { log, sdkLogFunction } from '../lib/log';
import { startTracing, stopTracing } from '../lib/tracing';
import { defaultActivities } from '../activities';
import { config } from '../lib/config';
import { db } from '../lib/db';
import { ensureReviewSchedule } from '../lib/review-schedule';
import { ensureSearchAttributes } from '../lib/search-attributes';
import { createClient } from '../lib/temporal';
import { createWorker } from './worker';

async function main() {
  const c = config(); // fails fast with a readable message on bad configuration
  // The SDK's own INFO lines (the workflow bundle's webpack report among them) only at LOG_LEVEL=debug.
  // With WORKER_METRICS_ADDRESS, the SDK serves its metrics (workflow and activity task latencies, slots,
  // sticky cache, polls) in Prometheus text on http://<address>/metrics.
  Runtime.install({
    logger: new DefaultLogger(c.LOG_LEVEL === 'debug' ? 'INFO' : 'WARN', sdkLogFunction),
    ...(c.WORKER_METRICS_ADDRESS && { telemetryOptions: { metrics: { prometheus: { bindAddress: c.WORKER_METRICS_ADDRESS, useSecondsForDurations: true } } } }),
  });
  startTracing('complaints-worker'); // only with an OTLP endpoint configured
  const { worker, connection } = await createWorker(defaultActivities());
  const client = await createClient(c);
  try {
    const added = await ensureSearchAttributes(client, c.TEMPORAL_NAMESPACE);
    if (added.length) log('info', `search attributes registered: ${added.join(', ')}`);
  } catch (err) {
    log('warn', `search attributes not checked (${err instanceof Error ? err.message : err}): create them as the README says`);
  }
  if (c.REVIEW_EVERY !== 'off') {
    const state = await ensureReviewSchedule(client, c.REVIEW_SCHEDULE_ID, {
      every: c.REVIEW_EVERY, period: c.REVIEW_PERIOD, recipientEmail: c.REVIEW_RECIPIENT ?? null, taskQueue: c.TEMPORAL_TASK_QUEUE,
    });
    log('info', `quality review schedule "${c.REVIEW_SCHEDULE_ID}": ${state === 'created' ? `created, every ${c.REVIEW_EVERY}` : 'already there'}`);
  }
  await client.connection.close();
  log('info', `worker polling task queue "${c.TEMPORAL_TASK_QUEUE}" on ${c.TEMPORAL_ADDRESS} (namespace ${c.TEMPORAL_NAMESPACE})`);
  // Worker.run() shuts down gracefully on SIGINT/SIGTERM: in-flight activities finish first.
  await worker.run();
  await connection.close();
  await Promise.all([db().$disconnect(), stopTracing()]);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
