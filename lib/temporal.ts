import fs from 'node:fs';
import { Connection, Client } from '@temporalio/client';
import type { NativeConnectionOptions } from '@temporalio/worker';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import { config, type Config } from './config';
import { tracing } from './tracing';

/** Connection options shared by the client (API) and the worker: plain for the dev server, TLS for a cluster. */
export function connectionOptions(c: Config = config()): NativeConnectionOptions {
  const useTls = c.TEMPORAL_TLS === 'true' || !!c.TEMPORAL_TLS_CERT_PATH || !!c.TEMPORAL_API_KEY;
  if (!useTls) return { address: c.TEMPORAL_ADDRESS };
  return {
    address: c.TEMPORAL_ADDRESS,
    apiKey: c.TEMPORAL_API_KEY,
    tls: {
      serverNameOverride: c.TEMPORAL_TLS_SERVER_NAME,
      serverRootCACertificate: c.TEMPORAL_TLS_CA_PATH ? fs.readFileSync(c.TEMPORAL_TLS_CA_PATH) : undefined,
      clientCertPair: c.TEMPORAL_TLS_CERT_PATH
        ? { crt: fs.readFileSync(c.TEMPORAL_TLS_CERT_PATH), key: fs.readFileSync(c.TEMPORAL_TLS_KEY_PATH!) }
        : undefined,
    },
  };
}

export async function createClient(c: Config = config()): Promise<Client> {
  const connection = await Connection.connect(connectionOptions(c));
  // With tracing on, each workflow start and update is a span of the request that made it, and carries
  // its trace context to the workflow.
  return new Client({ connection, namespace: c.TEMPORAL_NAMESPACE, ...(tracing() && { interceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor()] } }) });
}

export const workflowIdFor = (complaintId: number) => `complaint-${complaintId}`;
