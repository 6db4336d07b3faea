import { rmSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectionConfig, readDatabaseEnv } from '#io/database';
import { makeTestPki, startTlsPostgres, type TestPki, type TlsPostgres } from '#test/tls-postgres';

let pki: TestPki;
let server: TlsPostgres;

beforeAll(async () => {
  pki = makeTestPki();
  server = await startTlsPostgres(pki);
}, 60_000);
afterAll(async () => {
  await server?.stop();
  if (pki) rmSync(pki.dir, { recursive: true, force: true });
});

/**
 * Connects with the importer's own connection settings (readDatabaseEnv + connectionConfig) for a
 * DB_SSL value; answers whether the session is encrypted.
 */
async function connectWith(dbSsl: string, host = '127.0.0.1'): Promise<boolean> {
  const url = new URL(server.url);
  url.hostname = host;
  const config = await connectionConfig(readDatabaseEnv({ DATABASE_URL: url.toString(), DB_SSL: dbSsl }));
  const client = new pg.Client(config);
  try {
    await client.connect();
    const { rows } = await client.query<{ ssl: boolean }>('select ssl from pg_stat_ssl where pid = pg_backend_pid()');
    return rows[0]!.ssl;
  } finally {
    await client.end().catch(() => {});
  }
}

describe('DB_SSL against a PostgreSQL with ssl=on and a throwaway CA', () => {
  it('connects over verified TLS with the CA that signed the server certificate', async () => {
    expect(await connectWith(`ca:${pki.caFile}`)).toBe(true);
    expect(await connectWith(`ca:${pki.caFile}`, 'localhost')).toBe(true);
  });

  it('refuses a server whose certificate another CA signed', async () => {
    await expect(connectWith(`ca:${pki.wrongCaFile}`)).rejects.toThrow(/certificate/i);
  });

  it('refuses it with DB_SSL=true too: the throwaway CA is in no trust store', async () => {
    await expect(connectWith('true')).rejects.toThrow(/certificate/i);
  });

  it('refuses a certificate that does not name the host it was reached by', async () => {
    // The certificate names 127.0.0.1 and localhost; 127.0.0.2 reaches the same server.
    await expect(connectWith(`ca:${pki.caFile}`, '127.0.0.2')).rejects.toThrow(
      /IP: 127\.0\.0\.2 is not in the cert's list/,
    );
  });

  it('stays in plain text only when DB_SSL=false says so', async () => {
    expect(await connectWith('false')).toBe(false);
  });
});
