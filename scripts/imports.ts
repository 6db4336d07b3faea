/**
 * `npm run imports -- list [--limit N] [--json]` | `show <import_id> [--json]` | `revert <import_id>`
 * with DATABASE_URL. Tables for people, JSON for scripts on stdout; messages on stderr.
 * Exit 0 done (also: nothing to revert), 1 unknown import or revert refused, 2 bad arguments,
 * 3 database trouble.
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type pg from 'pg';
import { databaseFailure } from '#io/database-errors';
import { getImport, isImportId, listImports, MAX_LIST_LIMIT, type ImportRecord, type ImportSummary } from '#io/history';
import { errorFields, log } from '#io/log';
import { revertImport } from '#io/revert';
import { revertSummary } from '#io/revert-summary';
import { cliPool } from './lib/cli-env.ts';
import { formatDuration, formatTime, renderFields, renderTable, type Column } from './lib/table.ts';
import { escapeControls, terminalJson } from './lib/terminal-text.ts';

export const USAGE = `usage: npm run imports -- list [--limit N] [--json]     newest imports first (default 20, at most ${MAX_LIST_LIMIT})
       npm run imports -- show <import_id> [--json]    every recorded detail of one import
       npm run imports -- revert <import_id>           undo a succeeded import (JSON summary on stdout)`;

export type ImportsCommand =
  | { name: 'help' }
  | { name: 'list'; limit: number; json: boolean }
  | { name: 'show'; id: string; json: boolean }
  | { name: 'revert'; id: string };

const parseImportsOptions = (argv: string[]) =>
  parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      limit: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });

/** Parses argv (after the script name); a string is the problem to show above the usage. */
export function parseImportsArgs(argv: string[]): ImportsCommand | string {
  let parsed: ReturnType<typeof parseImportsOptions>;
  try {
    parsed = parseImportsOptions(argv);
  } catch (error) {
    return (error as Error).message;
  }
  const { values, positionals } = parsed;
  if (values.help) return { name: 'help' };
  const [name, ...rest] = positionals;
  if (name === undefined) return 'missing command';
  if (name !== 'list' && values.limit !== undefined) return `--limit applies to list only`;
  switch (name) {
    case 'list': {
      if (rest.length > 0) return `list takes no arguments (got ${rest.join(' ')})`;
      const limit = values.limit === undefined ? 20 : /^\d+$/.test(values.limit) ? Number(values.limit) : NaN;
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT)
        return `--limit must be a whole number from 1 to ${MAX_LIST_LIMIT} (got ${values.limit})`;
      return { name, limit, json: values.json };
    }
    case 'show':
    case 'revert': {
      if (rest.length !== 1) return `${name} takes exactly one import id`;
      const id = rest[0]!.toLowerCase();
      if (!isImportId(id)) return `not an import id (a UUID such as 0b9c7c6e-3f5e-4a59-9a53-2d0f1f6f1d2e): ${rest[0]}`;
      if (name === 'revert' && values.json) return '--json: revert always prints JSON';
      return name === 'show' ? { name, id, json: values.json } : { name, id };
    }
    default:
      return `unknown command: ${name}`;
  }
}

const LIST_COLUMNS: ReadonlyArray<Column<ImportSummary>> = [
  { header: 'ID', value: (r) => r.id },
  { header: 'STARTED', value: (r) => formatTime(r.started_at) },
  { header: 'STATUS', value: (r) => (r.dry_run ? `${r.status} (dry run)` : r.status) },
  { header: 'FILE', value: (r) => r.filename, maxWidth: 32 },
  { header: 'TOTAL', value: (r) => String(r.total_leads), align: 'right' },
  { header: 'IMPORTED', value: (r) => String(r.imported_count), align: 'right' },
  { header: 'UPDATED', value: (r) => String(r.updated_count), align: 'right' },
  { header: 'DUPLICATES', value: (r) => String(r.duplicate_count), align: 'right' },
  { header: 'FAILED', value: (r) => String(r.failed_count), align: 'right' },
  { header: 'DURATION', value: (r) => formatDuration(r.duration_ms), align: 'right' },
  { header: 'ERROR', value: (r) => r.error_code ?? '' },
];

/** The `list` table, for people; a dry run's status says so. */
export const renderList = (rows: ImportSummary[]): string => renderTable(LIST_COLUMNS, rows);

const dash = (value: string | number | null): string => (value === null || value === '' ? '-' : String(value));

/** Every column of the row, for people; the stored result adds only its error list. */
export function renderImport(r: ImportRecord): string {
  const errors = r.result?.errors ?? [];
  const more = r.failed_count > errors.length ? ` (${r.failed_count - errors.length} more in the error report)` : '';
  return renderFields([
    ['id', r.id],
    ['status', r.status],
    ['dry run', r.dry_run ? 'yes: nothing was kept' : 'no'],
    ['file', r.filename],
    ['source bucket', r.source_bucket],
    ['source key', r.source_key],
    ['source version', r.source_version],
    ['source size', r.source_size === null ? '-' : `${r.source_size} bytes`],
    ['uploader', dash(r.uploader)],
    ['options', JSON.stringify(r.options)],
    [
      'rule set',
      r.rule_set_name === null
        ? '-'
        : `${r.rule_set_name}${r.rule_set_version === null ? '' : ` (version ${r.rule_set_version})`}`,
    ],
    ['started', formatTime(r.started_at)],
    ['finished', formatTime(r.finished_at)],
    ['duration', formatDuration(r.duration_ms)],
    ['total leads', String(r.total_leads)],
    ['imported', String(r.imported_count)],
    ['updated', String(r.updated_count)],
    ['duplicates', String(r.duplicate_count)],
    ['failed', String(r.failed_count)],
    ['encoding', dash(r.encoding)],
    // JSON quoting makes a tab or a space visible.
    ['delimiter', r.delimiter === null ? '-' : JSON.stringify(r.delimiter)],
    ['error code', dash(r.error_code)],
    ['message', dash(r.message)],
    ['reverted', formatTime(r.reverted_at)],
    ['lead id floor', dash(r.lead_id_floor)],
    ['error report', dash(r.result?.error_report_key ?? null)],
    ...(errors.length > 0 ? [['errors', errors.join('\n') + more] as const] : []),
  ]);
}

const out = (text: string) => process.stdout.write(text);
const json = (value: unknown) => out(terminalJson(value, 2) + '\n');
/** Messages can quote keys and file names: escaped like everything else printed for people. */
const say = (text: string) => process.stderr.write(`${escapeControls(text)}\n`);

async function run(pool: pg.Pool, command: Exclude<ImportsCommand, { name: 'help' }>): Promise<number> {
  switch (command.name) {
    case 'list': {
      const rows = await listImports(pool, { limit: command.limit });
      if (command.json) json(rows);
      else out(rows.length === 0 ? 'No imports yet.\n' : renderList(rows));
      return 0;
    }
    case 'show': {
      const record = await getImport(pool, command.id);
      if (!record) {
        process.stderr.write(`No import with id ${command.id}.\n`);
        return 1;
      }
      if (command.json) json(record);
      else out(renderImport(record));
      return 0;
    }
    case 'revert': {
      const outcome = await revertImport(pool, command.id);
      if (outcome.outcome === 'not_found') {
        say(outcome.message);
        return 1;
      }
      json(revertSummary(outcome));
      if (outcome.outcome === 'refused') {
        say(outcome.message);
        return 1;
      }
      return 0;
    }
  }
}

async function main(): Promise<void> {
  const command = parseImportsArgs(process.argv.slice(2));
  if (typeof command === 'string') {
    say(`${command}\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (command.name === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  let pool: pg.Pool;
  try {
    pool = await cliPool();
  } catch (error) {
    say((error as Error).message);
    process.exitCode = 2;
    return;
  }
  try {
    process.exitCode = await run(pool, command);
  } catch (error) {
    const failure = databaseFailure(error, `running imports ${command.name}`);
    say(failure.message);
    log.error('imports_command_failed', { command: command.name, ...errorFields(failure) });
    process.exitCode = 3;
  } finally {
    await pool.end();
  }
}

// Run only as a script, so tests can import the parser and renderers.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
