/**
 * `tsx scripts/output-snapshot.ts [--rows N] [--save FILE | --compare FILE]`
 * What the importer stores, as fingerprints, so a speed change can be proven byte-identical: every
 * CSV in events/ (default options, plus strict and another phone region on a few) and a generated
 * file of N leads (default 1,000,000; imported once inline and once in the worker thread) go through
 * importFile into an empty `leads` table; for each it records a SHA-256 of the stored rows (COPY
 * text of every column the importer writes, in id order), of the result JSON without ids, paths,
 * timings and timestamps, and of the rejected-rows file. --save writes them, --compare diffs.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { copyFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createWriteStream, existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { rejectedKeyFor } from '#core/contract/keys';
import { DEFAULT_LIMITS } from '#core/engine/lead-engine';
import { parseImportOptions } from '#core/contract/options';
import { createPool } from '#io/database';
import { migrate } from '#io/migrate';
import { importFile } from '#service/file-import';
import { generateLeadCsv } from './lib/lead-generator.ts';
import { ensurePostgres, withDatabase } from './lib/postgres-server.ts';

const { values } = parseArgs({
  options: { rows: { type: 'string', default: '1000000' }, save: { type: 'string' }, compare: { type: 'string' } },
});
const WORK = join(process.cwd(), '.local', 'snapshot');
const DB = 'lead_import_snapshot';
const STORED =
  'company_name, industry, company_website, company_size, contact_name, contact_email, contact_phone, contact_title, notes, source_row, website_normalized, phone_e164, name_key, updated_at is null';

await mkdir(WORK, { recursive: true });
const server = await ensurePostgres(join(process.cwd(), '.local', 'bench-pg'));
const admin = new pg.Client({ connectionString: server.adminUrl });
await admin.connect();
await admin.query(`drop database if exists ${DB} with (force)`);
await admin.query(`create database ${DB}`);
const pool = createPool({ connectionString: withDatabase(server.adminUrl, DB) }, 2);
const db = await pool.connect();
await migrate(db);

const bigRows = Number(values.rows);
const big = join(WORK, `leads_${bigRows}_42.csv`);
if (!existsSync(big)) {
  const out = createWriteStream(big);
  for (const chunk of generateLeadCsv({ rows: bigRows, invalidRate: 0.01, seed: 42 }))
    if (!out.write(chunk)) await once(out, 'drain');
  out.end();
  await once(out, 'finish');
}

interface Case {
  name: string;
  file: string;
  options?: Record<string, unknown>;
  threadMinBytes?: number;
}
const cases: Case[] = [];
for (const name of (await readdir('events')).filter((f) => f.endsWith('.csv')).sort()) {
  await copyFile(join('events', name), join(WORK, name));
  cases.push({ name, file: join(WORK, name) });
}
cases.push({
  name: 'leads_with_errors.csv strict',
  file: join(WORK, 'leads_with_errors.csv'),
  options: { strict_mode: true },
});
cases.push({
  name: 'leads_with_errors.csv threshold 1',
  file: join(WORK, 'leads_with_errors.csv'),
  options: { error_threshold: 1 },
});
cases.push({ name: 'leads_1000.csv GB', file: join(WORK, 'leads_1000.csv'), options: { phone_region: 'GB' } });
cases.push({ name: 'hubspot-export.csv DE', file: join(WORK, 'hubspot-export.csv'), options: { phone_region: 'DE' } });
cases.push({ name: `${bigRows} inline`, file: big, threadMinBytes: Number.MAX_SAFE_INTEGER });
cases.push({ name: `${bigRows} worker`, file: big, threadMinBytes: 1 });

const sha = (data: string | Buffer) => createHash('sha256').update(data).digest('hex').slice(0, 16);
/** The result without what differs between runs of the same file. */
function stable(result: Record<string, unknown>): string {
  const { import_id, duration_ms, leads_per_second, started_at, finished_at, timings_ms, ...rest } = result;
  return JSON.stringify(rest, (_key, value) =>
    typeof value === 'string' ? value.replaceAll(WORK, '<work>').replaceAll(String(import_id), '<id>') : value,
  );
}

const fingerprints: Record<string, { result: string; rows: string; stored: number; rejected: string }> = {};
for (const c of cases) {
  await db.query('truncate leads, lead_imports, lead_changes');
  await rm(rejectedKeyFor(c.file), { force: true });
  const options = parseImportOptions(c.options ?? {});
  const result = await importFile(pool, c.file, options, DEFAULT_LIMITS, c.threadMinBytes ?? 4 * 1024 * 1024);
  const hash = createHash('sha256');
  const stream = db.query(copyTo(`copy (select ${STORED} from leads order by id) to stdout`));
  for await (const chunk of stream) hash.update(chunk as Buffer);
  const rejected = existsSync(rejectedKeyFor(c.file)) ? sha(await readFile(rejectedKeyFor(c.file))) : 'none';
  const count = Number((await db.query('select count(*) from leads')).rows[0].count);
  fingerprints[c.name] = {
    result: sha(stable(result as unknown as Record<string, unknown>)),
    rows: hash.digest('hex').slice(0, 16),
    stored: count,
    rejected,
  };
  process.stderr.write(`${c.name}: ${result.status} ${count} rows ${JSON.stringify(fingerprints[c.name])}\n`);
}
db.release();
await pool.end();
await admin.query(`drop database if exists ${DB} with (force)`);
await admin.end();
await server.stop();

if (values.save) await writeFile(values.save, JSON.stringify(fingerprints, null, 2) + '\n');
if (values.compare) {
  const before = JSON.parse(await readFile(values.compare, 'utf8')) as typeof fingerprints;
  const differing = Object.keys({ ...before, ...fingerprints }).filter(
    (k) => JSON.stringify(before[k]) !== JSON.stringify(fingerprints[k]),
  );
  for (const k of differing)
    process.stderr.write(`DIFFERS ${k}: ${JSON.stringify(before[k])} -> ${JSON.stringify(fingerprints[k])}\n`);
  process.stderr.write(differing.length === 0 ? 'identical\n' : `${differing.length} differ\n`);
  process.exitCode = differing.length === 0 ? 0 : 1;
}
