import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readDatabaseEnv } from '#io/database';
import { tlsOptions } from '#io/database-tls';
import { expectImportError } from '#test/expect-error';

const dir = mkdtempSync(join(tmpdir(), 'lead-import-tls-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('DB_SSL', () => {
  it('reads false, true and ca:<path>, and never turns verification off', () => {
    expect(readDatabaseEnv({}).DB_SSL).toEqual({ mode: 'off' });
    expect(tlsOptions(readDatabaseEnv({ DB_SSL: 'false' }).DB_SSL)).toBeUndefined();
    expect(tlsOptions(readDatabaseEnv({ DB_SSL: 'true' }).DB_SSL)).toEqual({ rejectUnauthorized: true });
    const ca = join(dir, 'ca.pem');
    writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    expect(tlsOptions(readDatabaseEnv({ DB_SSL: `ca:${ca}` }).DB_SSL)).toEqual({
      rejectUnauthorized: true,
      ca: expect.stringContaining('BEGIN CERTIFICATE'),
    });
  });

  it.each(['yes', 'require', 'ca:', 'no-verify'])('refuses DB_SSL=%j naming the variable', (value) => {
    expectImportError(() => readDatabaseEnv({ DB_SSL: value }), 'CONFIG_MISSING', { message: 'DB_SSL' });
  });

  it('fails with CONFIG_MISSING when the CA bundle is missing or holds no certificate', () => {
    expectImportError(() => tlsOptions({ mode: 'verify-ca', caFile: join(dir, 'missing.pem') }), 'CONFIG_MISSING', {
      message: 'DB_SSL',
    });
    const empty = join(dir, 'empty.pem');
    writeFileSync(empty, 'not a certificate');
    expectImportError(() => tlsOptions({ mode: 'verify-ca', caFile: empty }), 'CONFIG_MISSING', {
      message: 'no PEM certificate',
    });
  });
});
