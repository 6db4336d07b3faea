import type { Node } from 'constructs';

/**
 * Synth-time settings, read from CDK context (`cdk.json` "context" or `-c key=value`).
 * Values passed with `-c` arrive as strings, values in cdk.json as JSON; both are accepted.
 * The JWT issuer/audience are NOT here: they are CloudFormation parameters (see jwt-parameters.ts)
 * so one synthesized template can be deployed against any identity provider.
 */
export interface LeadImportConfig {
  /** Reserved (and therefore maximum) concurrency of the import function: caps parallel COPYs into RDS. */
  readonly importReservedConcurrency: number;
  /** Days after which objects under uploads/ (CSV, result, rejected files) expire. */
  readonly uploadsExpirationDays: number;
  /** Browser origins allowed to PUT/GET the bucket (S3 CORS) and call the API (API CORS). Empty = no CORS. */
  readonly corsAllowedOrigins: string[];
  /** RDS deletion protection. */
  readonly dbDeletionProtection: boolean;
  /** RDS IAM database authentication (optional; the functions use Secrets Manager credentials). */
  readonly dbIamAuthentication: boolean;
  /** RDS Multi-AZ. */
  readonly dbMultiAz: boolean;
  /** RDS instance type, e.g. t4g.micro. */
  readonly dbInstanceType: string;
  /** Days of automated RDS backups. */
  readonly dbBackupRetentionDays: number;
  /** Days between secret rotations (master and importer). */
  readonly secretRotationDays: number;
  /** Upper bound of an upload, passed to the presign function. */
  readonly maxUploadBytes: number;
  /** HTTP API stage throttling. */
  readonly apiThrottleRateLimit: number;
  readonly apiThrottleBurstLimit: number;
  /** Optional e-mail subscribed to the alarm topic. */
  readonly alarmEmail: string | undefined;
  /** Deploy the upload page (private S3 bucket behind CloudFront). */
  readonly uploadPage: boolean;
  /**
   * Add the upload page's CloudFront origin to the API and bucket CORS rules. Unset: on when
   * corsAllowedOrigins is empty (the page is then the only browser client), off otherwise (list the
   * page's origin, output UploadPageUrl, in corsAllowedOrigins yourself, or set this to true).
   */
  readonly uploadPageCors: boolean | undefined;
  /**
   * OAuth scopes the JWT must carry (any one of them) to call POST /uploads, e.g. `leads/upload`
   * (`-c uploadScopes=leads/upload`, comma-separated). Empty: any valid token of the audience.
   */
  readonly uploadScopes: string[];
}

export const DEFAULT_CONFIG: LeadImportConfig = {
  importReservedConcurrency: 5,
  uploadsExpirationDays: 30,
  corsAllowedOrigins: [],
  dbDeletionProtection: true,
  dbIamAuthentication: false,
  dbMultiAz: false,
  dbInstanceType: 't4g.micro',
  dbBackupRetentionDays: 7,
  secretRotationDays: 30,
  maxUploadBytes: 104_857_600,
  apiThrottleRateLimit: 10,
  apiThrottleBurstLimit: 20,
  alarmEmail: undefined,
  uploadPage: true,
  uploadPageCors: undefined,
  uploadScopes: [],
};

function positiveInt(node: Node, key: keyof LeadImportConfig, fallback: number): number {
  const raw: unknown = node.tryGetContext(key);
  if (raw === undefined || raw === null || raw === '') return fallback;
  const value = typeof raw === 'number' ? raw : Number(String(raw));
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`context "${key}" must be a positive integer, got ${JSON.stringify(raw)}`);
  }
  return value;
}

function bool<T extends boolean | undefined>(node: Node, key: keyof LeadImportConfig, fallback: T): boolean | T {
  const raw: unknown = node.tryGetContext(key);
  if (raw === undefined || raw === null || raw === '') return fallback;
  if (raw === true || raw === 'true') return true;
  if (raw === false || raw === 'false') return false;
  throw new Error(`context "${key}" must be true or false, got ${JSON.stringify(raw)}`);
}

function stringList(node: Node, key: keyof LeadImportConfig, fallback: string[]): string[] {
  const raw: unknown = node.tryGetContext(key);
  if (raw === undefined || raw === null) return fallback;
  let list: unknown = raw;
  if (typeof raw === 'string') {
    const trimmed = raw.trim();
    list = trimmed.startsWith('[') ? JSON.parse(trimmed) : trimmed.split(',');
  }
  if (!Array.isArray(list) || !list.every((item) => typeof item === 'string')) {
    throw new Error(`context "${key}" must be a list of strings, got ${JSON.stringify(raw)}`);
  }
  const values = list.map((item: string) => item.trim()).filter((item) => item !== '');
  for (const origin of values) {
    if (origin === '*' || !/^https?:\/\/[^/*\s]+$/.test(origin)) {
      throw new Error(`context "${key}": "${origin}" is not an explicit origin like https://app.example.com`);
    }
  }
  return values;
}

/** OAuth 2.0 scope-token characters (RFC 6749 section 3.3): printable ASCII but space, `"` and `\`. */
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

function scopeList(node: Node, key: keyof LeadImportConfig): string[] {
  const raw: unknown = node.tryGetContext(key);
  if (raw === undefined || raw === null || raw === '') return [];
  const list: unknown = typeof raw === 'string' ? raw.split(',') : raw;
  if (!Array.isArray(list) || !list.every((item) => typeof item === 'string')) {
    throw new Error(`context "${key}" must be a comma-separated list of scopes, got ${JSON.stringify(raw)}`);
  }
  const scopes = list.map((item: string) => item.trim()).filter((item) => item !== '');
  for (const scope of scopes) {
    if (!SCOPE_TOKEN.test(scope)) throw new Error(`context "${key}": ${JSON.stringify(scope)} is not an OAuth scope`);
  }
  return scopes;
}

function optionalString(node: Node, key: keyof LeadImportConfig): string | undefined {
  const raw: unknown = node.tryGetContext(key);
  return typeof raw === 'string' && raw.trim() !== '' ? raw.trim() : undefined;
}

export function readConfig(node: Node): LeadImportConfig {
  const d = DEFAULT_CONFIG;
  const instanceType = optionalString(node, 'dbInstanceType') ?? d.dbInstanceType;
  if (!/^[a-z0-9]+\.[a-z0-9]+$/.test(instanceType)) {
    throw new Error(`context "dbInstanceType" must look like t4g.micro, got ${JSON.stringify(instanceType)}`);
  }
  return {
    importReservedConcurrency: positiveInt(node, 'importReservedConcurrency', d.importReservedConcurrency),
    uploadsExpirationDays: positiveInt(node, 'uploadsExpirationDays', d.uploadsExpirationDays),
    corsAllowedOrigins: stringList(node, 'corsAllowedOrigins', d.corsAllowedOrigins),
    dbDeletionProtection: bool(node, 'dbDeletionProtection', d.dbDeletionProtection),
    dbIamAuthentication: bool(node, 'dbIamAuthentication', d.dbIamAuthentication),
    dbMultiAz: bool(node, 'dbMultiAz', d.dbMultiAz),
    dbInstanceType: instanceType,
    dbBackupRetentionDays: positiveInt(node, 'dbBackupRetentionDays', d.dbBackupRetentionDays),
    secretRotationDays: positiveInt(node, 'secretRotationDays', d.secretRotationDays),
    maxUploadBytes: positiveInt(node, 'maxUploadBytes', d.maxUploadBytes),
    apiThrottleRateLimit: positiveInt(node, 'apiThrottleRateLimit', d.apiThrottleRateLimit),
    apiThrottleBurstLimit: positiveInt(node, 'apiThrottleBurstLimit', d.apiThrottleBurstLimit),
    alarmEmail: optionalString(node, 'alarmEmail'),
    uploadPage: bool(node, 'uploadPage', d.uploadPage),
    uploadPageCors: bool(node, 'uploadPageCors', d.uploadPageCors),
    uploadScopes: scopeList(node, 'uploadScopes'),
  };
}
