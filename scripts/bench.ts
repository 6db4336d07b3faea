/**
 * `npm run bench -- [--rows N] [--runs K] [--no-existing] [--rules FILE.json]`
 * For each size (1,000, 100,000 and N, default 1,000,000): generate a deterministic lead CSV (1%
 * invalid rows, quoted commas, quotes and newlines), upload it to the local S3 server, then
 * alternate K times (default 3):
 *   (a) `psql \copy` of the same file into a fresh table created LIKE leads INCLUDING ALL;
 *   (b) the real import path (S3 event -> handler -> stream, decode, parse, validate, COPY, commit,
 *       result JSON) into an empty leads table, in a child process running the esbuild bundle.
 * Prints one JSON line per size with medians. Then imports N more leads into a table that already
 * holds N (duplicate checks against existing rows) and reports that ratio too. With --rules, every
 * import applies that rule set (stored for the uploader `bench`) on top of the built-in rules.
 * `--match-on email_or_name`: a third of the rows have no e-mail and the imports match them by
 * company and contact name (`duplicates_ms` is the duplicate check's own time).
 *
 * `--cpu-share S` runs the importer child under a CPU quota of S CPUs (a cgroup; see lib/cpu-quota),
 * by default the deployed function's share (IMPORT_MEMORY_MB / 1,769); `--memory-mb M` means
 * M / 1,769; `--cpu-share none` leaves it unbounded. `--sizes a,b` replaces the list of sizes.
 * Each line reports the child's CPU seconds (user + system, all threads) per million leads.
 *
 * Diagnostics: BENCH_VERBOSE=1 logs each child's own line (with its minor page faults);
 * BENCH_NODE_ARGS adds node flags to the child (`--cpu-prof --cpu-prof-dir=DIR`, `--trace-gc`);
 * BENCH_CHILD_LOG=FILE appends the child's whole stdout there; BENCH_WRAP runs the child under a
 * command when there is no CPU quota (`--cpu-share none`), for instance
 * `valgrind --tool=callgrind`, whose instruction counts do not depend on the machine's load.
 */
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { appendFileSync, createWriteStream } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { build } from 'esbuild';
import pg from 'pg';
import { WORKER_BUNDLE_NAME } from '#runtime/engine-runner';
import { cpuShareOf, engineWorkerAt, IMPORT_MEMORY_MB } from '../infra/import-sizing.ts';
import { migrate } from '#io/migrate';
import { createS3Client, putFile } from '#io/s3';
import { parseRuleSet } from '#core/contract/rule-set';
import { readFile } from 'node:fs/promises';
import { generateLeadCsv } from './lib/lead-generator.ts';
import { createCpuQuota, type CpuQuota } from './lib/cpu-quota.ts';
import { ensurePostgres, withDatabase } from './lib/postgres-server.ts';
import { LOCAL_CREDENTIALS, startLocalS3 } from './lib/s3-server.ts';

const run = promisify(execFile);
const { values } = parseArgs({
  options: {
    rows: { type: 'string' },
    runs: { type: 'string', default: '3' },
    'no-existing': { type: 'boolean', default: false },
    'cpu-share': { type: 'string' },
    'memory-mb': { type: 'string' },
    sizes: { type: 'string' },
    rules: { type: 'string' },
    'match-on': { type: 'string', default: 'email' },
  },
});
const byName = values['match-on'] === 'email_or_name';
const big = Number(values.rows ?? 1_000_000);
const runs = Number(values.runs);
const sizes = values.sizes
  ? values.sizes.split(',').map(Number)
  : [...new Set([1_000, 100_000, big])].filter((n) => n <= big).sort((a, b) => a - b);
if (sizes.some((n) => !Number.isInteger(n) || n <= 0))
  throw new Error(`--sizes: positive integers, got ${values.sizes}`);
const cpuShare =
  values['cpu-share'] === 'none'
    ? null
    : values['cpu-share'] !== undefined
      ? Number(values['cpu-share'])
      : cpuShareOf(Number(values['memory-mb'] ?? IMPORT_MEMORY_MB));
// Made before anything else starts, so a machine without cgroups is refused at once.
let quota: CpuQuota | undefined;
if (cpuShare !== null) {
  try {
    quota = await createCpuQuota(cpuShare);
  } catch (error) {
    process.stderr.write(`[bench] ${(error as Error).message}\n`);
    process.exit(2);
  }
}
const removeQuota = async () => {
  await quota?.remove().catch(() => {});
  quota = undefined;
};
process.on('exit', () => {
  try {
    quota?.removeSync();
  } catch {
    // a child still inside it: nothing more to do at exit
  }
});
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => void removeQuota().finally(() => process.exit(130)));
const WORK = join(process.cwd(), '.local', 'bench');
const BUCKET = 'bench';
const COLUMNS =
  'company_name, industry, company_website, company_size, contact_name, contact_email, contact_phone, contact_title, notes';
const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (x: number, digits = 3) => Number(x.toFixed(digits));

await mkdir(WORK, { recursive: true });
const server = await ensurePostgres(join(process.cwd(), '.local', 'bench-pg'));
const admin = new pg.Client({ connectionString: server.adminUrl });
await admin.connect();
// One database per bench process: two benches on one server must not drop each other's.
const BENCH_DB = `lead_import_bench_${process.pid}`;
await admin.query(`create database ${BENCH_DB}`);
const dbUrl = withDatabase(server.adminUrl, BENCH_DB);
const db = new pg.Client({ connectionString: dbUrl });
await db.connect();
await migrate(db);
// --rules FILE: stored once as the uploader's rule set; each upload names it in its metadata.
const ruleSetMetadata = values.rules
  ? await (async (path: string) => {
      const rules = parseRuleSet(JSON.parse(await readFile(path, 'utf8')), path);
      await db.query("insert into rule_sets (owner, name, version, document) values ('bench', 'bench', 1, $1)", [
        JSON.stringify(rules),
      ]);
      return { uploader: 'bench', 'rule-set': 'bench' };
    })(values.rules)
  : undefined;

Object.assign(process.env, {
  AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
  AWS_REGION: 'us-east-1',
});
const s3server = await startLocalS3({ bucket: BUCKET, directory: join(WORK, 's3') });
const s3 = createS3Client({ endpoint: s3server.endpoint });

// The importer exactly as Lambda runs it: one plain esbuild bundle (not minified, no source map, as
// infra/constructs/app-function bundles it), plain node.
const bundle = join(WORK, 'import-once.mjs');
await build({
  entryPoints: {
    'import-once': 'scripts/lib/bench-import-once.ts',
    [WORKER_BUNDLE_NAME.replace(/\.mjs$/, '')]: 'functions/runtime/engine-worker.ts',
  },
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  outdir: WORK,
  outExtension: { '.js': '.mjs' },
  external: ['pg-native'],
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  logLevel: 'warning',
});
const childEnv = {
  ...process.env,
  DATABASE_URL: dbUrl,
  S3_ENDPOINT: s3server.endpoint,
  MAX_FILE_BYTES: String(8 * 1024 ** 3),
  // As the stack configures the function at this share: a worker thread only with more than one CPU.
  ENGINE_WORKER: process.env.ENGINE_WORKER ?? engineWorkerAt(cpuShare),
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

async function csvFile(rows: number, seed: number): Promise<string> {
  const path = join(WORK, `leads_${rows}_${seed}${byName ? '_no-email' : ''}.csv`);
  const existing = await stat(path).catch(() => undefined);
  if (existing) return path;
  const out = createWriteStream(path);
  for (const chunk of generateLeadCsv({ rows, invalidRate: 0.01, seed, noEmailRate: byName ? 1 / 3 : 0 }))
    if (!out.write(chunk)) await once(out, 'drain');
  out.end();
  await once(out, 'finish');
  return path;
}

async function upload(path: string, key: string): Promise<void> {
  const metadata = { ...ruleSetMetadata, ...(byName ? { 'match-on': 'email_or_name' } : {}) };
  await putFile(s3, BUCKET, key, path, (await stat(path)).size, 'text/csv', metadata);
}

async function psqlCopy(path: string, fresh: boolean): Promise<number> {
  if (fresh) {
    await db.query('drop table if exists bench_copy');
    await db.query('create table bench_copy (like leads including all)');
  }
  await db.query('checkpoint');
  const started = performance.now();
  await run('psql', [
    '-q',
    '-v',
    'ON_ERROR_STOP=1',
    dbUrl,
    '-c',
    `\\copy bench_copy (${COLUMNS}) from '${path}' with (format csv, header true)`,
  ]);
  return (performance.now() - started) / 1000;
}

interface ImportRun {
  ms: number;
  max_rss_mib: number;
  /** user + system CPU of the whole child (main thread and worker), start-up included. */
  cpu_s: number;
  /** the kernel's part of it (sockets, files) */
  cpu_system_s: number;
  /** pages the kernel had to map in (fresh memory touched): each costs system time */
  minor_page_faults: number;
  status: string;
  imported: number;
  failed: number;
  duplicates: number;
  timings_ms: Record<string, number>;
}
async function importerRun(key: string, empty: boolean): Promise<ImportRun> {
  if (empty) await db.query('truncate leads, lead_imports, lead_changes');
  else await db.query('delete from lead_imports where source_key = $1', [key]);
  await db.query('checkpoint');
  const nodeArgs = [...(process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []), bundle, BUCKET, key];
  const wrap = process.env.BENCH_WRAP?.split(' ').filter(Boolean) ?? [];
  const [file, args] = quota
    ? quota.wrap(process.execPath, nodeArgs)
    : wrap.length > 0
      ? [wrap[0]!, [...wrap.slice(1), process.execPath, ...nodeArgs]]
      : [process.execPath, nodeArgs];
  const { stdout } = await run(file, args, { env: childEnv, maxBuffer: 1 << 20 });
  if (process.env.BENCH_CHILD_LOG) appendFileSync(process.env.BENCH_CHILD_LOG, stdout);
  const line = stdout.trim().split('\n').at(-1)!;
  if (process.env.BENCH_VERBOSE) log(line);
  const out = JSON.parse(line) as ImportRun;
  if (out.status !== 'succeeded') throw new Error(`import did not succeed: ${line}`);
  return out;
}

const machine = {
  cpus: cpus().length,
  cpu: cpus()[0]?.model,
  memory_gib: round(totalmem() / 1024 ** 3, 1),
  node: process.version,
  postgres: (await db.query('show server_version')).rows[0].server_version,
  importer_cpu_limit: quota ? `${round(quota.share)} CPU (${quota.kind})` : 'none',
};
log(`machine ${JSON.stringify(machine)}; sizes ${sizes.join(', ')}; ${runs} runs each`);
/** One JSON line per scenario, with medians over the runs. */
function report(
  scenario: { rows: number; into_existing_rows?: number },
  copy: number[],
  imports: ImportRun[],
  extra: Record<string, number>,
): void {
  const importS = median(imports.map((r) => r.ms)) / 1000;
  const copyS = median(copy);
  // Each run's importer against the psql \copy just before it, so both saw the same machine load.
  const ratios = imports.map((r, i) => r.ms / 1000 / copy[i]!);
  const cpuPerMillion = imports.map((r) => (r.cpu_s * 1_000_000) / scenario.rows);
  const line = {
    ...scenario,
    cpu_share: quota ? round(quota.share) : null,
    engine_worker: childEnv.ENGINE_WORKER,
    psql_copy_s: round(copyS),
    import_s: round(importS),
    import_rows_per_second: Math.round(scenario.rows / importS),
    ratio_import_to_psql_copy: round(median(ratios), 2),
    ratio_range: [round(Math.min(...ratios), 2), round(Math.max(...ratios), 2)],
    import_cpu_s_per_million: round(median(cpuPerMillion), 2),
    import_cpu_s_per_million_range: [round(Math.min(...cpuPerMillion), 2), round(Math.max(...cpuPerMillion), 2)],
    import_system_cpu_s_per_million: round(median(imports.map((r) => (r.cpu_system_s * 1_000_000) / scenario.rows)), 2),
    import_peak_rss_mib: Math.round(Math.max(...imports.map((r) => r.max_rss_mib))),
    imported: imports[0]!.imported,
    ...(values.rules ? { rules: values.rules } : {}),
    ...extra,
    runs,
  };
  process.stdout.write(JSON.stringify(line) + '\n');
}

for (const rows of sizes) {
  const path = await csvFile(rows, 42);
  const key = `uploads/bench/leads_${rows}.csv`;
  await upload(path, key);
  const copy: number[] = [];
  const imports: ImportRun[] = [];
  for (let i = 0; i < runs; i++) {
    copy.push(await psqlCopy(path, true));
    imports.push(await importerRun(key, true));
    log(
      `${rows} rows run ${i + 1}: psql \\copy ${copy.at(-1)!.toFixed(3)} s, importer ${(imports.at(-1)!.ms / 1000).toFixed(3)} s, ${imports.at(-1)!.cpu_s.toFixed(2)} CPU s, ${imports.at(-1)!.max_rss_mib.toFixed(0)} MiB`,
    );
  }
  report({ rows }, copy, imports, { failed: imports[0]!.failed });
}

if (!values['no-existing'] && (!values.sizes || sizes.includes(big))) {
  // N new leads into a table that already holds N: every row is checked against existing rows.
  const path = await csvFile(big, 43);
  const key = `uploads/bench/leads_${big}_more.csv`;
  await upload(path, key);
  const copy: number[] = [];
  const imports: ImportRun[] = [];
  const basePath = await csvFile(big, 42);
  for (let i = 0; i < runs; i++) {
    await psqlCopy(basePath, true);
    copy.push(await psqlCopy(path, false));
    await importerRun(`uploads/bench/leads_${big}.csv`, true);
    imports.push(await importerRun(key, false));
    log(
      `existing ${big} + ${big} run ${i + 1}: psql \\copy ${copy.at(-1)!.toFixed(3)} s, importer ${(imports.at(-1)!.ms / 1000).toFixed(3)} s`,
    );
  }
  report({ rows: big, into_existing_rows: big }, copy, imports, {
    duplicates: imports[0]!.duplicates,
    duplicates_ms: median(imports.map((r) => r.timings_ms.duplicates ?? 0)),
  });
}
process.stdout.write(JSON.stringify({ machine }) + '\n');

await removeQuota();
await db.end();
if (!process.env.BENCH_KEEP) await admin.query(`drop database if exists ${BENCH_DB} with (force)`);
await admin.end();
if (!process.env.BENCH_KEEP) await s3server.close();
else log(`kept: DATABASE_URL=${dbUrl} S3_ENDPOINT=${s3server.endpoint}`);
await server.stop();
