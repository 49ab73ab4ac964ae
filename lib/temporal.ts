import fs from 'node:fs';
import { Connection, Client } from '@temporalio/client';
import type { NativeConnectionOptions } from '@temporalio/worker';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { config, type Config } from './config';
import { tracing } from './tracing';

/**
 * Connection options shared by the client (API) and the worker. Temporal's standard client
 * configuration decides TLS, API key and gRPC metadata: a TEMPORAL_PROFILE from the configuration file
 * (TEMPORAL_CONFIG_FILE or the CLI's temporal.toml) and the standard variables over it (TEMPORAL_API_KEY,
 * TEMPORAL_TLS, TEMPORAL_TLS_CLIENT_CERT_PATH, TEMPORAL_TLS_CLIENT_KEY_PATH, TEMPORAL_TLS_SERVER_CA_CERT_PATH,
 * TEMPORAL_TLS_SERVER_NAME…). The older TEMPORAL_TLS_CERT_PATH, TEMPORAL_TLS_KEY_PATH and
 * TEMPORAL_TLS_CA_PATH still work. Nothing set: plain gRPC, as to the dev server.
 */
export function connectionOptions(c: Config = config(), env: NodeJS.ProcessEnv = process.env): NativeConnectionOptions {
  if (c.TEMPORAL_TLS_CERT_PATH || c.TEMPORAL_TLS_CA_PATH) {
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
  const standard = loadClientConnectConfig({
    profile: env.TEMPORAL_PROFILE,
    overrideEnvVars: env as Record<string, string>,
    // Without a profile asked for, only the variables count (not a temporal.toml the CLI left behind).
    disableFile: !env.TEMPORAL_PROFILE && !env.TEMPORAL_CONFIG_FILE,
  }).connectionOptions;
  return { ...standard, address: c.TEMPORAL_ADDRESS };
}

export async function createClient(c: Config = config()): Promise<Client> {
  const connection = await Connection.connect(connectionOptions(c));
  // With tracing on, each workflow start and update is a span of the request that made it, and carries
  // its trace context to the workflow.
  return new Client({ connection, namespace: c.TEMPORAL_NAMESPACE, ...(tracing() && { interceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor()] } }) });
}

export const workflowIdFor = (complaintId: number) => `complaint-${complaintId}`;
