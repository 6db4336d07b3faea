import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { z } from 'zod';
import { InfraError } from '#core/contract/errors';

/**
 * `DB_SSL`: how the functions and CLIs reach PostgreSQL.
 *
 * - `false` (or `0`): no TLS (local development, tests);
 * - `true` (or `1`): TLS, and the server's certificate must chain to a trusted CA and name the host.
 *   Trusted means Node's default store plus `NODE_EXTRA_CA_CERTS`; in AWS the stack points that at
 *   the Lambda runtime's bundle of Amazon CAs, RDS included (`/var/runtime/ca-cert.pem`), which
 *   Node.js 20+ runtimes no longer load by default;
 * - `ca:<path>`: TLS, verified against the PEM bundle at `<path>` only (a private CA elsewhere).
 *
 * Never `rejectUnauthorized: false`: that encrypts but lets anyone on the path pose as the server.
 */
export type DbTls = { mode: 'off' } | { mode: 'verify' } | { mode: 'verify-ca'; caFile: string };

export const dbSslSetting = z
  .string()
  .default('false')
  .transform((value, ctx): DbTls => {
    if (value === 'false' || value === '0') return { mode: 'off' };
    if (value === 'true' || value === '1') return { mode: 'verify' };
    if (value.startsWith('ca:') && value.length > 3) return { mode: 'verify-ca', caFile: value.slice(3) };
    ctx.addIssue({ code: 'custom', message: 'must be false, true or ca:<path to a PEM CA bundle>' });
    return z.NEVER;
  });

/** pg's `ssl` option for the setting; a CA bundle is read once, here, and must hold a certificate. */
export function tlsOptions(setting: DbTls): ConnectionOptions | undefined {
  if (setting.mode === 'off') return undefined;
  if (setting.mode === 'verify') return { rejectUnauthorized: true };
  let ca: string;
  try {
    ca = readFileSync(setting.caFile, 'utf8');
  } catch (cause) {
    throw new InfraError('CONFIG_MISSING', `Configuration DB_SSL: cannot read the CA bundle ${setting.caFile}`, {
      cause,
    });
  }
  if (!ca.includes('-----BEGIN CERTIFICATE-----')) {
    throw new InfraError('CONFIG_MISSING', `Configuration DB_SSL: ${setting.caFile} holds no PEM certificate`);
  }
  return { rejectUnauthorized: true, ca };
}
