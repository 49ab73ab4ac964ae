import { config, toMs } from '../lib/config';
import { db, reportDb } from '../lib/db';
import { createClient } from '../lib/temporal';
import { createApp } from './app';
import { log } from '../lib/log';
import { startTracing, stopTracing } from '../lib/tracing';

async function main() {
  const c = config();
  startTracing('complaints-api'); // only with an OTLP endpoint configured
  const temporal = await createClient(c);
  const app = createApp({ db: db(), reportDb: reportDb(), temporal, taskQueue: c.TEMPORAL_TASK_QUEUE });
  const server = app.listen(c.PORT, () => log('info', `API listening on http://localhost:${c.PORT}`));
  server.keepAliveTimeout = toMs(c.KEEP_ALIVE_TIMEOUT);
  server.headersTimeout = server.keepAliveTimeout + 5_000; // must outlast the keep-alive wait
  const stop = () => {
    server.close(async () => {
      await temporal.connection.close();
      await Promise.all([db().$disconnect(), reportDb().$disconnect(), stopTracing()]);
      process.exit(0);
    });
    server.closeIdleConnections();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
