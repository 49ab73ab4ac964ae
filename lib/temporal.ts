import fs from 'node:fs';
import { Connection, Client } from '@temporalio/client';
import type { NativeConnectionOptions } from '@temporalio/worker';
import { config, type Config } from './config';

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
  return new Client({ connection, namespace: c.TEMPORAL_NAMESPACE });
}

export const workflowIdFor = (complaintId: number) => `complaint-${complaintId}`;
