import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../lib/config';
import { connectionOptions } from '../lib/temporal';

// How the API and the worker find their Temporal: the dev server by default, or a cluster or Temporal
// Cloud through Temporal's standard client configuration (a TEMPORAL_PROFILE in a TOML file, and the
// standard TEMPORAL_* variables over it). Pure: nothing connects here.

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'temporal-config-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const base = { DATABASE_URL: 'postgresql://x@127.0.0.1/x' };
const options = (env: Record<string, string>) => connectionOptions(loadConfig({ ...base, ...env }), env);

test('with nothing set: the local dev server, plain gRPC', () => {
  const c = loadConfig(base);
  expect([c.TEMPORAL_ADDRESS, c.TEMPORAL_NAMESPACE]).toEqual(['127.0.0.1:7233', 'default']);
  expect(options({})).toMatchObject({ address: '127.0.0.1:7233', apiKey: undefined, tls: undefined });
});

test('an API key alone turns TLS on (Temporal Cloud with the standard variables)', () => {
  expect(options({ TEMPORAL_ADDRESS: 'eu-west-1.aws.api.temporal.io:7233', TEMPORAL_NAMESPACE: 'complaints.a1b2c', TEMPORAL_API_KEY: 'key-123' }))
    .toMatchObject({ address: 'eu-west-1.aws.api.temporal.io:7233', apiKey: 'key-123', tls: true });
});

test('a profile of the configuration file gives the address, namespace, API key and metadata; the variables win over it', () => {
  const file = path.join(dir, 'temporal.toml');
  fs.writeFileSync(file, [
    '[profile.default]', 'address = "127.0.0.1:7233"', '',
    '[profile.cloud]', 'address = "complaints.a1b2c.tmprl.cloud:7233"', 'namespace = "complaints.a1b2c"', 'api_key = "from-the-file"',
    '[profile.cloud.grpc_meta]', 'team = "quality"', '',
  ].join('\n'));
  const env = { TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'cloud' };
  const c = loadConfig({ ...base, ...env });
  expect([c.TEMPORAL_ADDRESS, c.TEMPORAL_NAMESPACE]).toEqual(['complaints.a1b2c.tmprl.cloud:7233', 'complaints.a1b2c']);
  expect(options(env)).toMatchObject({ address: 'complaints.a1b2c.tmprl.cloud:7233', apiKey: 'from-the-file', tls: true, metadata: { team: 'quality' } });
  const overridden = { ...env, TEMPORAL_NAMESPACE: 'complaints-staging.a1b2c', TEMPORAL_API_KEY: 'from-the-environment' };
  expect(loadConfig({ ...base, ...overridden }).TEMPORAL_NAMESPACE).toBe('complaints-staging.a1b2c');
  expect(options(overridden)).toMatchObject({ apiKey: 'from-the-environment', tls: true });
  expect(() => loadConfig({ ...base, TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'nowhere' })).toThrow(/nowhere/);
});

test('mutual TLS from the standard variables, and from the older ones', () => {
  const [crt, key, ca] = ['client.pem', 'client.key', 'ca.pem'].map((f) => {
    fs.writeFileSync(path.join(dir, f), `${f} contents`);
    return path.join(dir, f);
  });
  const standard = options({ TEMPORAL_ADDRESS: 'temporal.internal:7233', TEMPORAL_TLS_CLIENT_CERT_PATH: crt, TEMPORAL_TLS_CLIENT_KEY_PATH: key, TEMPORAL_TLS_SERVER_CA_CERT_PATH: ca, TEMPORAL_TLS_SERVER_NAME: 'temporal' });
  const older = options({ TEMPORAL_ADDRESS: 'temporal.internal:7233', TEMPORAL_TLS_CERT_PATH: crt, TEMPORAL_TLS_KEY_PATH: key, TEMPORAL_TLS_CA_PATH: ca, TEMPORAL_TLS_SERVER_NAME: 'temporal' });
  for (const o of [standard, older]) {
    const tls = o.tls as any;
    const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');
    expect([o.address, tls.serverNameOverride, text(tls.clientCertPair.crt), text(tls.clientCertPair.key), text(tls.serverRootCACertificate)])
      .toEqual(['temporal.internal:7233', 'temporal', 'client.pem contents', 'client.key contents', 'ca.pem contents']);
  }
});
