/**
 * `tsx scripts/copy-binary-trial.ts [--rows N] [--runs K]`: does PostgreSQL load the importer's rows
 * faster from the COPY BINARY the importer sends than from the same rows as COPY text (what it sent
 * until 2026-12-07)? The lead engine turns a generated file of N leads (default 1,000,000) into its
 * COPY rows; PostgreSQL renders those rows as COPY text once; then, K times (default 3) alternating,
 * each file is streamed into a fresh table `LIKE leads INCLUDING ALL` (same columns, same indexes).
 * Reports the backend's own CPU seconds (from /proc, so other load on the machine barely matters) and
 * wall seconds, medians.
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream, existsSync, readFileSync } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { DEFAULT_LIMITS, LeadEngine } from '#core/engine/lead-engine';
import { parseImportOptions } from '#core/contract/options';
import { COPY_BINARY_HEADER, COPY_BINARY_TRAILER, COPY_COLUMNS } from '#core/copy/copy-binary';
import { migrate } from '#io/migrate';
import { generateLeadCsv } from './lib/lead-generator.ts';
import { ensurePostgres, withDatabase } from './lib/postgres-server.ts';

const { values } = parseArgs({
  options: { rows: { type: 'string', default: '1000000' }, runs: { type: 'string', default: '3' } },
});
const rows = Number(values.rows);
const WORK = join(process.cwd(), '.local', 'copy-trial');
const DB = 'lead_import_copy_trial';
const COLUMNS = COPY_COLUMNS.join(', ');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
await mkdir(WORK, { recursive: true });

const csv = join(WORK, `leads_${rows}.csv`);
const text = join(WORK, `leads_${rows}.copy`);
const binary = join(WORK, `leads_${rows}.bin`);
if (!existsSync(binary)) {
  const out = createWriteStream(csv);
  for (const chunk of generateLeadCsv({ rows, invalidRate: 0.01, seed: 42 }))
    if (!out.write(chunk)) await once(out, 'drain');
  out.end();
  await once(out, 'finish');
  const engine = new LeadEngine('00000000-0000-4000-8000-000000000000', parseImportOptions({}), DEFAULT_LIMITS);
  const copy = createWriteStream(binary);
  copy.write(COPY_BINARY_HEADER);
  const bytes = readFileSync(csv);
  for (let at = 0; at < bytes.length; at += 256 * 1024) {
    for (const part of engine.write(bytes.subarray(at, at + 256 * 1024)).copy)
      if (!copy.write(part.bytes)) await once(copy, 'drain');
  }
  const last = engine.end();
  for (const part of last.copy) copy.write(part.bytes);
  copy.end(COPY_BINARY_TRAILER);
  await once(copy, 'finish');
}

const server = await ensurePostgres(join(process.cwd(), '.local', 'bench-pg'));
const admin = new pg.Client({ connectionString: server.adminUrl });
await admin.connect();
await admin.query(`drop database if exists ${DB} with (force)`);
await admin.query(`create database ${DB}`);
const db = new pg.Client({ connectionString: withDatabase(server.adminUrl, DB) });
await db.connect();
await migrate(db);
const backendPid = (await db.query('select pg_backend_pid() as pid')).rows[0].pid as number;
/** user + system CPU seconds of this connection's backend process so far. */
const backendCpu = (): number => {
  const fields = readFileSync(`/proc/${backendPid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
};

async function load(file: string, format: 'text' | 'binary'): Promise<{ cpu: number; wall: number }> {
  await db.query('drop table if exists trial');
  await db.query('create table trial (like leads including all)');
  await db.query('checkpoint');
  const cpu = backendCpu();
  const started = performance.now();
  await pipeline(createReadStream(file), db.query(copyFrom(`COPY trial (${COLUMNS}) FROM STDIN (FORMAT ${format})`)));
  return { cpu: backendCpu() - cpu, wall: (performance.now() - started) / 1000 };
}

if (!existsSync(text)) {
  await load(binary, 'binary');
  await pipeline(
    db.query(copyTo(`COPY (select ${COLUMNS} from trial order by id) TO STDOUT (FORMAT text)`)),
    createWriteStream(text),
  );
}
const results: Record<'text' | 'binary', { cpu: number; wall: number }[]> = { text: [], binary: [] };
for (let i = 0; i < Number(values.runs); i++) {
  for (const format of ['text', 'binary'] as const) {
    const r = await load(format === 'text' ? text : binary, format);
    results[format].push(r);
    process.stderr.write(`run ${i + 1} ${format}: backend ${r.cpu.toFixed(2)} CPU s, ${r.wall.toFixed(2)} s\n`);
  }
}
for (const format of ['text', 'binary'] as const) {
  const size = (await stat(format === 'text' ? text : binary)).size;
  process.stdout.write(
    `${JSON.stringify({
      format,
      rows: Number((await db.query('select count(*) from trial')).rows[0].count),
      mb: Math.round(size / 1e6),
      backend_cpu_s: median(results[format].map((r) => r.cpu)),
      backend_cpu_s_range: [
        Math.min(...results[format].map((r) => r.cpu)),
        Math.max(...results[format].map((r) => r.cpu)),
      ],
      wall_s: Number(median(results[format].map((r) => r.wall)).toFixed(2)),
    })}\n`,
  );
}
await db.end();
await admin.query(`drop database if exists ${DB} with (force)`);
await admin.end();
await server.stop();
